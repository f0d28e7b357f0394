"""Delegations: split a unit's seats by segment, elect within gender and quota-group rules, and the
free conferences' seat formula.

Remainder rule for segment splits (documented): seats are split by largest remainder on the
segment shares, ties going to the segment listed first. With a ``parity_segment`` (health's users,
who must hold half the seats) that segment first gets the ceiling of its exact share, and the other
segments split the rest by largest remainder — so parity can never be broken by rounding:
100 → 50/25/25, 564 → 282/141/141, 101 → 51/25/25, 103 → 52/26/25.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from shared.core.decide.errors import DelegationError

Share = Fraction | int


def split_by_segment(
    seats: int, shares: Mapping[str, Share], *, parity_segment: str | None = None
) -> dict[str, int]:
    """Seats per segment, in the order of ``shares``; the totals always add up to ``seats``."""
    if seats < 0:
        raise DelegationError(f"seats must be non-negative, got {seats}")
    exact = _normalised(shares)
    if parity_segment is None:
        return _largest_remainder(seats, exact)
    if parity_segment not in exact:
        raise DelegationError(f"parity segment {parity_segment!r} has no share")
    held = math.ceil(seats * exact[parity_segment])
    others = {s: v for s, v in exact.items() if s != parity_segment}
    rest = _largest_remainder(seats - held, _normalised(others)) if others else {}
    return {s: held if s == parity_segment else rest[s] for s in exact}


def exact_split_total(seats: int, shares: Mapping[str, Share]) -> int:
    """Smallest total ≥ ``seats`` that the shares split with no remainder (e.g. a multiple of 4
    for 50/25/25), for cycles whose rules round delegations up instead of using the remainder rule."""
    step = math.lcm(*(share.denominator for share in _normalised(shares).values()))
    return -(-seats // step) * step


@dataclass(frozen=True, slots=True)
class FreeConferenceRule:
    """A free conference with at least ``min_participants`` gets ``base_seats`` plus
    ``seats_per_step`` for every further full ``step`` participants (capped by ``max_seats``)."""

    min_participants: int = 1000
    base_seats: int = 10
    step: int = 500
    seats_per_step: int = 3
    max_seats: int | None = None


def free_conference_seats(participants: int, rule: FreeConferenceRule | None = None) -> int:
    """Seats a free (livre) conference earns, e.g. 1,000 → 10, 1,499 → 10, 1,500 → 13."""
    rule = rule or FreeConferenceRule()
    if participants < 0:
        raise DelegationError(f"participants must be non-negative, got {participants}")
    if rule.step <= 0:
        raise DelegationError("the participant step must be positive")
    if participants < rule.min_participants:
        return 0
    seats = rule.base_seats + rule.seats_per_step * (
        (participants - rule.min_participants) // rule.step
    )
    return seats if rule.max_seats is None else min(seats, rule.max_seats)


# --- composition rules --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person standing (or elected) as delegate; ``groups`` are self-declared quota groups."""

    id: str
    segment: str
    woman: bool
    groups: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CompositionRule:
    """At least ``min_women`` of each segment's delegates are women and at least ``min_quota`` come
    from ``quota_groups`` (any of them); both rounded up."""

    min_women: Fraction = Fraction(1, 2)
    quota_groups: frozenset[str] = frozenset()
    min_quota: Fraction = Fraction(0)

    def in_quota(self, candidate: Candidate) -> bool:
        return bool(candidate.groups & self.quota_groups)


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule checked for one segment, with the reason when it is relaxed or broken."""

    rule: str  # "gender" or "quota"
    segment: str
    required: int
    actual: int
    satisfied: bool
    explanation: str


@dataclass(frozen=True, slots=True)
class DelegationResult:
    titulars: dict[str, list[Candidate]]
    alternates: dict[str, list[Candidate]]  # in ranked order
    findings: list[Finding]


def check_composition(
    delegates: Sequence[Candidate],
    seats: Mapping[str, int],
    rule: CompositionRule,
    *,
    pool: Sequence[Candidate] | None = None,
) -> list[Finding]:
    """Check each segment's delegates; with the ``pool`` of candidates, a requirement that not
    enough candidates could meet is relaxed to what the pool allows ("where possible") and says so."""
    findings: list[Finding] = []
    for segment, size in seats.items():
        chosen = [d for d in delegates if d.segment == segment]
        standing = [c for c in pool if c.segment == segment] if pool is not None else None
        findings.append(
            _finding("gender", segment, size, rule.min_women, chosen, standing, lambda c: c.woman)
        )
        if rule.quota_groups and rule.min_quota:
            findings.append(
                _finding("quota", segment, size, rule.min_quota, chosen, standing, rule.in_quota)
            )
    return findings


def elect_delegation(
    ranked: Sequence[Candidate], seats: Mapping[str, int], rule: CompositionRule
) -> DelegationResult:
    """Elect titulars per segment in ranked order (best first), passing over a candidate only when
    taking them would make the gender or quota rule impossible to meet with those still
    available; everyone not elected becomes an alternate in ranked order. Requirements the
    candidates cannot meet are lowered to what they can (the gender rule before quota groups),
    and the findings say so."""
    titulars: dict[str, list[Candidate]] = {}
    alternates: dict[str, list[Candidate]] = {}
    findings: list[Finding] = []
    for segment, size in seats.items():
        standing = [c for c in ranked if c.segment == segment]
        women_required = _at_least(rule.min_women, size)
        quota_required = _at_least(rule.min_quota, size) if rule.quota_groups else 0
        women_available = sum(c.woman for c in standing)
        quota_available = sum(map(rule.in_quota, standing))
        women_needed = min(women_required, women_available)
        quota_needed = min(quota_required, quota_available)
        while quota_needed and not _can_still_meet(
            standing, size, women_needed, quota_needed, rule
        ):
            quota_needed -= 1
        while women_needed and not _can_still_meet(standing, size, women_needed, 0, rule):
            women_needed -= 1
        chosen: list[Candidate] = []
        passed: list[Candidate] = []
        for index, person in enumerate(standing):
            if len(chosen) == size:
                passed.extend(standing[index:])
                break
            women = max(0, women_needed - sum(c.woman for c in chosen) - person.woman)
            quota = max(0, quota_needed - sum(map(rule.in_quota, chosen)) - rule.in_quota(person))
            if _can_still_meet(standing[index + 1 :], size - len(chosen) - 1, women, quota, rule):
                chosen.append(person)
            else:
                passed.append(person)
        titulars[segment] = chosen
        alternates[segment] = passed
        findings.append(
            _election_finding(
                "gender", segment, size, women_required, women_needed, women_available,
                sum(c.woman for c in chosen),
            )
        )  # fmt: skip
        if rule.quota_groups:
            findings.append(
                _election_finding(
                    "quota", segment, size, quota_required, quota_needed, quota_available,
                    sum(map(rule.in_quota, chosen)),
                )
            )  # fmt: skip
        if len(chosen) < size:
            findings.append(
                Finding(
                    "seats",
                    segment,
                    size,
                    len(chosen),
                    False,
                    f"{segment}: {size} seats but only {len(chosen)} candidates",
                )
            )
    return DelegationResult(titulars, alternates, findings)


def _election_finding(
    rule_name: str,
    segment: str,
    size: int,
    required: int,
    target: int,
    available: int,
    actual: int,
) -> Finding:
    what = "women" if rule_name == "gender" else "delegates from quota groups"
    if actual >= required:
        reason = f"{segment}: {actual} {what}, {required} required"
    elif target == available:
        reason = (
            f"{segment}: {required} {what} required but only {available} stood; "
            f"the rule is met as far as possible"
        )
    else:
        reason = (
            f"{segment}: {required} {what} required, lowered to {target}: with {size} seats the "
            f"gender and quota rules cannot both be met and the gender rule comes first"
        )
    return Finding(rule_name, segment, required, actual, actual >= target, reason)


def _can_still_meet(
    later: Sequence[Candidate], seats_left: int, women: int, quota: int, rule: CompositionRule
) -> bool:
    both = sum(1 for c in later if c.woman and rule.in_quota(c))
    women_only = sum(1 for c in later if c.woman and not rule.in_quota(c))
    quota_only = sum(1 for c in later if rule.in_quota(c) and not c.woman)
    overlap = min(both, women, quota)
    needed = overlap + (women - overlap) + (quota - overlap)
    return (
        women - overlap <= women_only + (both - overlap)
        and quota - overlap <= quota_only + (both - overlap)
        and needed <= seats_left
    )


def _finding(
    rule_name: str,
    segment: str,
    size: int,
    share: Fraction,
    chosen: Sequence[Candidate],
    standing: Sequence[Candidate] | None,
    test: Callable[[Candidate], bool],
) -> Finding:
    required = _at_least(share, size)
    actual = sum(1 for c in chosen if test(c))
    what = "women" if rule_name == "gender" else "delegates from quota groups"
    if actual >= required:
        return Finding(
            rule_name,
            segment,
            required,
            actual,
            True,
            f"{segment}: {actual} {what}, {required} required",
        )
    if standing is not None:
        available = sum(1 for c in standing if test(c))
        if actual >= available:
            return Finding(
                rule_name,
                segment,
                required,
                actual,
                True,
                f"{segment}: {required} {what} required but only {available} stood; "
                f"the rule is met as far as possible",
            )
    return Finding(
        rule_name,
        segment,
        required,
        actual,
        False,
        f"{segment}: {actual} {what} elected, {required} required ({share} of {size} seats)",
    )


def _at_least(share: Fraction, size: int) -> int:
    return math.ceil(share * size)


def _normalised(shares: Mapping[str, Share]) -> dict[str, Fraction]:
    if not shares:
        raise DelegationError("at least one segment share is needed")
    if any(Fraction(v) < 0 for v in shares.values()):
        raise DelegationError("segment shares cannot be negative")
    total = sum((Fraction(v) for v in shares.values()), Fraction(0))
    if total <= 0:
        raise DelegationError("segment shares must add up to more than zero")
    return {segment: Fraction(value) / total for segment, value in shares.items()}


def _largest_remainder(seats: int, shares: Mapping[str, Fraction]) -> dict[str, int]:
    names = list(shares)
    quotas = [seats * shares[n] for n in names]
    floors = [math.floor(q) for q in quotas]
    order = sorted(range(len(names)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for index in order[: seats - sum(floors)]:
        floors[index] += 1
    return dict(zip(names, floors, strict=True))


__all__ = [
    "Candidate",
    "CompositionRule",
    "DelegationResult",
    "Finding",
    "FreeConferenceRule",
    "check_composition",
    "elect_delegation",
    "exact_split_total",
    "free_conference_seats",
    "split_by_segment",
]
