"""An election's ties are broken in the order candidates stood, and the result says so."""

from __future__ import annotations

from shared.core.elections import break_ties

NAMES = {"a": "Ana", "b": "Bruno", "c": "Carla", "d": "Diego"}


def test_every_tie_is_broken_in_standing_order_and_noted() -> None:
    order, notes = break_ties(
        [["c", "a"], ["d"], ["b", "d-gone"]],
        scores={"a": 5, "c": 5, "d": 3, "b": 1},
        names=NAMES,
        standing_order=["a", "b", "c", "d"],
    )
    assert order == ["a", "c", "d", "b"]
    assert len(notes) == 1
    assert "Ana, Carla had 5 each" in notes[0] and "order in which they stood" in notes[0]


def test_all_candidates_tied() -> None:
    order, notes = break_ties(
        [["d", "c", "b", "a"]],
        scores=dict.fromkeys("abcd", 0.0),
        names=NAMES,
        standing_order=["b", "a", "d", "c"],
    )
    assert order == ["b", "a", "d", "c"]
    assert notes == [
        "tie: Bruno, Ana, Diego, Carla had 0 each; broken by the order in which they stood as "
        "candidates (first to stand ranks first)"
    ]


def test_no_tie_no_note() -> None:
    assert break_ties([["a"], ["b"]], scores={}, names=NAMES, standing_order=[]) == (
        ["a", "b"],
        [],
    )
