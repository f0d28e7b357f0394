"""Cross-tier ranking: weighted Borda with breakdown, and ranking on summed pairwise matrices."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.core.decide.ballots import Ballot, PairwiseMatrix, Profile, pairwise_matrix
from shared.core.decide.errors import BallotError
from shared.core.decide.ranking import (
    SourceRank,
    rank_by_pairwise,
    weighted_borda,
    weighted_pairwise_sum,
)
from shared.core.decide.tally import tally


def test_weighted_borda_with_breakdown_and_origins() -> None:
    sources = [
        # assembly A (weight 3) forwarded 3 items; B (weight 1) forwarded 2.
        SourceRank("x", "A", 1, 3, 3),
        SourceRank("y", "A", 2, 3, 3),
        SourceRank("z", "A", 3, 3, 3),
        SourceRank("y", "B", 1, 2, 1),
        SourceRank("x", "B", 2, 2, 1),
    ]
    scores = weighted_borda(sources)
    assert [(s.item, s.score, s.origins) for s in scores] == [
        ("x", 10, 2),
        ("y", 8, 2),
        ("z", 3, 1),
    ]
    x = scores[0]
    assert [(c.origin, c.rank, c.points) for c in x.breakdown] == [("A", 1, 9), ("B", 2, 1)]


def test_merged_proposals_of_one_origin_count_once_at_their_best_rank() -> None:
    scores = weighted_borda([SourceRank("x", "A", 1, 5), SourceRank("x", "A", 4, 5)])
    assert scores[0].score == 5 and scores[0].origins == 1


def test_ties_on_score_go_to_more_origins() -> None:
    scores = weighted_borda(
        [
            SourceRank("solo", "A", 1, 2, 2),
            SourceRank("pair", "B", 1, 2),
            SourceRank("pair", "C", 1, 2),
        ]
    )
    assert [s.item for s in scores] == ["pair", "solo"]


def test_bad_source_ranks_are_rejected() -> None:
    with pytest.raises(BallotError):
        weighted_borda([SourceRank("x", "A", 4, 3)])
    with pytest.raises(BallotError):
        weighted_borda([SourceRank("x", "A", 1, 3, -1)])


def test_matrix_relabelling_and_json_round_trip() -> None:
    profile = Profile.from_rankings([["a1", "b", "a2"], ["b", "a1"]])
    matrix = pairwise_matrix(profile).relabelled({"a1": "A", "a2": "A"})
    # ballot 1: a1 > b > a2; ballot 2: b > a1 (a2 unlisted, so b > a2 and a1 > a2).
    # A over b: a1 > b once. b over A: b > a2 (ballot 1) + b > a1 and b > a2 (ballot 2).
    assert matrix["A", "b"] == 1
    assert matrix["b", "A"] == 3
    assert ("A", "A") not in matrix.preferred
    weighted = matrix.scaled(Fraction(1, 3))
    assert PairwiseMatrix.from_json(weighted.to_json()) == weighted


settings_fast = settings(max_examples=80, deadline=None)
CANDS = ("a", "b", "c", "d")


@st.composite
def assemblies(draw: st.DrawFn) -> list[Profile]:
    profiles = []
    for _ in range(draw(st.integers(1, 4))):
        ballots = tuple(
            Ballot(
                tuple(
                    frozenset((c,)) for c in draw(st.permutations(CANDS))[: draw(st.integers(1, 4))]
                ),
                draw(st.integers(1, 4)),
            )
            for _ in range(draw(st.integers(1, 6)))
        )
        profiles.append(Profile(CANDS, ballots))
    return profiles


@settings_fast
@given(assemblies(), st.sampled_from(["schulze", "copeland", "borda", "ranked-pairs"]))
def test_ranking_on_summed_matrices_equals_ranking_pooled_ballots(
    sources: list[Profile], method: str
) -> None:
    pooled = Profile(CANDS, tuple(b for p in sources for b in p.ballots))
    summed = rank_by_pairwise([(pairwise_matrix(p), 1) for p in sources], method)
    assert summed.ranking == tally(pooled, method).ranking


@settings_fast
@given(assemblies(), st.lists(st.integers(1, 5), min_size=4, max_size=4))
def test_integer_weights_equal_repeating_an_assembly(
    sources: list[Profile], weights: list[int]
) -> None:
    weighted = weighted_pairwise_sum(
        [(pairwise_matrix(p), w) for p, w in zip(sources, weights, strict=False)]
    )
    repeated = weighted_pairwise_sum(
        [(pairwise_matrix(p), 1) for p, w in zip(sources, weights, strict=False) for _ in range(w)]
    )
    assert {k: v for k, v in weighted.preferred.items() if v} == {
        k: v for k, v in repeated.preferred.items() if v
    }
