"""Tallies: published worked examples, cross-checks against pref_voting, hypothesis properties."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.core.decide.ballots import Ballot, Profile, pairwise_matrix
from shared.core.decide.errors import BallotError
from shared.core.decide.tally import (
    TallyMethod,
    condorcet_winner,
    rank_matrix,
    schulze_strongest_paths,
    tally,
)

# Wikipedia "Schulze method", worked example with 45 voters and 5 candidates.
SCHULZE_45 = Profile.from_rankings(
    [list(r) for r in ["ACBED", "ADECB", "BEDAC", "CABED", "CAEBD", "CBADE", "DCEBA", "EBADC"]],
    counts=[5, 5, 8, 3, 7, 2, 7, 8],
    candidates=list("ABCDE"),
)

# Wikipedia "Condorcet method" / "Instant-runoff voting": the Tennessee capital example
# (Memphis 42 %, Nashville 26 %, Chattanooga 15 %, Knoxville 17 %).
TENNESSEE = Profile.from_rankings(
    [
        ["Memphis", "Nashville", "Chattanooga", "Knoxville"],
        ["Nashville", "Chattanooga", "Knoxville", "Memphis"],
        ["Chattanooga", "Knoxville", "Nashville", "Memphis"],
        ["Knoxville", "Chattanooga", "Nashville", "Memphis"],
    ],
    counts=[42, 26, 15, 17],
)


def test_schulze_wikipedia_45_voters() -> None:
    paths = schulze_strongest_paths(pairwise_matrix(SCHULZE_45))
    # The strongest-path table of the Wikipedia article.
    expected = {
        "A": {"B": 28, "C": 28, "D": 30, "E": 24},
        "B": {"A": 25, "C": 28, "D": 33, "E": 24},
        "C": {"A": 25, "B": 29, "D": 29, "E": 24},
        "D": {"A": 25, "B": 28, "C": 28, "E": 24},
        "E": {"A": 25, "B": 28, "C": 28, "D": 31},
    }
    for x, row in expected.items():
        for y, strength in row.items():
            assert paths[x, y] == strength, (x, y)
    result = tally(SCHULZE_45, "schulze")
    assert result.ranking == (("E",), ("A",), ("C",), ("B",), ("D",))
    assert result.winners == ("E",)


def test_tennessee_capital() -> None:
    for method in ("schulze", "copeland", "ranked-pairs"):
        result = tally(TENNESSEE, method)
        assert result.ranking == (("Nashville",), ("Chattanooga",), ("Knoxville",), ("Memphis",))
    assert tally(TENNESSEE, "plurality").winners == ("Memphis",)
    assert tally(TENNESSEE, "irv").winners == ("Knoxville",)
    borda = tally(TENNESSEE, "borda")
    assert borda.winners == ("Nashville",)
    assert borda.scores == {"Memphis": 126, "Nashville": 194, "Chattanooga": 173, "Knoxville": 107}


def test_stv_wikipedia_food_example() -> None:
    # Wikipedia "Single transferable vote", example: 20 voters, 3 seats, Droop quota 6.
    profile = Profile.from_rankings(
        [
            ["Oranges"],
            ["Pears", "Oranges"],
            ["Chocolate", "Strawberries"],
            ["Chocolate", "Hamburgers"],
            ["Strawberries"],
            ["Hamburgers"],
        ],
        counts=[4, 2, 8, 4, 1, 1],
    )
    result = tally(profile, "stv", seats=3)
    assert result.quota == 6
    assert set(result.winners) == {"Chocolate", "Oranges", "Strawberries"}
    assert result.winners[0] == "Chocolate"
    surplus = next(r for r in result.rounds if r.action == "surplus")
    assert surplus.votes["Strawberries"] == 5 and surplus.votes["Hamburgers"] == 3


def test_stv_transfers_are_exact_fractions() -> None:
    # 3 surplus votes spread over 7 papers: 3/7 each, kept exact.
    profile = Profile.from_rankings([["a", "b"], ["a", "c"], ["b"], ["c"]], counts=[5, 2, 2, 3])
    result = tally(profile, "stv", seats=2)
    assert result.quota == 5  # floor(12 / 3) + 1
    surplus = next(r for r in result.rounds if r.action == "surplus")
    assert surplus.votes["b"] == 2 + Fraction(10, 7)
    assert surplus.votes["c"] == 3 + Fraction(4, 7)


def test_irv_eliminates_all_tied_for_last_and_reports_a_full_tie() -> None:
    profile = Profile.from_rankings([["a", "b"], ["a"], ["a"], ["b"], ["b"], ["c"], ["d"]])
    result = tally(profile, "irv")
    assert result.rounds[0].action == "eliminated"
    assert result.rounds[0].candidates == ("c", "d")
    assert not result.tied and result.winners == ("a",)
    tie = tally(Profile.from_rankings([["a", "b"], ["b", "a"]]), "irv")
    assert tie.tied and tie.winners == ("a", "b") and tie.ranking == (("a", "b"),)


def test_approval_counts_every_listed_candidate_or_the_first_k() -> None:
    profile = Profile.from_rankings([["a", "b"], ["b"], ["c", "b", "a"]])
    assert tally(profile, "approval").scores == {"a": 2, "b": 3, "c": 1}
    assert tally(profile, "approval", approvals=1).scores == {"a": 1, "b": 1, "c": 1}


def test_several_seats_and_ties_at_the_cut() -> None:
    profile = Profile.from_rankings([["a"], ["a"], ["b"], ["c"]])
    result = tally(profile, "plurality", seats=2)
    assert result.winners == ("a", "b", "c") and result.tied
    assert tally(profile, "plurality", seats=1).winners == ("a",)


def test_plurality_splits_a_tied_top() -> None:
    profile = Profile((("a", "b", "c")), (Ballot.of({"a", "b"}, "c"), Ballot.of("c")))
    assert tally(profile, "plurality").scores == {"a": Fraction(1, 2), "b": Fraction(1, 2), "c": 1}


def test_rank_matrix_needs_matrix_methods() -> None:
    with pytest.raises(BallotError):
        rank_matrix(pairwise_matrix(TENNESSEE), "irv")
    with pytest.raises(BallotError):
        tally(TENNESSEE, "irv", seats=2)


# --- cross-checks against pref_voting on random profiles ---------------------------------------
#
# pref_voting runs in a child interpreter: its ortools dependency and highspy (the lottery's
# solver) each bundle a different libhighs.so.1, and whichever loads second in a process breaks.

PREF_VOTING = r"""
import json, sys
from pref_voting import voting_methods as pv
from pref_voting.profiles import Profile
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.proportional_methods import stv_wig

