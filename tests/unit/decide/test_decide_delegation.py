"""Segment splits with parity, composition rules, delegate election, free conference seats."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.core.decide.delegation import (
    Candidate,
    CompositionRule,
    FreeConferenceRule,
    check_composition,
    elect_delegation,
    exact_split_total,
    free_conference_seats,
    split_by_segment,
)
from shared.core.decide.errors import DelegationError

# CNS health conferences: users 50 %, workers 25 %, managers/providers 25 % (Resolution 453/2012).
HEALTH = {"users": Fraction(1, 2), "workers": Fraction(1, 4), "managers": Fraction(1, 4)}


def test_health_parity_examples_from_the_spec() -> None:
    assert split_by_segment(100, HEALTH, parity_segment="users") == {
        "users": 50,
        "workers": 25,
        "managers": 25,
    }
    assert split_by_segment(564, HEALTH, parity_segment="users") == {
        "users": 282,
        "workers": 141,
        "managers": 141,
    }


def test_remainder_rule_keeps_parity() -> None:
    assert split_by_segment(101, HEALTH, parity_segment="users") == {
        "users": 51,
        "workers": 25,
        "managers": 25,
    }
    # Plain largest remainder would give 51/26/26 and break parity; the parity rule does not.
    assert split_by_segment(103, HEALTH) == {"users": 51, "workers": 26, "managers": 26}
    assert split_by_segment(103, HEALTH, parity_segment="users") == {
        "users": 52,
        "workers": 26,
        "managers": 25,
    }


def test_exact_split_total_rounds_up_to_a_multiple() -> None:
    assert exact_split_total(101, HEALTH) == 104
    assert exact_split_total(100, HEALTH) == 100
    assert exact_split_total(7, {"a": 1, "b": 2}) == 9


def test_split_errors() -> None:
    with pytest.raises(DelegationError):
        split_by_segment(10, {})
    with pytest.raises(DelegationError):
        split_by_segment(10, HEALTH, parity_segment="students")
    with pytest.raises(DelegationError):
        split_by_segment(10, {"a": -1, "b": 2})


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 5000),
    st.lists(st.integers(1, 12), min_size=1, max_size=5),
    st.booleans(),
)
def test_split_keeps_totals_and_parity(seats: int, weights: list[int], parity: bool) -> None:
    shares = {f"s{i}": w for i, w in enumerate(weights)}
    first = "s0" if parity else None
    result = split_by_segment(seats, shares, parity_segment=first)
    assert sum(result.values()) == seats
    total = sum(weights)
    # Largest remainder stays within one seat of each exact share; with parity the parity segment
    # is rounded up first, which can push the others up to (not including) two seats away.
    slack = 2 if parity else 1
    for name, weight in shares.items():
        exact = Fraction(seats * weight, total)
        assert exact - slack < result[name] < exact + slack
    if parity:
        exact_parity = Fraction(seats * weights[0], total)
        assert exact_parity <= result["s0"] < exact_parity + 1


def test_free_conference_formula() -> None:
    # "10 seats above 1,000 participants, plus 3 per further 500" (docs/spec.md §4).
    assert [free_conference_seats(n) for n in (0, 999, 1000, 1499, 1500, 2000, 2600)] == [
        0,
        0,
        10,
        10,
        13,
        16,
        19,
    ]
    assert free_conference_seats(10_000, FreeConferenceRule(max_seats=20)) == 20
    with pytest.raises(DelegationError):
        free_conference_seats(-1)


def person(ident: str, segment: str, woman: bool, *groups: str) -> Candidate:
    return Candidate(ident, segment, woman, frozenset(groups))


def test_election_passes_over_candidates_only_to_meet_the_gender_rule() -> None:
    ranked = [
        person("m1", "users", False),
        person("m2", "users", False),
        person("m3", "users", False),
        person("w1", "users", True),
        person("w2", "users", True),
        person("m4", "users", False),
    ]
    result = elect_delegation(ranked, {"users": 4}, CompositionRule())
    assert [c.id for c in result.titulars["users"]] == ["m1", "m2", "w1", "w2"]
    assert [c.id for c in result.alternates["users"]] == ["m3", "m4"]
    assert all(f.satisfied for f in result.findings)


def test_election_meets_gender_and_quota_together() -> None:
    rule = CompositionRule(
        quota_groups=frozenset({"black", "indigenous"}), min_quota=Fraction(3, 10)
    )
    ranked = [
        person("m1", "workers", False),
        person("m2", "workers", False),
        person("w1", "workers", True),
        person("w2", "workers", True, "black"),
        person("m3", "workers", False, "indigenous"),
        person("w3", "workers", True),
    ]
    result = elect_delegation(ranked, {"workers": 4}, rule)
    elected = result.titulars["workers"]
    assert sum(c.woman for c in elected) >= 2
    assert sum(rule.in_quota(c) for c in elected) >= 2  # ceil(0.3 × 4)
    # w2 and m3 are the only quota candidates, so both are needed; one more woman (w1, ranked
    # before w3) completes the gender rule; m1 keeps the last seat by rank, m2 becomes alternate.
    assert [c.id for c in elected] == ["m1", "w1", "w2", "m3"]
    assert [c.id for c in result.alternates["workers"]] == ["m2", "w3"]


def test_composition_is_relaxed_and_explained_when_too_few_stood() -> None:
    ranked = [
        person("m1", "managers", False),
        person("m2", "managers", False),
        person("w1", "managers", True),
    ]
    result = elect_delegation(ranked, {"managers": 2}, CompositionRule())
    gender = next(f for f in result.findings if f.rule == "gender")
    assert gender.required == 1 and gender.actual == 1 and gender.satisfied
    result = elect_delegation(ranked[:2], {"managers": 2}, CompositionRule())
    gender = next(f for f in result.findings if f.rule == "gender")
    assert gender.satisfied and "only 0 stood" in gender.explanation


def test_check_composition_reports_a_broken_rule() -> None:
    elected = [person("m1", "users", False), person("m2", "users", False)]
    pool = [*elected, person("w1", "users", True)]
    (finding,) = check_composition(elected, {"users": 2}, CompositionRule(), pool=pool)
    assert not finding.satisfied
    assert "0 women elected, 1 required" in finding.explanation


def test_too_few_candidates_is_a_finding() -> None:
    result = elect_delegation([person("w1", "users", True)], {"users": 3}, CompositionRule())
    assert any(f.rule == "seats" and not f.satisfied for f in result.findings)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=14),
    st.integers(1, 8),
)
def test_election_meets_the_rules_whenever_the_pool_allows(
    people: list[tuple[bool, bool]], seats: int
) -> None:
    rule = CompositionRule(quota_groups=frozenset({"q"}), min_quota=Fraction(3, 10))
    ranked = [
        person(f"p{i}", "s", woman, *(("q",) if quota else ()))
        for i, (woman, quota) in enumerate(people)
    ]
    result = elect_delegation(ranked, {"s": seats}, rule)
    elected = result.titulars["s"]
    assert len(elected) == min(seats, len(ranked))
    assert {c.id for c in elected} | {c.id for c in result.alternates["s"]} == {
        c.id for c in ranked
    }
    assert all(f.satisfied for f in result.findings if f.rule in ("gender", "quota"))
