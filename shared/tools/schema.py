"""Every table of the one schema all three tier databases share, for Alembic.

The tiers share one schema and one linear migration history: most tables are used by more than
one tier, and one history is simpler to keep right than three; a table a tier does not use stays
empty there. Importing this module registers every model on the shared metadata.
"""

from __future__ import annotations

import services.local.model  # noqa: F401 - assemblies, participants, proposals
import shared.features.consolidation.model
import shared.features.council.model
import shared.features.cycles.model
import shared.features.plenary.model
import shared.platform.bus.models  # noqa: F401 - inbox, outbox, dead letters, keys
from shared.platform.db.base import metadata

__all__ = ["metadata"]
