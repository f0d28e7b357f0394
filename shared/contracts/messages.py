"""Every body that crosses between tiers. Add fields with defaults; a change of meaning is a new
version registered under the same kind.

Lineage travels with the data: each report item names its direct ``sources`` at the tier below
and every local proposal it came from (``origins``), because tiers never query one another.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from shared.contracts.envelope import message
from shared.core.vocabulary import Competence, CouncilDecision, MandateRole, MilestoneStatus, Tier


class OriginRef(msgspec.Struct, frozen=True, kw_only=True):
    """A local proposal at its origin: the leaf of every lineage."""

    proposal_id: str
    assembly_id: str
    territory: str


class SourceRef(msgspec.Struct, frozen=True, kw_only=True):
    """A direct input of an item: one item of a report from the tier below."""

    item_id: str
    assembly_id: str
    territory: str
    rank: int | None = None
    support: int = 0
    text: str = ""


class ReportItem(msgspec.Struct, frozen=True, kw_only=True):
    """A proposal (or guideline) an assembly forwards, ranked within its axis."""

    item_id: str
    axis: str
    competence: Competence
    title: str
    text: str
    rank: int
    support: int = 0
    score: float = 0.0
    sources: list[SourceRef] = msgspec.field(default_factory=list)
    origins: list[OriginRef] = msgspec.field(default_factory=list)
    #: The plenary's decision ("approved", "approved_in_part"; "recorded" when the assembly
    #: held no decision poll) and its yes/no/abstain counts.
    decision: str = ""
    yes: int = 0
    no: int = 0
    abstain: int = 0
    #: The diretriz this proposal is grouped under: another item of the same report (empty
    #: when none, or when the diretriz itself was not forwarded).
    parent_item_id: str = ""


class SignedRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A poll's opening record (zerésima) or closing record (boletim de urna): ``record`` is
    the exact canonical JSON text the tier's Ed25519 key signed."""

    record: str
    signer: str
    public_key: str
    signature: str


class AuditSummary(msgspec.Struct, frozen=True, kw_only=True):
    """The head of the assembly's desk audit chain (``seq:sha256``) as it closed, and what the
    tier above's board flags from it."""

    head: str
    events: int = 0
    #: Participants credentialed while a poll was open (they are not on that poll's roll).
    late_credentials: int = 0
    #: Counted polls whose total equals every voter on their roll.
    counts_at_limit: int = 0
    #: Ties an election broke.
    ties: int = 0


class TallyManifest(msgspec.Struct, frozen=True, kw_only=True):
    """Enough to recount a poll: method, hash of the public ballot export, and the result."""

    poll_id: str
    axis: str = ""
    method: str
    ballots_sha256: str
    ballots: int = 0
    ranking: list[list[str]] = msgspec.field(default_factory=list)
    #: Which poll: "decision" (subject = proposal id), "priority" (axis), "motion", "election".
    kind: str = ""
    subject: str = ""
    outcome: str = ""
    #: Voters on the roll frozen when the poll opened.
    electorate: int | None = None
    opening: SignedRecord | None = None
    closing: SignedRecord | None = None


class AxisPairwise(msgspec.Struct, frozen=True, kw_only=True):
    """Per-axis pairwise preference counts (``matrix[i][j]`` = how many preferred i to j)."""

    axis: str
    candidates: list[str]
    matrix: list[list[int]]
    participants: int = 0


class MotionResult(msgspec.Struct, frozen=True, kw_only=True):
    motion_id: str
    kind: str
    text: str
    signatures: int = 0
    yes: int = 0
    no: int = 0
    abstain: int = 0
    approved: bool = False
    title: str = ""


class Mandate(msgspec.Struct, frozen=True, kw_only=True):
    """Public fields of a delegate's mandate; personal data stays at the local tier."""

    mandate_id: str
    public_name: str
    segment: str
    role: MandateRole = "titular"
    rank: int = 1
    gender: str = ""
    quota_groups: list[str] = msgspec.field(default_factory=list)
    #: SHA-256 of the one-time claim code handed to the delegate when elected: at the plenary
    #: above, the delegate redeems it on their own device to vote and stand themselves.
    claim_sha256: str = ""
    #: ``elected`` by the plenary, or ``drawn`` by the assembly's civic lottery (whose record,
    #: ``AssemblyReport.lottery``, carries the seed and every volunteer's probability).
    selection: Literal["elected", "drawn"] = "elected"
    #: A drawn mandate's selection probability.
    probability: float | None = None


class LotteryRecord(msgspec.Struct, frozen=True, kw_only=True):
    """How an assembly's drawn seats were drawn, enough for anyone to re-run the draw with
    ``plenaria lottery --pool pool.csv --quotas quotas.csv --size seats --seed seed --method
    requested_method`` and compare: pseudonymous pool and quotas as the CLI reads them, the
    commitment published before the pool closed, the secret revealed after, the seed they
    (and the public source's value) give, and the lottery's answer."""

    seats: int
    requested_method: str
    method: str
    commitment_sha256: str
    secret: str
    public_source: str = ""
    public_value: str = ""
    pool_sha256: str
    pool_csv: str
    quotas_csv: str
    seed: int
    selected: list[str]
    probabilities: dict[str, float]
    probabilities_estimated: bool = False
    panels: int = 0