def ints(values):
    return sorted(int(v) for v in values)

request = json.load(sys.stdin)
linear = []
for case in request["linear"]:
    p = Profile(case["rankings"], case["counts"])
    linear.append({
        "borda": {str(k): int(v) for k, v in p.borda_scores().items()},
        "copeland": ints(pv.copeland(p)),
        "schulze": ints(pv.beat_path(p)),
        "plurality": ints(pv.plurality(p)),
        "irv": ints(pv.instant_runoff(p)),
        "ranked-pairs": ints(pv.ranked_pairs(p, algorithm="from_stacks")) if case["rp"] else None,
    })
stv = []
for case in request["stv"]:
    p = ProfileWithTies(
        [{c: i for i, c in enumerate(r)} for r in case["rankings"]],
        rcounts=case["counts"],
        candidates=list(range(case["m"])),
    )
    stv.append(ints(stv_wig(p, num_seats=case["seats"], quota_rule="droop")))
json.dump({"linear": linear, "stv": stv}, sys.stdout)
"""

LINEAR_SEEDS = range(120)
STV_SEEDS = range(80)


def _profile(rankings: list[list[int]], counts: list[int], m: int) -> Profile:
    return Profile.from_rankings(
        [[str(c) for c in r] for r in rankings],
        counts=counts,
        candidates=[str(c) for c in range(m)],
    )


def _linear_case(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    m = rng.randint(2, 5)
    rankings = [rng.sample(range(m), m) for _ in range(rng.randint(1, 8))]
    counts = [rng.randint(1, 6) for _ in rankings]
    matrix = pairwise_matrix(_profile(rankings, counts, m))
    positive = [matrix.margin(str(x), str(y)) for x in range(m) for y in range(m)]
    positive = [v for v in positive if v > 0]
    # With equal margins pref_voting returns every winner under any tie-breaking, so ranked pairs
    # is compared where the non-zero margins are distinct and the outcome is unique.
    return {
        "m": m,
        "rankings": rankings,
        "counts": counts,
        "rp": len(positive) == len(set(positive)),
    }


def _stv_case(seed: int) -> dict[str, Any]:
    rng = random.Random(1000 + seed)
    m = rng.randint(3, 6)
    rankings = [rng.sample(range(m), rng.randint(1, m)) for _ in range(rng.randint(3, 12))]
    counts = [rng.randint(1, 9) for _ in rankings]
    return {"m": m, "rankings": rankings, "counts": counts, "seats": rng.randint(1, m - 1)}


@pytest.fixture(scope="module")
def pref_voting_answers() -> dict[str, Any]:
    request = {
        "linear": [_linear_case(s) for s in LINEAR_SEEDS],
        "stv": [_stv_case(s) for s in STV_SEEDS],
    }
    child = subprocess.run(
        [sys.executable, "-c", PREF_VOTING],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
        timeout=240,
    )
    answers: dict[str, Any] = json.loads(child.stdout)
    return answers


def _winners(group: tuple[str, ...]) -> list[int]:
    return sorted(int(c) for c in group)


@pytest.mark.parametrize("seed", LINEAR_SEEDS)
def test_matches_pref_voting_on_random_linear_profiles(
    seed: int, pref_voting_answers: dict[str, Any]
) -> None:
    case = _linear_case(seed)
    expected = pref_voting_answers["linear"][seed]
    ours = _profile(case["rankings"], case["counts"], case["m"])
    assert {c: int(v) for c, v in (tally(ours, "borda").scores or {}).items()} == expected["borda"]
    for method in ("copeland", "schulze", "plurality", "irv"):
        assert _winners(tally(ours, method).ranking[0]) == expected[method], method
    if expected["ranked-pairs"] is not None:
        assert _winners(tally(ours, "ranked-pairs").ranking[0]) == expected["ranked-pairs"]


@pytest.mark.parametrize("seed", STV_SEEDS)
def test_stv_matches_pref_voting_wig_with_droop_quota(
    seed: int, pref_voting_answers: dict[str, Any]
) -> None:
    case = _stv_case(seed)
    result = tally(
        _profile(case["rankings"], case["counts"], case["m"]), "stv", seats=case["seats"]
    )
    assert len(result.winners) == case["seats"]
    expected = pref_voting_answers["stv"][seed]
    if len(expected) == case["seats"]:  # pref_voting reports a tie by returning more winners
        assert _winners(result.winners) == expected


# --- hypothesis properties ----------------------------------------------------------------------

CANDIDATES = ["a", "b", "c", "d", "e"]


@st.composite
def profiles(draw: st.DrawFn, complete: bool = False) -> Profile:
    m = draw(st.integers(2, 5))
    cands = CANDIDATES[:m]
    ballots = []
    for _ in range(draw(st.integers(1, 9))):
        order = draw(st.permutations(cands))
        length = m if complete else draw(st.integers(1, m))
        ballots.append(
            Ballot(tuple(frozenset((c,)) for c in order[:length]), draw(st.integers(1, 5)))
        )
    return Profile(tuple(cands), tuple(ballots))


@settings(max_examples=150, deadline=None)
@given(profiles())
def test_condorcet_methods_elect_the_condorcet_winner(profile: Profile) -> None:
    winner = condorcet_winner(pairwise_matrix(profile))
    if winner is None:
        return
    for method in ("schulze", "copeland", "ranked-pairs"):
        result = tally(profile, method)
        assert result.winners == (winner,), method


@settings(max_examples=150, deadline=None)
@given(profiles(), st.integers(1, 4))
def test_stv_elects_exactly_the_requested_number(profile: Profile, seats: int) -> None:
    seats = min(seats, len(profile.candidates))
    result = tally(profile, "stv", seats=seats)
    assert len(result.winners) == len(set(result.winners)) == seats
    assert sorted(c for g in result.ranking for c in g) == sorted(profile.candidates)


@settings(max_examples=100, deadline=None)
@given(profiles(), profiles())
def test_pairwise_matrices_add_like_pooled_ballots(first: Profile, second: Profile) -> None:
    candidates = tuple(CANDIDATES)
    one = Profile(candidates, first.ballots)
    two = Profile(candidates, second.ballots)
    pooled = Profile(candidates, first.ballots + second.ballots)
    summed = pairwise_matrix(one) + pairwise_matrix(two)
    assert {k: v for k, v in summed.preferred.items() if v} == {
        k: v for k, v in pairwise_matrix(pooled).preferred.items() if v
    }


@settings(max_examples=100, deadline=None)
@given(profiles(), st.sampled_from(list(TallyMethod)))
def test_every_method_ranks_every_candidate_once(profile: Profile, method: TallyMethod) -> None:
    result = tally(profile, method)
    ranked = [c for group in result.ranking for c in group]
    assert sorted(ranked) == sorted(profile.candidates)
    assert result.winners and set(result.winners) <= set(profile.candidates)
