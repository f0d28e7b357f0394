"""HTTP contract of consolidation at the regional and national tiers: reports received, the
ingest board, items with their lineage both ways, duplicate suggestions, convener actions,
ranking, closing the conference, and the council's answers as they read here."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from shared.contracts.fields import UF, CycleId, OptionalText, OptionalTitle, Share
from shared.contracts.http.plenary import DelegateClaim
from shared.contracts.messages import Mandate, Milestone

Competence = Literal["", "municipal", "state", "national"]


# --- requests ----------------------------------------------------------------------------------


class CloseConference(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Close this tier's conference for one cycle and territory and send its report up, with
    the delegates its plenary elected for the next tier (or those given here)."""

    cycle_id: CycleId
    uf: UF = "BR"
    title: OptionalTitle = ""
    delegates: list[Mandate] = msgspec.field(default_factory=list)


class Merge(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    item_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=2, max_length=1000)]
    title: OptionalTitle = ""
    text: OptionalText = ""
    competence: Competence = ""
    note: OptionalText = ""


class SplitPart(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    sources: Annotated[list[str], msgspec.Meta(min_length=1)]
    title: OptionalTitle = ""
    text: OptionalText = ""


class Split(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    item_id: uuid.UUID
    parts: Annotated[list[SplitPart], msgspec.Meta(min_length=2, max_length=1000)]
    note: OptionalText = ""


class Rewrite(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    item_id: uuid.UUID
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
    title: OptionalTitle = ""
    note: OptionalText = ""


class Reclassify(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    item_id: uuid.UUID
    axis: Annotated[str, msgspec.Meta(max_length=64)] = ""
    competence: Competence = ""
    note: OptionalText = ""


class Nest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Group proposals under a diretriz (``parent_id``: an active item of the same axis that is
    itself nested under none)."""

    item_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=1000)]
    parent_id: uuid.UUID
    note: OptionalText = ""


class Unnest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    item_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=1000)]
    note: OptionalText = ""


class Scope(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    cycle_id: CycleId
    uf: UF = "BR"


class AutoMerge(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    cycle_id: CycleId
    uf: UF = "BR"
    #: Defaults to the cycle's ``[consolidation] auto_merge_threshold``.
    threshold: Share | None = None


# --- views -------------------------------------------------------------------------------------


class ReceivedReportView(msgspec.Struct, kw_only=True):
    report_id: str
    assembly_id: str
    territory: str
    uf: str
    title: str
    late: bool
    participants: int
    sender: str
    closed_at: datetime
    received_at: datetime
    items: int
    mandates: int
    #: The tier the report came from (``local`` at the national tier: an assembly the cycle
    #: routes straight to the national stage) and its kind of assembly.
    tier: str = ""
    assembly_kind: str = ""


class BoardRow(msgspec.Struct, kw_only=True):
    unit: str
    assembly_id: str
    territory: str
    report_id: str
    late: bool
    participants: int
    items: int
    mandates: int
    received_at: datetime
    #: Why the report is late and what the late policy did with it (empty when on time).
    late_reason: str = ""
    #: The head of the unit's desk audit chain as its report carried it ("" before it did).
    audit_head: str = ""
    #: What the board should look at: credentials given while a poll was open, counts at a
    #: roll's limit, election ties, an audit chain that went backwards between two reports.
    flags: list[str] = msgspec.field(default_factory=list)


class MissingUnit(msgspec.Struct, kw_only=True):
    unit: str
    territory: str


class DeadLetterBrief(msgspec.Struct, kw_only=True):
    id: str
    reason: str
    detail: str
    subject: str
    received_at: datetime


class BoardDeadLetters(msgspec.Struct, kw_only=True):
    by_reason: dict[str, int]
    recent: list[DeadLetterBrief]


class Board(msgspec.Struct, kw_only=True):
    """Who has reported, late, missing, and what was refused on the way in."""

    cycle_id: str
    territory: str
    expected: int
    reported: list[BoardRow]
    late: list[BoardRow]
    missing: list[MissingUnit]
    unexpected: list[str]
    dead_letters: BoardDeadLetters
    #: Reported units with a flag (see :attr:`BoardRow.flags`).
    flagged: list[BoardRow] = msgspec.field(default_factory=list)


class ItemView(msgspec.Struct, kw_only=True):
    id: str
    cycle_id: str
    uf: str
    axis: str
    competence: str
    title: str
    text: str
    version: int
    status: str
    score: float
    rank: int | None
    #: How the score was made (weighted Borda contributions, distinct origins).
    breakdown: dict[str, Any] | None
    report_id: str | None
    published_at: datetime | None
    #: The diretriz this proposal is nested under (``POST /consolidation/nest``), if any.
    parent_id: str | None = None


class SourceView(msgspec.Struct, kw_only=True):
    item_id: str
    report_id: str
    assembly_id: str
    territory: str
    uf: str
    axis: str
    competence: str
    rank: int
    support: int
    title: str
    text: str


class OriginView(msgspec.Struct, kw_only=True):
    proposal_id: str
    assembly_id: str
    territory: str


class VersionView(msgspec.Struct, kw_only=True):
    version: int
    title: str
    text: str
    at: datetime


class ActionView(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    actor: str
    note: str
    payload: dict[str, Any]
    at: datetime
    undone_at: datetime | None


class AnswerView(msgspec.Struct, kw_only=True):
    """One version of a council's answer to a national item, as this tier holds it."""

    response_id: str
    version: int
    national_item_id: str
    decision: str
    justification: str
    responsible_body: str
    instrument: str
    milestones: list[Milestone]
    answered_at: datetime
    item_title: str = ""


class Lineage(msgspec.Struct, kw_only=True):
    """An item with every source, every local origin, its texts, actions and answers."""

    item: ItemView
    sources: list[SourceView]
    origins: list[OriginView]
    versions: list[VersionView]
    actions: list[ActionView]
    responses: list[AnswerView]


class JourneySource(SourceView, kw_only=True):
    current_item: str | None


class Journey(msgspec.Struct, kw_only=True):
    """From a local proposal up: the source items that carry it here, the items holding them
    now, and the council's answers."""

    proposal_id: str
    sources: list[JourneySource]
    items: list[ItemView]
    responses: list[AnswerView]


class SuggestedItem(msgspec.Struct, kw_only=True):
    id: str
    competence: str
    title: str
    text: str
    rank: int | None


class PairScore(msgspec.Struct, kw_only=True):
    a: str
    b: str
    score: float


class Suggestion(msgspec.Struct, kw_only=True):
    """A cluster of likely duplicates within an axis, with its evidence."""

    axis: str
    items: list[SuggestedItem]
    pairs: list[PairScore]
    mean_score: float
    shared_words: list[str]


class AutoMerged(msgspec.Struct, kw_only=True):
    clusters: int
    merged_items: int
    active_items: int


class Ranked(msgspec.Struct, kw_only=True):
    axes: int
    items: int


class PairwiseSource(msgspec.Struct, kw_only=True):
    assembly_id: str
    weight: int | str
    voters: int


class PairwiseRanking(msgspec.Struct, kw_only=True):
    """An axis ranked on the weighted sum of its sources' pairwise counts."""

    axis: str
    method: str
    sources: list[PairwiseSource]
    ranking: list[list[str]]
    weighting: str = ""
    scores: dict[str, int | str] = msgspec.field(default_factory=dict)


class ConferenceClosed(msgspec.Struct, kw_only=True):
    report_id: str
    items: int
    mandates: int
    #: The conference's first report when this one is an addendum of late items.
    addendum_of: str = ""
    #: The delegation's one-time claim codes, in this answer only (the report carries digests).
    delegate_claims: list[DelegateClaim] = msgspec.field(default_factory=list)


TownStatus = Literal["not_convened", "open", "reported", "late", "dead_lettered"]


class MunicipalityReception(msgspec.Struct, kw_only=True):
    """One municipality of the state (from the IBGE list, whether it convened or not) and where
    its reporting stands: ``not_convened`` (no assembly known here), ``open`` (assemblies known,
    no report yet), ``reported``, ``late`` (only late reports) or ``dead_lettered`` (what it
    sent was refused on the way in)."""

    code: str
    name: str
    population: int
    status: TownStatus
    assemblies: int
    reports: int
    participants: int
    dead_letters: int
    received_at: datetime | None = None
    late_reason: str = ""


class Reception(msgspec.Struct, kw_only=True):
    """Every municipality of a state and its reporting status, with the counts per status."""

    cycle_id: str
    uf: str
    counts: dict[str, int]
    municipalities: list[MunicipalityReception]
    #: Dead letters of this state that name no municipality (undecodable, unsigned…).
    unattributed_dead_letters: int = 0


class UnitSeatsView(msgspec.Struct, kw_only=True):
    """One assembly's seats as this tier apportioned them, with the figures behind them."""

    assembly_id: str
    territory: str
    #: The municipality's name (IBGE), or the territory code when it is not one.
    name: str
    #: The basis value the seats were apportioned on (population, participants…).
    value: int
    #: The exact quota: value × seats shared ÷ total value (the seats before rounding).
    quota: float
    seats: int
    per_segment: dict[str, int]
    allocated_at: datetime
    #: When the assembly's report (with its elected delegates) was closed, if it arrived.
    elected_at: datetime | None
    elected: int
    #: It elected before this allocation was made: under an older one.
    elected_under_older: bool


class StateSeats(msgspec.Struct, kw_only=True):
    """A state conference's seats shared among its assemblies: the method, the figures, and
    the assemblies that already elected under an older allocation."""

    cycle_id: str
    uf: str
    method: str
    basis: str
    #: Seats the national tier allocated to the state (None until they arrive).
    received: int | None
    shared: int
    total_value: int
    units: list[UnitSeatsView]
    elected_under_older: int


class ReceivedMandateView(msgspec.Struct, kw_only=True):
    """A delegate mandate carried by a verified report (public fields; never the claim digest)."""

    mandate_id: str
    report_id: str
    cycle_id: str
    uf: str
    assembly_id: str
    territory: str
    public_name: str
    segment: str
    role: str
    rank: int
    gender: str
    quota_groups: list[str]
    #: Whether a delegate holds a credential on it at this tier's plenary.
    credentialed: bool
