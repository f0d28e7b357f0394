"""A conference cycle's rules (docs/spec.md §4), decoded from TOML with msgspec.

Every number a conference may change is a field here, so tiers read rules instead of hard-coding
them. The same TOML travels down in ``CycleAnnouncement.rules_toml``; presets ship as package
data. Pure: no I/O besides reading the packaged presets.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from importlib import resources
from typing import Annotated, Literal

import msgspec

from shared.core.decide.clustering import DEFAULT_THRESHOLD
from shared.core.errors import Invalid, NotFound
from shared.core.vocabulary import Competence, Tier

PriorityMethod = Literal["approval", "borda", "schulze"]
#: How a source's voice counts when a tier ranks what arrived: by its participants, by its
#: population, or one per assembly.
Weighting = Literal["participants", "population", "assembly"]
PairwiseMethod = Literal["schulze", "copeland", "ranked-pairs", "borda"]
#: Every apportionment method of ``shared.core.decide.apportionment``, plus ``fixed`` (a table
#: of seats per unit written in the regimento).
ApportionmentMethod = Literal[
    "hamilton",
    "dhondt",
    "sainte-lague",
    "huntington-hill",
    "bands",
    "min-plus-proportional",
    "fixed",
]
#: What seats are shared in proportion to: the population of a named census, the participants
#: reported, the number of municipalities, a weighted ``mix`` of those, or a ``table`` of values
#: supplied with the cycle.
SeatBasis = Literal["population", "participants", "municipalities", "mix", "table"]
Indicator = Literal["population", "participants", "municipalities"]
Census = Literal["2022", "2010"]
#: Stages whose seats a cycle may set: a macro-regional conference's (among the states of its
#: region), a state conference's (among its assemblies), the national conference's (among the
#: states, or the macro-regions when the cycle has that stage).
Stage = Literal["macro", "state", "national"]
STAGES: tuple[Stage, ...] = ("macro", "state", "national")
#: The stages a local assembly may report to: its state's conference (the default), or the
#: national one directly (the 17ª CNS's free conferences).
ReportStage = Literal["state", "national"]
REPORT_STAGES: tuple[ReportStage, ...] = ("state", "national")
GovernmentSphere = Literal["municipal", "state", "federal"]

Share = Annotated[float, msgspec.Meta(ge=0, le=1)]
Count = Annotated[int, msgspec.Meta(ge=0)]


class Axis(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A theme proposals are filed under (eixo temático)."""

    id: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    title_pt: str
    title_en: str = ""


