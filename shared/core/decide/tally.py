"""Poll tallies: plurality, approval, Borda, Copeland, Schulze, ranked pairs, IRV and STV.

Every result is exact (``Fraction``) and deterministic. Documented conventions:

- Candidate order (the profile's ``candidates``) is the tie-break order wherever a rule needs one
  and lists candidates inside a tie group; pass a drawn order as ``tie_break`` to replace it.
- A ballot that ties several candidates at its top gives each an equal share (plurality, IRV, STV).
- Borda, Copeland, Schulze and ranked pairs work on the pairwise matrix, so they also rank a tier's
  summed matrix (see ``shared.core.decide.ranking``). Borda is ``Σ_y N(x > y)``: for complete strict
  ballots it is the classic m−1, m−2, …, 0; tied or unlisted candidates score nothing over each other.
- Copeland scores a pairwise win 1 and a pairwise tie ½. Schulze uses winning votes as link strength.
  Ranked pairs (Tideman) locks majorities by margin, then by the tie-break order of the winner, then
  reverse order of the loser.
- IRV eliminates every candidate tied for fewest votes at once; if all remaining candidates tie, the
  result is that tie. Exhausted ballots leave the count.
- STV: Droop quota ``floor(valid / (seats + 1)) + 1``, Weighted Inclusive Gregory surplus transfers
  (as in Scottish local elections) computed exactly instead of to 5 decimals; largest surplus first;
  ties for surplus or exclusion go to the most recent earlier stage at which the tied candidates
  differed, then to the tie-break order (in place of drawing lots).
- With ``seats`` = k, the winners are the top k; if the cut falls inside a tie group the whole group
  is returned and ``tied`` is true.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from shared.core.decide.ballots import Ballot, PairwiseMatrix, Profile, pairwise_matrix
from shared.core.decide.errors import BallotError


class TallyMethod(StrEnum):
    """The methods of docs/spec.md §7; the values are the CLI spellings."""

    PLURALITY = "plurality"
    APPROVAL = "approval"
    BORDA = "borda"
    COPELAND = "copeland"
    SCHULZE = "schulze"
    RANKED_PAIRS = "ranked-pairs"
    IRV = "irv"
    STV = "stv"


@dataclass(frozen=True)
class Round:
    """One round (IRV) or stage (STV): votes held after it and what happened."""

    votes: dict[str, Fraction]
    action: str  # "first preferences", "eliminated", "elected", "surplus", "excluded", "tie"
    candidates: tuple[str, ...]
    exhausted: Fraction = Fraction(0)


@dataclass(frozen=True)
class TallyResult:
    """Outcome of a tally. ``ranking`` is tie groups, best first (each in tie-break order)."""

    method: str
    ranking: tuple[tuple[str, ...], ...]
    winners: tuple[str, ...]
    scores: dict[str, Fraction] | None = None
    tied: bool = False
    rounds: tuple[Round, ...] = ()
    quota: Fraction | None = None
    extra: dict[str, object] = field(default_factory=dict)


def tally(
    profile: Profile,
    method: TallyMethod | str,
    *,
    seats: int = 1,
    approvals: int | None = None,
    tie_break: Sequence[str] | None = None,
) -> TallyResult:
    """Tally ``profile`` by ``method``; the single entry point the services and the CLI call."""
    chosen = TallyMethod(method)
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise BallotError(f"seats must be a positive integer, got {seats!r}")
    if seats > len(profile.candidates):
        raise BallotError(f"{seats} seats but only {len(profile.candidates)} candidates")
    order = _tie_break_order(profile.candidates, tie_break)
    if chosen is TallyMethod.STV:
        return stv(profile, seats, tie_break=order)
    if chosen is TallyMethod.IRV:
        if seats != 1:
            raise BallotError("IRV elects one candidate; use STV for several seats")
        return irv(profile, tie_break=order)
    if chosen is TallyMethod.PLURALITY:
        return _scored(chosen, plurality_scores(profile), seats, order)
    if chosen is TallyMethod.APPROVAL:
        return _scored(chosen, approval_scores(profile, approvals), seats, order)
    matrix = pairwise_matrix(profile)
    return rank_matrix(matrix, chosen, seats=seats, tie_break=order)


def rank_matrix(
    matrix: PairwiseMatrix,
    method: TallyMethod | str,
    *,
    seats: int = 1,
    tie_break: Sequence[str] | None = None,
) -> TallyResult:
    """Borda, Copeland, Schulze or ranked pairs straight from a (possibly summed) pairwise matrix."""
    chosen = TallyMethod(method)
    order = _tie_break_order(matrix.candidates, tie_break)
    if chosen is TallyMethod.BORDA:
        return _scored(chosen, borda_scores(matrix), seats, order)
    if chosen is TallyMethod.COPELAND:
        return _scored(chosen, copeland_scores(matrix), seats, order)
    if chosen is TallyMethod.SCHULZE:
        beats = schulze_relation(matrix)
        ranking = _layers(order, beats)
        scores = {c: Fraction(sum(1 for d in order if (c, d) in beats)) for c in order}
        return _result(chosen, ranking, seats, scores)
    if chosen is TallyMethod.RANKED_PAIRS:
        locked = ranked_pairs_locks(matrix, order)
        ranking = _layers(order, _reachability(order, locked))
        return _result(chosen, ranking, seats, None, extra={"locked": locked})
    raise BallotError(f"{chosen} needs ballots, not a pairwise matrix")


# --- scoring rules ------------------------------------------------------------------------------


def plurality_scores(profile: Profile) -> dict[str, Fraction]:
    scores = dict.fromkeys(profile.candidates, Fraction(0))
    for ballot in profile.ballots:
        if ballot.ranking:
            top = ballot.ranking[0]
            for candidate in top:
                scores[candidate] += Fraction(ballot.count, len(top))
    return scores


def approval_scores(profile: Profile, approvals: int | None = None) -> dict[str, Fraction]:
    """Every listed candidate is approved, or only the first ``approvals`` positions; a tie group
    that straddles that cut is approved whole (a tie cannot be split fairly)."""
    if approvals is not None and approvals < 1:
        raise BallotError("approvals must be at least 1")
    scores = dict.fromkeys(profile.candidates, Fraction(0))
    for ballot in profile.ballots:
        taken = 0
        for group in ballot.ranking:
            if approvals is not None and taken >= approvals:
                break
            for candidate in group:
                scores[candidate] += ballot.count
            taken += len(group)
    return scores


def borda_scores(matrix: PairwiseMatrix) -> dict[str, Fraction]:
    return {
        x: sum((matrix[x, y] for y in matrix.candidates), Fraction(0)) for x in matrix.candidates
    }


def copeland_scores(matrix: PairwiseMatrix) -> dict[str, Fraction]:
    scores = dict.fromkeys(matrix.candidates, Fraction(0))
    for x in matrix.candidates:
        for y in matrix.candidates:
            if x != y:
                margin = matrix.margin(x, y)
                scores[x] += 1 if margin > 0 else Fraction(1, 2) if margin == 0 else 0
    return scores


# --- Condorcet methods --------------------------------------------------------------------------


def condorcet_winner(matrix: PairwiseMatrix) -> str | None:
    """The candidate beating every other one head to head, if there is one."""
    for x in matrix.candidates:
        if all(matrix.margin(x, y) > 0 for y in matrix.candidates if y != x):
            return x
    return None


def schulze_strongest_paths(matrix: PairwiseMatrix) -> dict[tuple[str, str], Fraction]:
    """Widest-path strengths (Floyd–Warshall) with winning votes as link strength."""
    cands = matrix.candidates
    paths: dict[tuple[str, str], Fraction] = {}
    for x in cands:
        for y in cands:
            if x != y:
                paths[x, y] = matrix[x, y] if matrix[x, y] > matrix[y, x] else Fraction(0)
    for via in cands:
        for x in cands:
            if x == via:
                continue
            through = paths[x, via]
            if not through:
                continue
            for y in cands:
                if y not in (x, via):
                    candidate_path = min(through, paths[via, y])
                    if candidate_path > paths[x, y]:
                        paths[x, y] = candidate_path
    return paths


def schulze_relation(matrix: PairwiseMatrix) -> set[tuple[str, str]]:
    """Pairs (x, y) where x beats y in the Schulze sense; a strict partial order."""
    paths = schulze_strongest_paths(matrix)
    return {(x, y) for (x, y), strength in paths.items() if strength > paths[y, x]}


def ranked_pairs_locks(matrix: PairwiseMatrix, order: Sequence[str]) -> list[tuple[str, str]]:
    """Majorities locked in by Tideman's rule, strongest margin first, skipping any that close a
    cycle."""
    position = {c: i for i, c in enumerate(order)}
    majorities = [(x, y) for x in order for y in order if x != y and matrix.margin(x, y) > 0]
    majorities.sort(key=lambda p: (-matrix.margin(*p), position[p[0]], -position[p[1]]))
    locked: list[tuple[str, str]] = []
    reach: dict[str, set[str]] = {c: set() for c in order}  # reach[x]: everything x already beats
    for x, y in majorities:
        if x in reach[y] or x == y:
            continue
        locked.append((x, y))
        gained = {y} | reach[y]
        for z in order:
            if z == x or x in reach[z]:
                reach[z] |= gained
    return locked


def _reachability(order: Sequence[str], edges: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    reach: dict[str, set[str]] = {c: set() for c in order}
    for x, y in edges:
        reach[x].add(y)
    changed = True
    while changed:
        changed = False
        for x in order:
            extended = set().union(*(reach[y] for y in reach[x])) | reach[x]
            if extended != reach[x]:
                reach[x] = extended
                changed = True
    return {(x, y) for x in order for y in reach[x]}


def _layers(order: Sequence[str], beats: set[tuple[str, str]]) -> list[tuple[str, ...]]:
    """Rank by repeatedly taking the candidates nobody remaining beats (needs an acyclic relation)."""
    remaining = list(order)
    ranking: list[tuple[str, ...]] = []
    while remaining:
        top = tuple(c for c in remaining if not any((d, c) in beats for d in remaining))
        if not top:  # not a partial order; cannot happen for Schulze or ranked pairs
            raise BallotError("the pairwise relation has a cycle")
        ranking.append(top)
        remaining = [c for c in remaining if c not in top]
    return ranking


# --- instant-runoff -----------------------------------------------------------------------------


def irv(profile: Profile, *, tie_break: Sequence[str] | None = None) -> TallyResult:
    """Instant-runoff voting; all candidates tied for fewest votes are eliminated together."""
    order = _tie_break_order(profile.candidates, tie_break)
    ballots = profile.merged().ballots
    continuing = list(order)
    rounds: list[Round] = []
    eliminated: list[tuple[str, ...]] = []
    while True:
        votes, exhausted = _first_preferences(ballots, set(continuing))
        if len(continuing) == 1:
            rounds.append(Round(votes, "elected", tuple(continuing), exhausted))
            ranking = [tuple(continuing), *reversed(eliminated)]
            return _result(TallyMethod.IRV, ranking, 1, None, rounds=rounds)
        fewest = min(votes[c] for c in continuing)
        if all(votes[c] == fewest for c in continuing):
            rounds.append(Round(votes, "tie", tuple(continuing), exhausted))
            ranking = [tuple(continuing), *reversed(eliminated)]
            return _result(TallyMethod.IRV, ranking, 1, None, rounds=rounds)
        out = tuple(c for c in continuing if votes[c] == fewest)
        rounds.append(Round(votes, "eliminated", out, exhausted))
        eliminated.append(out)
        continuing = [c for c in continuing if c not in out]


def _first_preferences(
    ballots: Sequence[Ballot], continuing: set[str]
) -> tuple[dict[str, Fraction], Fraction]:
    votes = {c: Fraction(0) for c in continuing}
    exhausted = Fraction(0)
    for ballot in ballots:
        top = _top_continuing(ballot, continuing)
        if not top:
            exhausted += ballot.count
        for candidate in top:
            votes[candidate] += Fraction(ballot.count, len(top))
    return votes, exhausted


def _top_continuing(ballot: Ballot, continuing: set[str]) -> frozenset[str]:
    for group in ballot.ranking:
        live = group & continuing
        if live:
            return live
    return frozenset()


# --- single transferable vote -------------------------------------------------------------------


@dataclass
class _Parcel:
    ballot: Ballot
    value: Fraction  # total value of this piece of the ballot (count × transfer value)


def droop_quota(valid: int | Fraction, seats: int) -> Fraction:
    """Droop quota as in the Scottish rules: floor(valid / (seats + 1)) + 1."""
    return Fraction(int(Fraction(valid) / (seats + 1)) + 1)


def stv(profile: Profile, seats: int, *, tie_break: Sequence[str] | None = None) -> TallyResult:
    """Single transferable vote with Droop quota and Weighted Inclusive Gregory transfers."""
    order = _tie_break_order(profile.candidates, tie_break)
    if not 1 <= seats <= len(order):
        raise BallotError(f"cannot fill {seats} seats from {len(order)} candidates")
    ballots = [b for b in profile.merged().ballots if b.ranking]
    quota = droop_quota(sum(b.count for b in ballots), seats)
    continuing = list(order)
    piles: dict[str, list[_Parcel]] = {c: [] for c in order}
    votes: dict[str, Fraction] = dict.fromkeys(order, Fraction(0))
    exhausted = Fraction(0)
    elected: list[str] = []
    pending: list[str] = []  # elected with a surplus still to transfer
    excluded: list[str] = []
    rounds: list[Round] = []
    history: list[dict[str, Fraction]] = []

    def deal(parcels: Sequence[_Parcel]) -> None:
        nonlocal exhausted
        live = set(continuing)
        for parcel in parcels:
            top = _top_continuing(parcel.ballot, live)
            if not top:
                exhausted += parcel.value
                continue
            share = parcel.value / len(top)
            for candidate in top:
                piles[candidate].append(_Parcel(parcel.ballot, share))
                votes[candidate] += share

    def stage(action: str, who: Sequence[str]) -> None:
        history.append(dict(votes))
        rounds.append(Round(dict(votes), action, tuple(who), exhausted))

    def pick(tied: list[str], highest: bool) -> str:
        for past in reversed(history[:-1]):
            values = [past[c] for c in tied]
            best = max(values) if highest else min(values)
            tied = [c for c in tied if past[c] == best]
            if len(tied) == 1:
                return tied[0]
        return tied[0] if highest else tied[-1]  # earlier in tie-break order is favoured

    def ranked_by_votes(group: Sequence[str]) -> list[str]:
        remaining = list(group)
        result = []
        while remaining:
            best = max(votes[c] for c in remaining)
            chosen = pick([c for c in remaining if votes[c] == best], highest=True)
            result.append(chosen)
            remaining.remove(chosen)
        return result

    deal([_Parcel(b, Fraction(b.count)) for b in ballots])
    stage("first preferences", ())
    while len(elected) < seats:
        reached = [c for c in continuing if votes[c] >= quota]
        if reached:
            newly = ranked_by_votes(reached)[: seats - len(elected)]
            elected.extend(newly)
            pending.extend(c for c in newly if votes[c] > quota)
            continuing = [c for c in continuing if c not in newly]
            stage("elected", newly)
            continue
        if len(continuing) <= seats - len(elected):
            newly = ranked_by_votes(continuing)
            elected.extend(newly)
            continuing = []
            stage("elected", newly)
            break
        if pending:
            largest = max(votes[c] for c in pending)
            donor = pick([c for c in pending if votes[c] == largest], highest=True)
            pending.remove(donor)
            ratio = (votes[donor] - quota) / votes[donor]
            parcels = [_Parcel(p.ballot, p.value * ratio) for p in piles[donor]]
            piles[donor] = []
            votes[donor] = quota
            deal(parcels)
            stage("surplus", (donor,))
            continue
        fewest = min(votes[c] for c in continuing)
        loser = pick([c for c in continuing if votes[c] == fewest], highest=False)
        continuing.remove(loser)
        excluded.append(loser)
        parcels, piles[loser] = piles[loser], []
        votes[loser] = Fraction(0)
        deal(parcels)
        stage("excluded", (loser,))
    ranking = [(c,) for c in elected]
    ranking += [(c,) for c in ranked_by_votes(continuing)]
    ranking += [(c,) for c in reversed(excluded)]
    return TallyResult(
        method=TallyMethod.STV.value,
        ranking=tuple(ranking),
        winners=tuple(elected),
        scores=None,
        tied=False,
        rounds=tuple(rounds),
        quota=quota,
    )


# --- shared helpers -----------------------------------------------------------------------------


def _tie_break_order(candidates: Sequence[str], tie_break: Sequence[str] | None) -> list[str]:
    if tie_break is None:
        return list(candidates)
    if sorted(tie_break) != sorted(candidates):
        raise BallotError("the tie-break order must list every candidate exactly once")
    return list(tie_break)


def _scored(
    method: TallyMethod, scores: Mapping[str, Fraction], seats: int, order: Sequence[str]
) -> TallyResult:
    distinct = sorted(set(scores.values()), reverse=True)
    ranking = [tuple(c for c in order if scores[c] == value) for value in distinct]
    return _result(method, ranking, seats, dict(scores))


def _result(
    method: TallyMethod,
    ranking: Sequence[tuple[str, ...]],
    seats: int,
    scores: dict[str, Fraction] | None,
    *,
    rounds: Sequence[Round] = (),
    extra: dict[str, object] | None = None,
) -> TallyResult:
    winners: list[str] = []
    tied = False
    for group in ranking:
        if len(winners) >= seats:
            break
        if len(winners) + len(group) > seats:
            tied = True
        winners.extend(group)
    return TallyResult(
        method=method.value,
        ranking=tuple(tuple(g) for g in ranking),
        winners=tuple(winners),
        scores=scores,
        tied=tied,
        rounds=tuple(rounds),
        extra=extra or {},
    )
