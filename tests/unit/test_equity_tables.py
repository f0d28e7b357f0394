"""Equity tables add up exactly and publish nothing that singles anyone out: a count below the
threshold is withheld, with the next smallest of an exclusive dimension so that the total minus
the others cannot reveal it, and a table of fewer people than the threshold is withheld whole."""

from __future__ import annotations

from shared.core.equity import MIN_CELL, add, count, suppress


def test_counts_by_segment_gender_and_each_group_a_person_is_in() -> None:
    total, cells = count(
        [("users", "woman", ["black", "youth"], 3), ("workers", "man", [], 2), ("users", "", [], 1)]
    )
    assert total == 6
    assert cells["segment"] == {"users": 4, "workers": 2}
    assert cells["gender"] == {"woman": 3, "man": 2, "undeclared": 1}
    assert cells["group"] == {"black": 3, "youth": 3}


def test_a_states_tables_are_the_sums_of_its_assemblies() -> None:
    a = count([("users", "woman", ["black"], 7)])
    b = count([("users", "man", ["black"], 5), ("workers", "woman", [], 1)])
    assert add([a, b]) == (
        13,
        {
            "segment": {"users": 12, "workers": 1},
            "gender": {"woman": 8, "man": 5},
            "group": {"black": 12},
        },
    )


def test_small_cells_are_withheld_with_their_complement() -> None:
    total, cells = count(
        [("users", "woman", ["pcd"], 40), ("users", "man", [], 30), ("users", "non_binary", [], 2)]
    )
    shown_total, shown = suppress(total, cells)
    assert shown_total == 72
    # 72 − 40 − 30 would give the 2 away: the next smallest (30) is withheld too.
    assert shown["gender"] == {"woman": 40, "man": None, "non_binary": None}
    assert shown["group"] == {"pcd": 40}
    _, few = suppress(*count([("users", "woman", ["pcd"], 40), ("users", "man", ["pcd"], 3)]))
    assert few["group"] == {"pcd": 43}  # groups overlap: no complement to hide
    assert few["gender"]["man"] is None and few["gender"]["woman"] is None


def test_a_table_of_fewer_people_than_the_threshold_shows_no_number() -> None:
    shown_total, shown = suppress(*count([("users", "woman", ["black"], MIN_CELL - 1)]))
    assert shown_total is None
    assert all(n is None for values in shown.values() for n in values.values())
    assert suppress(0, {"segment": {}})[0] == 0
