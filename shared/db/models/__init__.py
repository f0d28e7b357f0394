"""Every table. Importing this package registers them all on :data:`shared.db.base.metadata`.

All three tier databases share one schema and one migration history: the tiers share most
tables (messaging, plenary, consolidation), and one linear history is simpler to keep right than
three; tables a tier does not use simply stay empty there.
"""

from shared.db.models.consolidation import (  # noqa: F401 - registers the consolidation tables
    Absence,
    ConferenceReport,
    ConsolidatedItem,
    ConsolidationAction,
    Credential,
    CycleConsolidationRules,
    ItemOrigin,
    ItemSource,
    ItemVersion,
    ReceivedMandate,
    ReceivedReport,
    ReceivedResponse,
    ResponseAttachment,
    SeatAllocationRecord,
    SourceItem,
)
from shared.db.models.council import CouncilAnswer, CouncilMember  # noqa: F401
from shared.db.models.local import Assembly, Proposal
from shared.db.models.messaging import DeadLetter, InboxEntry, OutboxEntry, TrustedKey
from shared.db.models.plenary import Ballot, Poll  # noqa: F401 - registers the plenary tables

__all__ = [
    "Assembly",
    "ConsolidatedItem",
    "DeadLetter",
    "InboxEntry",
    "ItemSource",
    "OutboxEntry",
    "Proposal",
    "ReceivedReport",
    "SourceItem",
    "TrustedKey",
]
