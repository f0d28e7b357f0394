"""Cross-tier ranking of consolidated items from what their sources reported.

Two transparent ways, both pure:

- ``weighted_borda``: every source list (one assembly's ranked proposals for an axis) gives an item
  ``size − rank + 1`` points (the last item it forwarded still beats everything it did not),
  times the source's weight (population, participants, 1 per assembly — the cycle's rule). When
  several of one origin's proposals were merged into the same item only the best-ranked counts, so
  merging never inflates an origin. The per-source breakdown and the count of distinct origins are
  returned with each score; ties on score go to more distinct origins, then to the item id.
- ``rank_by_pairwise``: sum the sources' pairwise matrices (each times its weight, after relabelling
  source proposals to consolidated items) and rank the sum with Schulze, Copeland, ranked pairs or
  Borda — exactly as if all their ballots had been pooled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from shared.core.decide.ballots import PairwiseMatrix
from shared.core.decide.errors import BallotError
from shared.core.decide.tally import TallyMethod, TallyResult, rank_matrix


@dataclass(frozen=True, slots=True)
class SourceRank:
    """One source's rank for a consolidated item: ``rank`` (1 = best) in a list of ``size``."""

    item: str
    origin: str
    rank: int
    size: int
    weight: Fraction | int = 1


@dataclass(frozen=True, slots=True)
class Contribution:
    origin: str
    rank: int
    size: int
    weight: Fraction
    points: Fraction


@dataclass(frozen=True, slots=True)
class ItemScore:
    item: str
    score: Fraction
    origins: int
    breakdown: tuple[Contribution, ...]


def weighted_borda(sources: Sequence[SourceRank]) -> list[ItemScore]:
    """Items with their weighted Borda score and breakdown, best first."""
    best: dict[tuple[str, str], SourceRank] = {}
    for source in sources:
        if source.size < 1 or not 1 <= source.rank <= source.size:
            raise BallotError(
                f"item {source.item!r} from {source.origin!r}: rank {source.rank} "
                f"is outside 1..{source.size}"
            )
        if source.weight < 0:
            raise BallotError(f"origin {source.origin!r} has a negative weight")
        key = (source.item, source.origin)
        if key not in best or source.rank < best[key].rank:
            best[key] = source
    contributions: dict[str, list[Contribution]] = {}
    for (item, origin), source in sorted(best.items()):
        weight = Fraction(source.weight)
        points = (source.size - source.rank + 1) * weight
        contributions.setdefault(item, []).append(
            Contribution(origin, source.rank, source.size, weight, points)
        )
    scores = [
        ItemScore(item, sum((c.points for c in parts), Fraction(0)), len(parts), tuple(parts))
        for item, parts in contributions.items()
    ]
    scores.sort(key=lambda s: (-s.score, -s.origins, s.item))
    return scores


def weighted_pairwise_sum(
    sources: Sequence[tuple[PairwiseMatrix, Fraction | int]],
    relabel: Mapping[str, str] | None = None,
) -> PairwiseMatrix:
    """Σ weight × matrix, after renaming source candidates through ``relabel``."""
    total = PairwiseMatrix(())
    for matrix, weight in sources:
        scaled = matrix.scaled(weight)
        total = total + (scaled.relabelled(relabel) if relabel else scaled)
    return total


def rank_by_pairwise(
    sources: Sequence[tuple[PairwiseMatrix, Fraction | int]],
    method: TallyMethod | str = TallyMethod.SCHULZE,
    *,
    relabel: Mapping[str, str] | None = None,
    seats: int = 1,
    tie_break: Sequence[str] | None = None,
) -> TallyResult:
    """Rank consolidated items on the weighted sum of their sources' pairwise matrices."""
    summed = weighted_pairwise_sum(sources, relabel)
    order = list(tie_break) if tie_break is not None else sorted(summed.candidates)
    return rank_matrix(summed, method, seats=seats, tie_break=order)
