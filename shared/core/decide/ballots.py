"""Ballots, profiles and the additive pairwise-preference matrix.

A ballot ranks candidates in tie groups, best first. Candidates a ballot does not list rank below
every listed one and tie among themselves (the PrefLib reading of truncated ballots). An approval
ballot is simply a ballot whose listed candidates are the approved ones.

The pairwise matrix counts, for every ordered pair (x, y), the weight of ballots preferring x to y.
Those counts are additive: summing (or weighting) the matrices of several assemblies gives exactly
the matrix of their pooled ballots, which is how a higher tier ranks without ever seeing a ballot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from shared.core.decide.errors import BallotError

TieGroups = tuple[frozenset[str], ...]


@dataclass(frozen=True, slots=True)
class Ballot:
    """One ranking (tie groups, best first) cast ``count`` times."""

    ranking: TieGroups
    count: int = 1

    @classmethod
    def of(cls, *choices: str | Collection[str], count: int = 1) -> Ballot:
        """``Ballot.of("a", {"b", "c"}, "d")``: a above b and c (tied) above d."""
        return cls(tuple(_group(choice) for choice in choices), count)

    @property
    def listed(self) -> frozenset[str]:
        return frozenset().union(*self.ranking)


@dataclass(frozen=True, slots=True)
class Profile:
    """Candidates (their order is the documented tie-break order) and the ballots cast."""

    candidates: tuple[str, ...]
    ballots: tuple[Ballot, ...]

    def __post_init__(self) -> None:
        if len(set(self.candidates)) != len(self.candidates):
            raise BallotError("a candidate is listed twice")
        known = set(self.candidates)
        for number, ballot in enumerate(self.ballots, start=1):
            if isinstance(ballot.count, bool) or not isinstance(ballot.count, int):
                raise BallotError(f"ballot {number}: count must be an integer")
            if ballot.count <= 0:
                raise BallotError(f"ballot {number}: count must be positive, got {ballot.count}")
            seen: set[str] = set()
            for group in ballot.ranking:
                if not group:
                    raise BallotError(f"ballot {number}: empty tie group")
                unknown = group - known
                if unknown:
                    raise BallotError(f"ballot {number}: unknown candidate {sorted(unknown)[0]!r}")
                if group & seen:
                    raise BallotError(
                        f"ballot {number}: candidate {sorted(group & seen)[0]!r} ranked twice"
                    )
                seen |= group

    @classmethod
    def from_rankings(
        cls,
        rankings: Iterable[Sequence[str | Collection[str]]],
        *,
        candidates: Sequence[str] | None = None,
        counts: Sequence[int] | None = None,
    ) -> Profile:
        """Build a profile from plain rankings; candidates default to order of first mention."""
        ballots = [Ballot(tuple(_group(choice) for choice in ranking)) for ranking in rankings]
        if counts is not None:
            if len(counts) != len(ballots):
                raise BallotError("one count per ranking is needed")
            ballots = [Ballot(b.ranking, c) for b, c in zip(ballots, counts, strict=True)]
        if candidates is None:
            order: dict[str, None] = {}
            for ballot in ballots:
                for group in ballot.ranking:
                    order.update(dict.fromkeys(sorted(group)))
            candidates = list(order)
        return cls(tuple(candidates), tuple(ballots))

    @property
    def total(self) -> int:
        """Number of ballots cast (with their counts), including empty ones."""
        return sum(ballot.count for ballot in self.ballots)

    def merged(self) -> Profile:
        """Identical rankings collapsed into one ballot with the summed count (faster tallies)."""
        counter: Counter[TieGroups] = Counter()
        for ballot in self.ballots:
            counter[ballot.ranking] += ballot.count
        return Profile(self.candidates, tuple(Ballot(r, c) for r, c in counter.items()))

    def position(self, candidate: str) -> int:
        return self.candidates.index(candidate)


@dataclass(frozen=True)
class PairwiseMatrix:
    """``preferred[(x, y)]``: weight of ballots ranking x strictly above y (absent = 0).

    Values are exact (``int`` or ``Fraction`` once weights are applied). Matrices add, scale and
    relabel, so a tier can pool its sources' matrices as if it had pooled their ballots.
    """

    candidates: tuple[str, ...]
    preferred: Mapping[tuple[str, str], Fraction] = field(default_factory=dict)

    def __getitem__(self, pair: tuple[str, str]) -> Fraction:
        return self.preferred.get(pair, Fraction(0))

    def margin(self, x: str, y: str) -> Fraction:
        return self[x, y] - self[y, x]

    def __add__(self, other: PairwiseMatrix) -> PairwiseMatrix:
        order = dict.fromkeys(self.candidates) | dict.fromkeys(other.candidates)
        summed: dict[tuple[str, str], Fraction] = dict(self.preferred)
        for pair, value in other.preferred.items():
            summed[pair] = summed.get(pair, Fraction(0)) + value
        return PairwiseMatrix(tuple(order), summed)

    def scaled(self, weight: Fraction | int) -> PairwiseMatrix:
        if weight < 0:
            raise BallotError("a pairwise matrix cannot be given a negative weight")
        weight = Fraction(weight)
        return PairwiseMatrix(self.candidates, {p: v * weight for p, v in self.preferred.items()})

    def relabelled(self, mapping: Mapping[str, str]) -> PairwiseMatrix:
        """Rename candidates (e.g. source proposal → consolidated item). Counts of candidates that
        land on the same item are summed; counts between two of them are dropped (an item is not
        preferred to itself). Candidates missing from ``mapping`` keep their name."""
        order = dict.fromkeys(mapping.get(c, c) for c in self.candidates)
        summed: dict[tuple[str, str], Fraction] = {}
        for (x, y), value in self.preferred.items():
            new = (mapping.get(x, x), mapping.get(y, y))
            if new[0] != new[1]:
                summed[new] = summed.get(new, Fraction(0)) + value
        return PairwiseMatrix(tuple(order), summed)

    def to_json(self) -> dict[str, object]:
        """``{"candidates": [...], "preferred": {x: {y: n}}}``; a non-integer n is the string "p/q"."""
        nested: dict[str, dict[str, int | str]] = {}
        for (x, y), value in sorted(self.preferred.items()):
            if value:
                nested.setdefault(x, {})[y] = (
                    value.numerator if value.denominator == 1 else str(value)
                )
        return {"candidates": list(self.candidates), "preferred": nested}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> PairwiseMatrix:
        candidates = data.get("candidates")
        nested = data.get("preferred")
        if not isinstance(candidates, list) or not isinstance(nested, Mapping):
            raise BallotError("a pairwise matrix needs 'candidates' (list) and 'preferred' (map)")
        preferred: dict[tuple[str, str], Fraction] = {}
        for x, row in nested.items():
            if not isinstance(row, Mapping):
                raise BallotError(f"pairwise row {x!r} is not a map")
            for y, value in row.items():
                if x not in candidates or y not in candidates:
                    raise BallotError(f"pairwise count for unknown pair ({x!r}, {y!r})")
                number = Fraction(value)
                if number < 0:
                    raise BallotError(f"negative pairwise count for ({x!r}, {y!r})")
                preferred[str(x), str(y)] = number
        return cls(tuple(str(c) for c in candidates), preferred)


def pairwise_matrix(profile: Profile) -> PairwiseMatrix:
    """How many ballots preferred x to y, for every ordered pair of candidates."""
    counts: dict[tuple[str, str], int] = {}
    candidates = profile.candidates
    for ballot in profile.merged().ballots:
        unlisted = [c for c in candidates if c not in ballot.listed]
        above: list[str] = []
        for group in ballot.ranking:
            for x in above:
                for y in group:
                    counts[x, y] = counts.get((x, y), 0) + ballot.count
            above.extend(group)
        for x in above:
            for y in unlisted:
                counts[x, y] = counts.get((x, y), 0) + ballot.count
    return PairwiseMatrix(candidates, {pair: Fraction(n) for pair, n in counts.items()})


def _group(choice: str | Collection[str]) -> frozenset[str]:
    return frozenset((choice,)) if isinstance(choice, str) else frozenset(choice)