class EquityTable(msgspec.Struct, frozen=True, kw_only=True):
    """Exact counts of one population counted at one tier (``shared.core.equity``): e.g. the
    ``participants`` of the ``local`` assemblies, the ``delegates`` a ``regional`` conference
    elected, the delegates ``credentialed`` at the ``national`` one, the ``ex_officio`` members a
    ``regional`` or ``national`` plenary seats by office. Aggregates only; a tier forwards the
    sums of what it received with its own tables, so they add up to the nation."""

    population: Literal["participants", "delegates", "credentialed", "ex_officio"]
    tier: Tier
    total: int
    cells: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)


class EvaluationSummary(msgspec.Struct, frozen=True, kw_only=True):
    """The participants' evaluation, as counts only (``shared.core.evaluation``): how many
    answered, and per question how many gave each answer — here and below."""

    responses: int = 0
    answers: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)


@message("report", 1)
class AssemblyReport(msgspec.Struct, frozen=True, kw_only=True):
    """What an assembly (local, state or national) sends up when it closes."""

    report_id: str
    cycle_id: str
    tier: Tier
    assembly_id: str
    assembly_kind: str
    territory: str
    uf: str
    title: str
    closed_at: datetime
    late: bool = False
    participants: int = 0
    population: int = 0
    #: Every municipality an intermunicipal conference covers (IBGE codes, ``territory`` first;
    #: all in ``uf``): each counts as reported at the state.
    covers: list[str] = msgspec.field(default_factory=list)
    items: list[ReportItem] = msgspec.field(default_factory=list)
    motions: list[MotionResult] = msgspec.field(default_factory=list)
    mandates: list[Mandate] = msgspec.field(default_factory=list)
    manifests: list[TallyManifest] = msgspec.field(default_factory=list)
    pairwise: list[AxisPairwise] = msgspec.field(default_factory=list)
    #: How the delegation was elected and where the allocation could not be met.
    delegation_notes: list[str] = msgspec.field(default_factory=list)
    #: Key the report is signed with (an assembly's own key, introduced by its instance).
    signing_key_id: str = ""
    #: The report this one adds late items to (empty for a conference's own report).
    addendum_of: str = ""
    #: The desk's audit chain head and what it shows.
    audit: AuditSummary | None = None
    #: The civic lottery that drew part of the delegation, when the cycle has one.
    lottery: LotteryRecord | None = None
    #: Who took part, who was sent up and who was credentialed, counted here and below.
    equity: list[EquityTable] = msgspec.field(default_factory=list)
    #: What the participants said of the assemblies (counts only), here and below.
    evaluation: EvaluationSummary | None = None


@message("cycle", 1)
class CycleAnnouncement(msgspec.Struct, frozen=True, kw_only=True):
    """A cycle's rules, axes and calendar, announced downward (TOML text, see shared.core.cycle)."""

    cycle_id: str
    title: str
    rules_toml: str


@message("allocation", 1)
class SeatAllocation(msgspec.Struct, frozen=True, kw_only=True):
    """Seats a lower assembly (or territory) may elect for the next tier, per segment."""

    allocation_id: str
    cycle_id: str
    territory: str
    seats: int
    per_segment: dict[str, int] = msgspec.field(default_factory=dict)
    method: str = ""
    assembly_id: str = ""
    #: What the seats were apportioned on (``population``, ``participants``, ``municipalities``,
    #: ``mix`` or ``table``) and its value.
    basis: str = ""
    basis_value: int = 0
    #: State the territory belongs to (the territory itself for a state's allocation).
    uf: str = ""
    #: Alternates per segment the unit may elect beside its titulars.
    alternates_per_segment: int = 0
    #: ``{segment: {sphere: seats}}`` where the cycle splits a segment by government sphere.
    per_sphere: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)


class Milestone(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    due: str = ""
    status: MilestoneStatus = "planned"
    progress: int = 0
    #: What was delivered or why it slipped (public).
    note: str = ""


@message("response", 1)
class CouncilResponse(msgspec.Struct, frozen=True, kw_only=True):
    """A council's answer to one national item (or an update of it), flowing to every origin."""

    response_id: str
    national_item_id: str
    version: int = 1
    decision: CouncilDecision
    justification: str = ""
    responsible_body: str = ""
    instrument: str = ""
    milestones: list[Milestone] = msgspec.field(default_factory=list)
    answered_at: datetime
    origins: list[OriginRef] = msgspec.field(default_factory=list)
    cycle_id: str = ""
    #: The national item answered, so each origin can show what its proposal became.
    item_title: str = ""
    item_text: str = ""
    axis: str = ""
    #: The state items the national item was made from (the regional tier's own item ids).
    sources: list[SourceRef] = msgspec.field(default_factory=list)
    council: str = ""
    #: Which of ``sources`` carried each origin up: local proposal id → source item id (so an
    #: origin can say what its proposal was merged into at the state).
    carried_by: dict[str, str] = msgspec.field(default_factory=dict)


@message("key.introduced", 1)
class KeyIntroduction(msgspec.Struct, frozen=True, kw_only=True):
    """An instance vouches for a new signer (e.g. one assembly's key) it operates."""

    key_id: str
    public_key: str
    assembly_id: str = ""
    territory: str = ""


@message("key.revoked", 1)
class KeyRevocation(msgspec.Struct, frozen=True, kw_only=True):
    key_id: str
    reason: str = ""
