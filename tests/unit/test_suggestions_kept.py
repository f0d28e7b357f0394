"""Duplicate suggestions computed once and shown as the conference stands now: a merged, split
or moved item leaves its cluster, a cluster left with one item goes, an undo brings them back."""

from __future__ import annotations

from shared.contracts.http.consolidation import PairScore, SuggestedItem, Suggestion
from shared.features.consolidation.duplicates import still_current


def item(i: str) -> SuggestedItem:
    return SuggestedItem(id=i, competence="national", title=i, text=i, rank=None)


BASE = [
    Suggestion(
        axis="saude-1",
        items=[item("a"), item("b"), item("c")],
        pairs=[
            PairScore(a="a", b="b", score=0.9),
            PairScore(a="a", b="c", score=0.5),
            PairScore(a="b", b="c", score=0.7),
        ],
        mean_score=0.7,
        shared_words=["ubs"],
    ),
    Suggestion(
        axis="saude-1",
        items=[item("d"), item("e")],
        pairs=[PairScore(a="d", b="e", score=0.8)],
        mean_score=0.8,
        shared_words=["caps"],
    ),
]


def test_items_no_longer_active_leave_their_clusters() -> None:
    shown = still_current(BASE, {"a", "b", "d", "x"})  # c merged away, e merged away
    assert [[i.id for i in s.items] for s in shown] == [["a", "b"]]
    (ab,) = shown
    assert [(p.a, p.b) for p in ab.pairs] == [("a", "b")] and ab.mean_score == 0.9
    assert ab.shared_words == ["ubs"]


def test_an_undo_brings_the_cluster_back_as_it_was() -> None:
    assert still_current(BASE, {"a", "b", "c", "d", "e"}) == [BASE[1], BASE[0]]
    assert still_current(BASE, set()) == []
