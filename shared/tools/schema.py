"""Every table of the one schema all three tier databases share, for Alembic.

The tiers share one schema and one linear migration history: most tables are used by more than
one tier, and one history is simpler to keep right than three; a table a tier does not use stays
empty there. Importing this module registers every model on the shared metadata.
"""

from __future__ import annotations

from services.local import model as local_tables
from shared.features.allocation import model as allocation_tables
from shared.features.consolidation import model as consolidation_tables
from shared.features.council import model as council_tables
from shared.features.cycles import model as cycle_tables
from shared.features.identity import model as identity_tables
from shared.features.plenary import model as plenary_tables
from shared.features.responses import model as response_tables
from shared.platform.bus import models as backbone_tables
from shared.platform.db.base import metadata
from shared.platform.web import receipts as receipt_tables

#: The modules that define tables (importing them is what registers the tables).
TABLE_MODULES = (
    backbone_tables,
    identity_tables,
    cycle_tables,
    local_tables,
    plenary_tables,
    allocation_tables,
    consolidation_tables,
    council_tables,
    response_tables,
    receipt_tables,
)

__all__ = ["TABLE_MODULES", "metadata"]
