"""``DuplicateIndex.add_many`` answers, for a whole batch at once, exactly what asking
``near_duplicates`` and then adding one text at a time answers."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.core.decide.clustering import ClusterItem, DuplicateIndex, ScoredPair
from tests.support.paths import DECIDE_DATA

EVAL = DECIDE_DATA / "cluster_eval.csv"


def one_at_a_time(
    existing: list[ClusterItem], batch: list[ClusterItem], threshold: float, within_axis: bool
) -> list[list[ScoredPair]]:
    index = DuplicateIndex(existing)
    found = []
    for item in batch:
        axis = item.axis if within_axis else None
        found.append(index.near_duplicates(item.text, axis=axis, threshold=threshold))
        index.add(item)
    return found


def labelled() -> list[ClusterItem]:
    with EVAL.open(encoding="utf-8", newline="") as handle:
        return [ClusterItem(r["id"], r["text"], r["axis"]) for r in csv.DictReader(handle)]


@pytest.mark.parametrize(
    ("split", "threshold", "within_axis"),
    [(0, 0.5, True), (0, 0.3, True), (120, 0.5, True), (60, 0.2, False), (299, 0.3, True)],
)
def test_batch_equals_one_at_a_time_on_the_labelled_set(
    split: int, threshold: float, within_axis: bool
) -> None:
    items = labelled()
    existing, batch = items[:split], items[split:]
    expected = one_at_a_time(existing, batch, threshold, within_axis)
    index = DuplicateIndex(existing)
    assert index.add_many(batch, threshold=threshold, within_axis=within_axis) == expected
    assert sum(map(bool, expected)) > 0
    assert len(index) == len(items)
    # the index stays usable one text at a time after a batch
    assert index.near_duplicates(items[-1].text, axis=items[-1].axis)[0].b == items[-1].id


def test_batch_keys_follow_the_counts_before_each_text() -> None:
    """Many copies of one text: past the key cap, later copies find candidates only through
    keys still rare when they arrive, as one at a time."""
    text = "Ampliar o número de UBS na zona rural com médicos"
    batch = [ClusterItem(str(i), f"{text} {i % 7}", "a") for i in range(450)]
    batch += [ClusterItem(f"x{i}", f"Reformar escola {i}", "b") for i in range(30)]
    expected = one_at_a_time([], batch, 0.5, True)
    assert DuplicateIndex().add_many(batch, threshold=0.5) == expected


def test_empty_batch_and_empty_texts() -> None:
    assert DuplicateIndex().add_many([]) == []
    batch = [ClusterItem("1", "de"), ClusterItem("2", ""), ClusterItem("3", "de")]
    assert DuplicateIndex().add_many(batch) == [[], [], []]


words = st.sampled_from(
    ["ampliar", "UBS", "saúde", "mental", "reformar", "escola", "vacina", "médico", "rural", "de"]
)
texts = st.lists(words, min_size=0, max_size=8).map(" ".join)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(texts, st.sampled_from(["a", "b"])), min_size=0, max_size=30),
    st.integers(0, 30),
    st.floats(0.0, 1.0),
    st.booleans(),
)
def test_batch_equals_one_at_a_time(
    rows: list[tuple[str, str]], split: int, threshold: float, within_axis: bool
) -> None:
    items = [ClusterItem(str(i), text, axis) for i, (text, axis) in enumerate(rows)]
    existing, batch = items[:split], items[split:]
    expected = one_at_a_time(existing, batch, threshold, within_axis)
    got = DuplicateIndex(existing).add_many(batch, threshold=threshold, within_axis=within_axis)
    assert got == expected
