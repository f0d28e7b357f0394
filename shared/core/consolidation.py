"""Pure rules of consolidation at the regional and national tiers (no I/O): how a source's
report weighs when items are ranked (the cycle's ``[consolidation] weighting``), and the checks
a split and a council answer must pass."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from fractions import Fraction

from shared.core.cycle import Weighting
from shared.core.errors import Invalid
from shared.core.vocabulary import CouncilDecision


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


def check_answer(
    decision: CouncilDecision, justification: str, milestones: Iterable[tuple[str, str, int]]
) -> None:
    """A council answer must justify anything short of adoption; each milestone ``(title, due,
    progress)`` has a title, a real date (``YYYY-MM-DD``) or none, and a percentage."""
    if decision != "adopted" and not justification.strip():
        raise Invalid("a justification is required unless the item is adopted")
    for n, (title, due, progress) in enumerate(milestones, start=1):
        if not title.strip():
            raise Invalid(f"milestone {n} needs a title")
        if due:
            try:
                date.fromisoformat(due)
            except ValueError:
                raise Invalid(
                    f"milestone {n}: due must be a date like 2027-06-30, got {due!r}"
                ) from None
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
