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
ApportionmentMethod = Literal["hamilton", "dhondt", "sainte-lague", "huntington-hill"]
SeatBasis = Literal["population", "participants"]

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
    """An assembly closed after its deadline: its report is kept, flagged and trimmed."""

    max_per_axis: Count = 4
    elects_delegates: bool = False


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
    """Signatures needed: ``share`` of credentialed participants, or ``absolute`` if set."""

    signature_share: Share = 0.2
    signature_absolute: Count | None = None
    majority: Share = 0.5


class Segment(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_-]{1,32}$")]
    title_pt: str
    share: Annotated[float, msgspec.Meta(gt=0, le=1)]


class FreeConference(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    min_participants: Count = 1000
    base_seats: Count = 10
    step: Annotated[int, msgspec.Meta(gt=0)] = 500
    seats_per_step: Count = 3
    max_seats: Count | None = None


class Consolidation(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How the regional and national tiers rank and merge what arrives from below."""

    weighting: Weighting = "participants"
    pairwise_method: PairwiseMethod = "schulze"
    #: Similarity at which duplicates are suggested (the matcher's own default, chosen on the
    #: labelled evaluation set) and at which the automatic policy merges.
    suggest_threshold: Share = DEFAULT_THRESHOLD
    auto_merge_threshold: Share = 0.75


class Apportionment(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How one stage's delegate seats are shared among the units below it."""

    method: ApportionmentMethod = "hamilton"
    basis: SeatBasis = "population"
    minimum: Count = 0
    maximum: Count | None = None


class Seats(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Seat rules per stage, named by the conference whose seats they are: ``state`` seats are
    shared among a state's assemblies, ``national`` seats among the states."""

    state: Apportionment = msgspec.field(default_factory=Apportionment)
    national: Apportionment = msgspec.field(default_factory=Apportionment)


class Delegates(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    segments: list[Segment]
    #: Segment that must hold at least its exact share (health: users hold half).
    parity_segment: str | None = None
    min_women: Share = 0.5
    quota_groups: list[str] = msgspec.field(default_factory=list)
    min_quota: Share = 0.0
    alternates_per_segment: Count = 2
    free_conference: FreeConference = msgspec.field(default_factory=FreeConference)

    def segment_shares(self) -> dict[str, Fraction]:
        """Exact shares (TOML floats such as 0.25, limited to sane fractions)."""
        return {s.id: Fraction(s.share).limit_denominator(1000) for s in self.segments}


class Window(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    opens: datetime
    closes: datetime


class Calendar(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    local: Window | None = None
    regional: Window | None = None
    national: Window | None = None


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
    delegates: Delegates
    #: Online supports a participant may give in a digital assembly.
    supports_per_participant: Annotated[int, msgspec.Meta(ge=0)] = 3
    calendar: Calendar = msgspec.field(default_factory=Calendar)
    consolidation: Consolidation = msgspec.field(default_factory=Consolidation)
    seats: Seats = msgspec.field(default_factory=Seats)

    def __post_init__(self) -> None:
        ids = [axis.id for axis in self.axes]
        if not ids or len(set(ids)) != len(ids):
            raise msgspec.ValidationError("axes must be non-empty with distinct ids")
        segments = [s.id for s in self.delegates.segments]
        if not segments or len(set(segments)) != len(segments):
            raise msgspec.ValidationError("segments must be non-empty with distinct ids")
        if self.delegates.parity_segment not in (None, *segments):
            raise msgspec.ValidationError("parity_segment must be one of the segments")
        bands = self.decision.bands
        if bands is not None and bands.lower > bands.upper:
            raise msgspec.ValidationError("the lower band cannot exceed the upper band")

    def axis(self, axis_id: str) -> Axis:
        for axis in self.axes:
            if axis.id == axis_id:
                return axis
        raise Invalid(f"unknown axis {axis_id!r} in cycle {self.cycle_id}")

    def segment_ids(self) -> list[str]:
        return [s.id for s in self.delegates.segments]

    def forwarded(self, tier: Tier) -> list[Competence]:
        """Competences a conference of ``tier`` sends up (the national stage sends none)."""
        return list(getattr(self.routing, tier)) if tier != "national" else []


def load_rules(text: str) -> CycleRules:
    """Decode a cycle's TOML; any structural or rule error is :class:`Invalid`."""
    try:
        return msgspec.toml.decode(text.encode(), type=CycleRules)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise Invalid(f"invalid cycle rules: {exc}") from exc


PRESETS = ("health", "environment")


def preset_text(name: str) -> str:
    """TOML of a packaged preset (``health``, ``environment``)."""
    if name not in PRESETS:
        raise NotFound(f"no preset {name!r}; known: {', '.join(PRESETS)}")
    return resources.files("shared.core.presets").joinpath(f"{name}.toml").read_text("utf-8")


def preset(name: str) -> CycleRules:
    return load_rules(preset_text(name))
