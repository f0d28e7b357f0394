"""Civic lottery through sortition-algorithms: quotas hold, probabilities add up, seeds repeat."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from shared.core.decide.errors import LotteryError
from shared.core.decide.lottery import (
    PoolMember,
    Quota,
    check_quotas,
    draw_panel,
    leximin_available,
)


def pool(size: int, seed: int = 5) -> list[PoolMember]:
    rng = random.Random(seed)
    return [
        PoolMember(
            f"p{i:02d}",
            {
                "gender": rng.choice(["mulher", "homem"]),
                "age": rng.choice(["jovem", "adulto", "idoso"]),
            },
        )
        for i in range(size)
    ]


QUOTAS = [
    Quota("gender", "mulher", 3, 4),
    Quota("gender", "homem", 2, 3),
    Quota("age", "jovem", 1, 3),
    Quota("age", "adulto", 1, 3),
    Quota("age", "idoso", 1, 2),
]


def test_panel_meets_quotas_and_probabilities_add_up_to_the_panel() -> None:
    members = pool(24)
    result = draw_panel(6, QUOTAS, members, seed=42, method="maximin")
    assert len(result.selected) == 6 and len(set(result.selected)) == 6
    features = {m.id: m.features for m in members}
    counts = Counter((f, features[i][f]) for i in result.selected for f in ("gender", "age"))
    for quota in QUOTAS:
        assert quota.min <= counts[quota.feature, quota.value] <= quota.max
    assert set(result.probabilities) == {m.id for m in members}
    assert sum(result.probabilities.values()) == pytest.approx(6, abs=1e-4)
    assert all(0 <= p <= 1 for p in result.probabilities.values())
    assert result.seed == 42 and result.method == "maximin"


def test_same_seed_same_draw_within_a_process() -> None:
    members = pool(20)
    first = draw_panel(6, QUOTAS, members, seed=9, method="maximin")
    again = draw_panel(6, QUOTAS, members, seed=9, method="maximin")
    assert first.selected == again.selected


def test_leximin_says_which_algorithm_ran() -> None:
    result = draw_panel(6, QUOTAS, pool(18), seed=3)
    assert result.requested_method == "leximin"
    assert result.method == ("leximin" if leximin_available() else "maximin")


def test_a_seed_is_chosen_and_published_when_none_is_given() -> None:
    result = draw_panel(6, QUOTAS, pool(18), method="legacy", legacy_samples=20)
    assert 1 <= result.seed < 2**31
    assert result.probabilities_estimated


def test_impossible_minimum_names_the_feature() -> None:
    members = [PoolMember(f"m{i}", {"gender": "homem", "age": "jovem"}) for i in range(6)]
    members += [PoolMember("w", {"gender": "mulher", "age": "jovem"})]
    quotas = [Quota("gender", "mulher", 2, 3), Quota("gender", "homem", 0, 3)]
    with pytest.raises(LotteryError, match=r"'gender'.*'mulher' needs at least 2") as caught:
        draw_panel(3, quotas, members, seed=1)
    assert caught.value.feature == "gender"


def test_sums_of_bounds_against_the_panel_name_the_feature() -> None:
    with pytest.raises(LotteryError, match="feature 'gender': the maximums add up to 7") as caught:
        check_quotas(8, QUOTAS, pool(30))
    assert caught.value.feature == "gender"
    with pytest.raises(LotteryError, match="feature 'age': the minimums add up to 3") as caught:
        check_quotas(
            2,
            [Quota("gender", "mulher", 0, 4), Quota("gender", "homem", 0, 3), *QUOTAS[2:]],
            pool(30),
        )
    assert caught.value.feature == "age"


def test_quotas_only_infeasible_together_name_the_feature_the_solver_relaxes() -> None:
    # Every woman is young and every man old: 3 women and 3 old people do not fit in 4 seats.
    members = [PoolMember(f"w{i}", {"gender": "woman", "age": "young"}) for i in range(3)]
    members += [PoolMember(f"m{i}", {"gender": "man", "age": "old"}) for i in range(3)]
    quotas = [
        Quota("gender", "woman", 3, 4),
        Quota("gender", "man", 0, 4),
        Quota("age", "young", 0, 4),
        Quota("age", "old", 3, 4),
    ]
    with pytest.raises(LotteryError, match="no panel meets the quotas of feature") as caught:
        draw_panel(4, quotas, members, seed=2)
    assert caught.value.feature in {"gender", "age"}


def test_bad_pool_values_are_reported() -> None:
    members = [PoolMember("x", {"gender": "other", "age": "jovem"}), *pool(10)]
    with pytest.raises(LotteryError, match="value 'other', which has no quota row"):
        draw_panel(3, QUOTAS, members, seed=1)
    with pytest.raises(LotteryError, match="seed"):
        draw_panel(3, QUOTAS, pool(10), seed=0)
