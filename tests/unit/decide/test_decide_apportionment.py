"""Apportionment: published figures, error cases and hypothesis properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.core.decide.apportionment import (
    ApportionmentMethod,
    PopulationBand,
    apportion,
    bounded_quotas,
    by_population_bands,
    dhondt,
    hamilton,
    huntington_hill,
    minimum_plus_proportional,
    sainte_lague,
)
from shared.core.decide.errors import ApportionmentError

# 1790 census "representative population" of the 15 states, in the order CT, DE, GA, KY, MD, MA,
# NH, NJ, NY, NC, PA, RI, SC, VT, VA. Source: Balinski & Young, "Fair Representation" (2nd ed.,
# 2001), Appendix A; also Wikipedia "United States congressional apportionment" (1792 veto).
CENSUS_1790 = [
    236841, 55540, 70835, 68705, 278514, 475327, 141822, 179570,
    331589, 353523, 432879, 68446, 206236, 85533, 630560,
]  # fmt: skip


def test_1792_house_by_jefferson_method_with_105_seats() -> None:
    # The apportionment actually enacted in 1792 (Jefferson = D'Hondt), same source as above.
    assert dhondt(CENSUS_1790, 105) == [7, 1, 2, 2, 8, 14, 4, 5, 10, 10, 13, 2, 6, 2, 19]


def test_1792_vetoed_bill_by_hamilton_method_with_120_seats() -> None:
    # The Hamilton apportionment of 120 seats that Washington vetoed in April 1792.
    assert hamilton(CENSUS_1790, 120) == [8, 2, 2, 2, 9, 16, 5, 6, 11, 12, 14, 2, 7, 3, 21]


def test_alabama_paradox_for_hamilton_but_not_for_divisor_methods() -> None:
    # Wikipedia "Apportionment paradox", Alabama paradox example: populations 6, 6, 2.
    assert hamilton([6, 6, 2], 10) == [4, 4, 2]
    assert hamilton([6, 6, 2], 11) == [5, 5, 1]
    for method in ("dhondt", "sainte-lague", "huntington-hill"):
        small, large = apportion([6, 6, 2], 10, method), apportion([6, 6, 2], 11, method)
        assert all(b >= a for a, b in zip(small, large, strict=True))


def test_party_list_examples_for_dhondt_and_sainte_lague() -> None:
    # Wikipedia "D'Hondt method" and "Sainte-Laguë method": 100,000 / 80,000 / 30,000 / 20,000
    # votes, 8 seats.
    votes = [100_000, 80_000, 30_000, 20_000]
    assert dhondt(votes, 8) == [4, 3, 1, 0]
    assert sainte_lague(votes, 8) == [3, 3, 1, 1]


def test_huntington_hill_gives_every_unit_a_first_seat_before_any_second() -> None:
    assert huntington_hill([1000, 10], 2) == [1, 1]
    assert dhondt([1000, 10], 2) == [2, 0]


def test_bounds_start_at_minimum_and_never_exceed_maximum() -> None:
    pops = [1_000_000, 50_000, 20_000, 5_000]
    for method in ApportionmentMethod:
        seats = apportion(pops, 40, method, minimum=3, maximum=20)
        assert sum(seats) == 40
        assert all(3 <= s <= 20 for s in seats)
        assert seats[0] == 20


def test_bounded_hamilton_shares_the_rest_in_proportion() -> None:
    # 100 seats, max 50: the big unit is capped and the other three split 50 as 2:1:1, i.e.
    # 25, 12.5, 12.5; the tied remainders go to the first listed.
    assert hamilton([1000, 20, 10, 10], 100, maximum=50) == [50, 25, 13, 12]


def test_minimum_plus_proportional() -> None:
    # 5 each, then the remaining 10 by population 3:1:1 -> quotas 6, 2, 2.
    assert minimum_plus_proportional([300, 100, 100], 25, minimum=5) == [11, 7, 7]


def test_population_bands() -> None:
    bands = [PopulationBand(10_000, 2), PopulationBand(50_000, 4), PopulationBand(None, 8)]
    assert by_population_bands([5_000, 10_000, 10_001, 2_000_000], bands) == [2, 2, 4, 8]
    assert by_population_bands([5_000, 2_000_000], bands, minimum=3, maximum=6) == [3, 6]


def test_ties_go_to_the_larger_population_then_the_first_listed() -> None:
    assert hamilton([1, 1, 1], 1) == [1, 0, 0]
    assert dhondt([2, 1, 1], 2) == [2, 0, 0]  # 2/2 ties 1/1: the larger population wins
    assert dhondt([1, 2, 1], 3) == [1, 2, 0]
    assert hamilton([3, 3, 2], 1) == [1, 0, 0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"populations": [10, 10], "seats": 3, "minimum": 2}, "min × units = 2 × 2 = 4 exceeds"),
        ({"populations": [10, 10], "seats": 5, "maximum": 2}, "max × units = 2 × 2 = 4 is less"),
        ({"populations": [10, 0], "seats": 5}, "unit 2: population must be a positive integer"),
        ({"populations": [10, -3], "seats": 5}, "positive integer"),
        ({"populations": [10, 2.5], "seats": 5}, "positive integer"),
        ({"populations": [10, 5], "seats": -1}, "non-negative"),
        ({"populations": [10, 5], "seats": 5, "minimum": 3, "maximum": 2}, "below the minimum"),
    ],
)
def test_clear_errors(kwargs: dict[str, object], message: str) -> None:
    for method in ApportionmentMethod:
        with pytest.raises(ApportionmentError, match=message):
            apportion(method=method, **kwargs)  # type: ignore[arg-type]


populations = st.lists(st.integers(1, 10_000_000), min_size=1, max_size=12)


@st.composite
def bounded_problem(draw: st.DrawFn) -> tuple[list[int], int, int, int | None]:
    pops = draw(populations)
    low = draw(st.integers(0, 3))
    high = draw(st.one_of(st.none(), st.integers(low, low + 30)))
    top = len(pops) * high if high is not None else len(pops) * low + 200
    seats = draw(st.integers(len(pops) * low, top))
    return pops, seats, low, high


@settings(max_examples=150, deadline=None)
@given(bounded_problem(), st.sampled_from(list(ApportionmentMethod)))
def test_seats_sum_and_bounds_hold(
    problem: tuple[list[int], int, int, int | None], method: ApportionmentMethod
) -> None:
    pops, seats, low, high = problem
    result = apportion(pops, seats, method, minimum=low, maximum=high)
    assert sum(result) == seats
    assert all(s >= low for s in result)
    assert high is None or all(s <= high for s in result)


@settings(max_examples=150, deadline=None)
@given(populations, st.integers(0, 500))
def test_hamilton_stays_within_quota(pops: list[int], seats: int) -> None:
    total = sum(pops)
    for population, got in zip(pops, hamilton(pops, seats), strict=True):
        quota = Fraction(population * seats, total)
        assert quota - 1 < got < quota + 1


@settings(max_examples=150, deadline=None)
@given(bounded_problem())
def test_bounded_hamilton_within_its_bounded_quota(
    problem: tuple[list[int], int, int, int | None],
) -> None:
    pops, seats, low, high = problem
    quotas = bounded_quotas(pops, seats, [low] * len(pops), [high] * len(pops))
    assert sum(quotas) == seats
    for quota, got in zip(quotas, hamilton(pops, seats, minimum=low, maximum=high), strict=True):
        assert quota - 1 < got < quota + 1


@settings(max_examples=100, deadline=None)
@given(
    bounded_problem(),
    st.sampled_from(["dhondt", "sainte-lague", "huntington-hill"]),
)
def test_divisor_methods_are_house_monotone(
    problem: tuple[list[int], int, int, int | None], method: str
) -> None:
    pops, seats, low, high = problem
    if high is not None and seats >= len(pops) * high:
        seats -= 1
    if seats < len(pops) * low:
        return
    before = apportion(pops, seats, method, minimum=low, maximum=high)
    after = apportion(pops, seats + 1, method, minimum=low, maximum=high)
    assert all(b >= a for a, b in zip(before, after, strict=True))


def _signpost(method: str, seats: int) -> Fraction | None:
    """d(s) squared for Huntington–Hill so that comparisons stay exact; None = 0 (infinite)."""
    if method == "dhondt":
        return Fraction(seats + 1)
    if method == "sainte-lague":
        return Fraction(2 * seats + 1, 2)
    return Fraction(seats * (seats + 1)) if seats else None


@settings(max_examples=150, deadline=None)
@given(
    populations, st.integers(0, 300), st.sampled_from(["dhondt", "sainte-lague", "huntington-hill"])
)
def test_divisor_methods_satisfy_the_min_max_inequality(
    pops: list[int], seats: int, method: str
) -> None:
    # Balinski & Young's characterisation: an apportionment comes from a divisor method iff
    # max_i p_i / d(s_i) <= min_i p_i / d(s_i - 1). It is checked independently of the seat loop.
    result = apportion(pops, seats, method)
    power = 2 if method == "huntington-hill" else 1

    def ratio(population: int, held: int) -> Fraction | None:
        post = _signpost(method, held)
        return None if post is None else Fraction(population**power) / post

    next_seat = [ratio(p, s) for p, s in zip(pops, result, strict=True)]
    last_seat = [ratio(p, s - 1) for p, s in zip(pops, result, strict=True) if s > 0]
    if not last_seat or any(v is None for v in next_seat):
        return
    highest_unserved = max(v for v in next_seat if v is not None)
    lowest_served = min((v for v in last_seat if v is not None), default=None)
    if lowest_served is not None:
        assert highest_unserved <= lowest_served
