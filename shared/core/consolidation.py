"""Pure rules of consolidation at the regional and national tiers (no I/O).

A tier's consolidation rules per cycle — how sources are weighted when ranking, how many items go
up per competence, how seats are apportioned below, when the automatic policy merges — and the
checks a council answer must pass before it flows down.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Annotated, Literal, TypeVar

import msgspec

from shared.core.cycle import CycleRules
from shared.core.errors import Invalid

Weighting = Literal["participants", "population", "assembly"]
Basis = Literal["population", "participants"]
ApportionmentName = Literal["hamilton", "dhondt", "sainte-lague", "huntington-hill"]
PairwiseMethod = Literal["schulze", "copeland", "ranked-pairs", "borda"]
Decision = Literal["adopted", "adopted_in_part", "under_study", "rejected"]
Share = Annotated[float, msgspec.Meta(gt=0, le=1)]
Count = Annotated[int, msgspec.Meta(ge=0)]
Threshold = Annotated[float, msgspec.Meta(ge=0, le=1)]

#: Competences each tier forwards up (docs/spec.md §4, competence routing).
DEFAULT_FORWARD: dict[str, list[str]] = {"regional": ["national"], "national": []}


class Apportionment(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How this tier's seats for the next tier are shared among the units below it."""

    method: ApportionmentName = "hamilton"
    basis: Basis = "population"
    minimum: Count = 0
    maximum: Count | None = None


class ConsolidationRules(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One tier's consolidation rules for one cycle (every number is a setting)."""

    #: Weight of a source when ranking: its participants, its population, or one per assembly.
    weighting: Weighting = "participants"
    pairwise_method: PairwiseMethod = "schulze"
    #: Competences this tier forwards; None = the default routing for the tier.
    forward: list[str] | None = None
    #: Items forwarded per competence (``None`` = uncapped), per axis when ``caps_per_axis``.
    caps: dict[str, Count] = msgspec.field(default_factory=lambda: {"national": 20})
    caps_per_axis: bool = True
    #: Similarity at which duplicates are suggested, and at which the automatic policy merges.
    suggest_threshold: Threshold = 0.5
    auto_merge_threshold: Threshold = 0.75
    apportionment: Apportionment = msgspec.field(default_factory=Apportionment)
    segments: dict[str, Share] = msgspec.field(
        default_factory=lambda: {"users": 0.5, "workers": 0.25, "managers": 0.25}
    )
    parity_segment: str | None = "users"

    def __post_init__(self) -> None:
        if not self.segments:
            raise msgspec.ValidationError("segments must not be empty")
        if self.parity_segment is not None and self.parity_segment not in self.segments:
            raise msgspec.ValidationError("parity_segment must be one of the segments")

    def forwarded(self, tier: str) -> list[str]:
        return list(self.forward) if self.forward is not None else DEFAULT_FORWARD.get(tier, [])

    def segment_shares(self) -> dict[str, Fraction]:
        """Exact shares (floats such as 0.25 come from TOML/JSON; limit them to sane fractions)."""
        return {k: Fraction(v).limit_denominator(1000) for k, v in self.segments.items()}


def source_weight(weighting: Weighting, *, participants: int, population: int) -> int:
    """Weight of one source report; an unknown (zero) count weighs 1 so no source vanishes."""
    if weighting == "assembly":
        return 1
    value = participants if weighting == "participants" else population
    return max(value, 1)


def pairwise_weight(weighting: Weighting, *, participants: int, population: int) -> Fraction:
    """Multiplier of a source's pairwise counts, which already count one per participant."""
    voters = max(participants, 1)
    if weighting == "participants":
        return Fraction(1)
    if weighting == "assembly":
        return Fraction(1, voters)
    return Fraction(max(population, 1), voters)


Ranked = TypeVar("Ranked")


def apply_caps(
    ranked: Sequence[tuple[str, str, Ranked]],
    caps: dict[str, int],
    *,
    per_axis: bool,
) -> list[tuple[str, str, Ranked]]:
    """Keep the best items per competence (and axis): ``ranked`` is ``(axis, competence, x)``
    in rank order; uncapped competences keep everything."""
    taken: dict[tuple[str, str], int] = {}
    kept = []
    for axis, competence, value in ranked:
        cap = caps.get(competence)
        key = (axis if per_axis else "", competence)
        if cap is not None and taken.get(key, 0) >= cap:
            continue
        taken[key] = taken.get(key, 0) + 1
        kept.append((axis, competence, value))
    return kept


def check_answer(decision: Decision, justification: str, milestones: Iterable[int]) -> None:
    """A council answer must justify anything short of adoption; progress is a percentage."""
    if decision != "adopted" and not justification.strip():
        raise Invalid("a justification is required unless the item is adopted")
    for progress in milestones:
        if not 0 <= progress <= 100:
            raise Invalid(f"milestone progress must be within 0..100, got {progress}")


def check_partition(whole: set[str], parts: Sequence[Sequence[str]]) -> None:
    """A split must share out every source of an item exactly once, in two or more parts."""
    if len(parts) < 2 or any(not part for part in parts):
        raise Invalid("a split needs at least two non-empty groups of sources")
    flat = [source for part in parts for source in part]
    if len(set(flat)) != len(flat):
        raise Invalid("a source appears in two groups")
    if set(flat) != whole:
        missing = sorted(whole - set(flat))
        extra = sorted(set(flat) - whole)
        raise Invalid(
            "the groups must cover exactly the item's sources", missing=missing, extra=extra
        )


def rules_from_cycle(cycle: CycleRules, tier: str) -> ConsolidationRules:
    """A tier's consolidation defaults from the announced cycle: competence routing, the caps of
    a state (regional) or national assembly, and the delegate segments with their parity."""
    caps = cycle.caps.get("state" if tier == "regional" else "national")
    limits = {
        competence: limit
        for competence in ("municipal", "state", "national")
        if caps is not None and (limit := caps.limit(competence)) is not None
    }
    return ConsolidationRules(
        forward=[str(c) for c in cycle.forwarded("regional")] if tier == "regional" else [],
        caps=limits,
        caps_per_axis=caps.per_axis if caps is not None else False,
        segments={s.id: s.share for s in cycle.delegates.segments},
        parity_segment=cycle.delegates.parity_segment,
    )