class Routing(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Which competences each tier forwards up: municipal items stay local by default."""

    local: list[Competence] = msgspec.field(default_factory=lambda: ["state", "national"])
    regional: list[Competence] = msgspec.field(default_factory=lambda: ["national"])
    #: The stage each kind of local assembly reports to (``[routing.reports_to]``, e.g.
    #: ``free = "national"``); a kind not named reports to its state. Checked (kinds, stages)
    #: by ``shared.core.cycle_check``, so any value here is a :data:`ReportStage` once loaded.
    reports_to: dict[str, str] = msgspec.field(default_factory=dict)


class Caps(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How many items one kind of assembly forwards, per competence (``per_axis`` true: per axis
    and competence; false: across all axes)."""

    per_axis: bool = False
    state: Count | None = None
    national: Count | None = None
    municipal: Count | None = None

    def limit(self, competence: str) -> int | None:
        value: int | None = getattr(self, competence, None)
        return value


class LatePolicy(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An assembly closed after its deadline, or a report that arrives after the conference it
    reports to has closed: the report is kept, flagged with the reason and trimmed to
    ``max_per_axis``; its delegates are not credentialed unless ``elects_delegates``. After the
    receiving conference closed, ``after_close`` says whether the late items go up in an
    ``addendum`` (the convener closes again) or are refused (kept, not forwarded, with the reason
    on the board)."""

    max_per_axis: Count = 4
    elects_delegates: bool = False
    after_close: Literal["addendum", "refuse"] = "addendum"


class Bands(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Working-group band rule: ≥ upper → straight to the report; < lower → dropped."""

    upper: Share = 0.7
    lower: Share = 0.3


class Decision(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Approval of one proposal: yes must exceed ``threshold`` of valid votes."""

    threshold: Share = 0.5
    abstentions_count: bool = False
    bands: Bands | None = None


class Priority(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    method: PriorityMethod = "borda"
    approvals: Annotated[int, msgspec.Meta(ge=1)] = 3
    #: How many items per axis the national stage publishes as consolidated mandates (None:
    #: every item the national conference approved).
    top_n: Annotated[int, msgspec.Meta(ge=1)] | None = None


class Motions(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Signatures needed: ``signature_share`` of the credentialed participants present or
    ``signature_absolute``, whichever is fewer (a share of 0: the absolute number alone)."""

    signature_share: Share = 0.2
    signature_absolute: Count | None = None
    majority: Share = 0.5


class Quorum(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Credentialed voice-and-vote participants needed before the desk opens a vote: a
    ``share`` of those registered with a vote (rounded up) or a ``count`` — exactly one of the
    two (``cycle_check`` refuses both or neither). No ``[quorum]``: no quorum is required."""

    share: Annotated[float, msgspec.Meta(gt=0, le=1)] | None = None
    count: Annotated[int, msgspec.Meta(ge=1)] | None = None


class Segment(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_-]{1,32}$")]
    title_pt: str
    share: Annotated[float, msgspec.Meta(gt=0, le=1)]
    #: A government segment's seats split again by sphere (e.g. municipal 0.5, state 0.3,
    #: federal 0.2); the shares must sum to 1.
    spheres: dict[GovernmentSphere, Share] = msgspec.field(default_factory=dict)


class FreeConference(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    min_participants: Count = 1000
    base_seats: Count = 10
    step: Annotated[int, msgspec.Meta(gt=0)] = 500
    seats_per_step: Count = 3
    max_seats: Count | None = None


class ParticipantFormula(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Seats an assembly of one kind earns from its participants, when no allocation names them.

    With ``share`` set: ``floor(share × counted participants)``, where participants above
    ``max_participants`` are not counted (culture: 5 % of 25–500 participants). Otherwise:
    ``base_seats`` at ``min_participants`` plus ``seats_per_step`` for every further full ``step``
    (free health conferences: 10 seats at 1,000 participants, 3 more per further 500). Below
    ``min_participants`` no seats; the result is kept within ``minimum`` … ``maximum``.
    ``overall_max`` caps the seats of every assembly of the kind together at the stage above
    (5ª CNSM: free conferences ≤ 160 in all), shared in proportion to what each earned.
    """

    min_participants: Count = 0
    max_participants: Count | None = None
    share: Annotated[float, msgspec.Meta(gt=0, le=1)] | None = None
    base_seats: Count = 0
    step: Annotated[int, msgspec.Meta(gt=0)] = 1
    seats_per_step: Count = 0
    minimum: Count = 0
    maximum: Count | None = None
    overall_max: Count | None = None

    def seats(self, participants: int) -> int:
        if participants < self.min_participants:
            return 0
        if self.share is not None:
            counted = participants
            if self.max_participants is not None:
                counted = min(counted, self.max_participants)
            earned = int(Fraction(str(self.share)) * counted)
        else:
            earned = self.base_seats + self.seats_per_step * (
                (participants - self.min_participants) // self.step
            )
        earned = max(earned, self.minimum)
        return earned if self.maximum is None else min(earned, self.maximum)


class Consolidation(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How the regional and national tiers rank and merge what arrives from below."""

    weighting: Weighting = "participants"
    pairwise_method: PairwiseMethod = "schulze"
    #: Similarity at which duplicates are suggested (the matcher's own default, chosen on the
    #: labelled evaluation set) and at which the automatic policy merges.
    suggest_threshold: Share = DEFAULT_THRESHOLD
    auto_merge_threshold: Share = 0.75


class Band(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Units whose basis value is at most ``up_to`` (no limit when absent) get ``seats``."""

    up_to: Annotated[int, msgspec.Meta(gt=0)] | None = None
    seats: Count


class ExOfficio(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Members a stage seats by office, not by election (CNAS's council members *natos*): they
    are added to the apportioned seats, in ``segment`` when given. The stage's plenary desk
    registers at most ``seats`` of them; they vote and count in the roll like delegates, but
    stand for the next stage's delegation only when ``eligible`` (a member by office holds no
    mandate from below to carry further)."""

    id: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_-]{1,32}$")]
    title_pt: str
    seats: Annotated[int, msgspec.Meta(gt=0)]
    segment: str | None = None
    eligible: bool = False


class Apportionment(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How one stage's delegate seats are shared among the units below it (``[seats.<stage>]``).

    ``total`` is the house size (an allocation request may name another); ``bands`` and ``fixed``
    give each unit its seats directly. ``census`` names the population (UF figures of that
    census); ``weights`` mix indicators for ``basis = "mix"`` (each unit's weighted share of the
    totals); ``table`` gives each unit's value for ``basis = "table"``. ``minimum`` and
    ``maximum`` bound every unit; ``ex_officio`` seats are added on top.
    """

    method: ApportionmentMethod = "hamilton"
    basis: SeatBasis = "population"
    total: Count | None = None
    census: Census = "2022"
    weights: dict[Indicator, Share] = msgspec.field(default_factory=dict)
    table: dict[str, Count] = msgspec.field(default_factory=dict)
    minimum: Count = 0
    maximum: Count | None = None
    bands: list[Band] = msgspec.field(default_factory=list)
    fixed: dict[str, Count] = msgspec.field(default_factory=dict)
    ex_officio: list[ExOfficio] = msgspec.field(default_factory=list)
    #: Participant-based formulas of this stage by kind of unit (``[seats.<stage>.formulas.
    #: <kind>]``): a unit of that kind (a free or digital conference reporting to this stage, a
    #: state conference at the national one…) earns its seats from its participants; the others
    #: share what is left by the method. They replace ``delegates.formulas`` of the same kind at
    #: this stage.
    formulas: dict[str, ParticipantFormula] = msgspec.field(default_factory=dict)
    #: Split each unit's seats by the cycle's segment shares (false: one pool of seats).
    split_by_segment: bool = True

    def formula(self, rules: CycleRules, kind: str) -> ParticipantFormula | None:
        """The formula seating a unit of ``kind`` at this stage: the stage's own, else the
        cycle's ``delegates.formulas`` (and the free-conference rule)."""
        if not kind:
            return None
        found = self.formulas.get(kind)
        return found if found is not None else rules.delegates.formula(kind)


class Delegates(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    segments: list[Segment]
    #: Segment that must hold at least its exact share (health: users hold half).
    parity_segment: str | None = None
    min_women: Share = 0.5
    quota_groups: list[str] = msgspec.field(default_factory=list)
    min_quota: Share = 0.0
    alternates_per_segment: Count = 2
    free_conference: FreeConference = msgspec.field(default_factory=FreeConference)
    #: Participant-based seat formulas by assembly kind (``[delegates.formulas.<kind>]``); a
    #: free conference without one uses ``free_conference``.
    formulas: dict[str, ParticipantFormula] = msgspec.field(default_factory=dict)

    def formula(self, kind: str) -> ParticipantFormula | None:
        """The seat formula of an assembly kind, if the cycle has one."""
        if kind in self.formulas:
            return self.formulas[kind]
        if kind == "free":
            rule = self.free_conference
            return ParticipantFormula(
                min_participants=rule.min_participants,
                base_seats=rule.base_seats,
                step=rule.step,
                seats_per_step=rule.seats_per_step,
                maximum=rule.max_seats,
            )
        return None

    def segment_shares(self) -> dict[str, Fraction]:
        """Exact shares (TOML floats such as 0.25, limited to sane fractions)."""
        return {s.id: Fraction(s.share).limit_denominator(1000) for s in self.segments}


#: What a lottery may balance: the participants' self-declared attributes (IBGE vocabulary,
#: ``shared.core.participants``), each with the values a volunteer can have.
LotteryFeature = Literal[
    "gender", "race_colour", "age_band", "disability", "lgbtqia", "traditional"
]
LotteryMethodName = Literal["leximin", "maximin", "nash", "legacy"]


class LotteryQuota(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Between ``min_share`` and ``max_share`` of the drawn seats have ``value`` for ``feature``
    (shares, so one rule fits assemblies of any size: the bounds are rounded outwards)."""

    feature: LotteryFeature
    value: str
    min_share: Share = 0.0
    max_share: Share = 1.0


class Lottery(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Part of each local assembly's delegation drawn by civic lottery (sorteio) among
    volunteers, the rest elected. ``seats`` of ``segment``'s titular seats are drawn (fewer
    when the assembly has fewer); the election fills the others.

    The seed is verifiable: the organiser commits to a secret (its SHA-256 is published) before
    the pool closes and reveals it after; the seed mixes the secret with the closed pool's
    digest and, when the cycle names a public source (``public_source``, e.g. a federal lottery
    draw on a given date), the value that source published — so nobody, the organiser
    included, can choose the panel."""

    segment: str
    seats: Annotated[int, msgspec.Meta(ge=1)]
    method: LotteryMethodName = "maximin"
    quotas: list[LotteryQuota] = msgspec.field(default_factory=list)
    public_source: str = ""


class WorkingGroups(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Working groups of a local assembly (``[working_groups]``): ``per_axis`` groups on each of
    the cycle's axes, each taking at most ``per_segment[segment]`` participants of each segment
    (a conference's "4/4/2": ``per_segment = { users = 4, workers = 4, managers = 2 }``). Every
    segment of the cycle is named (0 keeps a segment out of the groups); a participant sits in
    one group at a time."""

    per_segment: dict[str, Count]
    per_axis: Annotated[int, msgspec.Meta(ge=1, le=100)] = 1

    def places(self, segment: str) -> int:
        """How many participants of ``segment`` one group takes."""
        return self.per_segment.get(segment, 0)


class Window(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    opens: datetime
    closes: datetime


class Calendar(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    local: Window | None = None
    regional: Window | None = None
    national: Window | None = None


class EquityRules(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The population's shares the representation pages compare the tables with (e.g.
    ``population = { gender = { woman = 0.515 }, group = { black = 0.555 } }``), and where
    those figures come from."""

    population: dict[str, dict[str, Share]] = msgspec.field(default_factory=dict)
    source: str = ""


class CycleRules(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One conference edition: its axes and every rule of docs/spec.md §4."""

    cycle_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    title: str
    sector: str = ""
    axes: list[Axis]
    routing: Routing = msgspec.field(default_factory=Routing)
    #: Caps per assembly kind (``municipal``, ``free``, ``state``…); a missing kind is uncapped.
    caps: dict[str, Caps] = msgspec.field(default_factory=dict)
    late: LatePolicy = msgspec.field(default_factory=LatePolicy)
    decision: Decision = msgspec.field(default_factory=Decision)
    priority: Priority = msgspec.field(default_factory=Priority)
    motions: Motions = msgspec.field(default_factory=Motions)
    #: Credentialed voters needed before a vote opens (``[quorum]``); none by default.
    quorum: Quorum | None = None
    delegates: Delegates
    #: Online supports a participant may give in a digital assembly.
    supports_per_participant: Annotated[int, msgspec.Meta(ge=0)] = 3
    calendar: Calendar = msgspec.field(default_factory=Calendar)
    consolidation: Consolidation = msgspec.field(default_factory=Consolidation)
    #: Seat rules per stage (``[seats.state]``, ``[seats.national]``, ``[seats.macro]``).
    seats: dict[Stage, Apportionment] = msgspec.field(default_factory=dict)
    #: Seats drawn by civic lottery at local assemblies (``[lottery]``); none by default.
    lottery: Lottery | None = None
    #: Working groups per axis with places per segment (``[working_groups]``); none by default.
    working_groups: WorkingGroups | None = None
    #: The population's shares, beside which the equity tables are shown (``[equity]``).
    equity: EquityRules = msgspec.field(default_factory=EquityRules)

    def axis(self, axis_id: str) -> Axis:
        for axis in self.axes:
            if axis.id == axis_id:
                return axis
        raise Invalid(f"unknown axis {axis_id!r} in cycle {self.cycle_id}")

    def stage_seats(self, stage: str) -> Apportionment:
        """The seat rule of ``stage`` (the default rule when the cycle sets none)."""
        for name, rule in self.seats.items():
            if name == stage:
                return rule
        return _DEFAULT_APPORTIONMENT

    def segment_ids(self) -> list[str]:
        return [s.id for s in self.delegates.segments]

    def reports_to(self, kind: str) -> ReportStage:
        """The stage a local assembly of ``kind`` reports to: its state unless the cycle's
        ``[routing.reports_to]`` names the national stage for the kind."""
        return "national" if self.routing.reports_to.get(kind) == "national" else "state"

    def forwarded(self, tier: Tier) -> list[Competence]:
        """Competences a conference of ``tier`` sends up (the national stage sends none)."""
        return list(getattr(self.routing, tier)) if tier != "national" else []


_DEFAULT_APPORTIONMENT = Apportionment()


def load_rules(text: str) -> CycleRules:
    """Decode a cycle's TOML; any problem ``shared.core.cycle_check`` finds is :class:`Invalid`,
    its detail and ``problems`` the same lines ``plenaria cycle check`` prints."""
    from shared.core.cycle_check import check_text  # the checks read these Structs

    rules, problems = check_text(text)
    if rules is None or problems:
        lines = [str(p) for p in problems]
        raise Invalid(f"invalid cycle rules: {'; '.join(lines)}", problems=lines)
    return rules


#: Packaged presets, each after a real regimento (see the header of each file).
PRESETS = (
    "health",
    "environment",
    "culture",
    "social-assistance",
    "lgbtqia",
    "transparency",
    "education",
)


def preset_text(name: str) -> str:
    """TOML of a packaged preset (one of :data:`PRESETS`)."""
    if name not in PRESETS:
        raise NotFound(f"no preset {name!r}; known: {', '.join(PRESETS)}")
    return resources.files("shared.core.presets").joinpath(f"{name}.toml").read_text("utf-8")


def preset(name: str) -> CycleRules:
    return load_rules(preset_text(name))
