"""Votes of a simulated plenary: decision counts, priority ballots and delegate-election counts.

Ballots follow support: a proposal many people supported is more often ranked high (a
Plackett–Luce draw weighted by support), so the priority tally agrees with the room's mood
without being a copy of it. Everything is drawn from the caller's seeded generator.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

#: Share of proposals put to a vote that the plenary approves.
APPROVAL_RATE = 0.85
#: How many proposals each priority ballot ranks (at most).
RANKED_PER_BALLOT = 5


def decision_counts(voters: int, rng: random.Random) -> dict[str, int]:
    """Yes/no/abstain counts of one proposal's vote (a clear majority either way, mostly)."""
    approve = rng.random() < APPROVAL_RATE
    yes_share = rng.uniform(0.55, 0.95) if approve else rng.uniform(0.1, 0.45)
    abstain = round(voters * rng.uniform(0.0, 0.08))
    yes = round((voters - abstain) * yes_share)
    return {"yes": yes, "no": voters - abstain - yes, "abstain": abstain}


def priority_ballots(
    candidates: Sequence[str], weights: Sequence[float], ballots: int, rng: random.Random
) -> list[list[str]]:
    """``ballots`` partial rankings of ``candidates`` (best first), drawn by weight.

    One weighted draw with replacement per ballot, duplicates dropped, is a close and much
    faster stand-in for sampling without replacement (two million ballots at Brazil scale).
    """
    depth = min(RANKED_PER_BALLOT, len(candidates))
    cumulative: list[float] = []
    total = 0.0
    for weight in weights:
        total += max(weight, 0.5)
        cumulative.append(total)
    drawn: list[list[str]] = []
    for _ in range(ballots):
        ranking = list(dict.fromkeys(rng.choices(candidates, cum_weights=cumulative, k=depth * 2)))
        drawn.append(ranking[:depth])
    return drawn


def ballot_csv(ballots: Sequence[Sequence[str]]) -> str:
    """The CSV ballot file a secretary uploads: one ballot per line, best first."""
    return "".join(",".join(ballot) + "\n" for ballot in ballots)


def approval_counts(
    candidates: Sequence[str], approvals: int, voters: int, rng: random.Random
) -> list[tuple[list[str], int]]:
    """Delegate election by approval, entered as counts: a few distinct ballots with counts."""
    if not candidates or voters <= 0:
        return []
    picks = max(1, min(approvals, len(candidates)))
    groups = max(1, min(6, voters))
    shares = [rng.random() + 0.2 for _ in range(groups)]
    counts = [max(1, round(voters * s / sum(shares))) for s in shares]
    return [(sorted(rng.sample(list(candidates), picks)), count) for count in counts]
