"""How well a clustering finds labelled duplicates: the figures the evaluation script prints and
the tests assert, computed one way for both.

A *labelled item* has an id, a text, an axis, a ``group`` (items of one group are the same demand)
and a ``family`` (groups of one family share a topic but ask for different things: the decoys).
Pairwise figures count unordered pairs of items: a true pair is two items of one group.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shared.core.decide.clustering import ClusterItem, cluster

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Labelled:
    id: str
    text: str
    axis: str
    group: str
    family: str


@dataclass(frozen=True, slots=True)
class PairwiseFigures:
    threshold: float
    precision: float  # merged pairs that are true pairs (1.0 when nothing is merged)
    recall: float  # true pairs that were merged
    merged: int
    decoy_merges: int  # wrong merged pairs within one family
    other_merges: int  # wrong merged pairs across families

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def true_pairs(items: Iterable[Labelled]) -> set[Pair]:
    by_group: dict[str, list[str]] = defaultdict(list)
    for item in items:
        by_group[item.group].append(item.id)
    return {_pair(a, b) for ids in by_group.values() for a, b in itertools.combinations(ids, 2)}


def average_precision(items: Sequence[Labelled]) -> float:
    """Average precision of the ranked candidate pairs ``cluster`` scores (a true pair never
    scored counts as missed, so blocking losses show here)."""
    positives = true_pairs(items)
    if not positives:
        return 1.0
    scored = cluster(_cluster_items(items), 1.0).pairs
    ranked = sorted(scored, key=lambda p: (-p.score, p.a, p.b))
    hits, total = 0, 0.0
    for rank, pair in enumerate(ranked, start=1):
        if _pair(pair.a, pair.b) in positives:
            hits += 1
            total += hits / rank
    return total / len(positives)


def pairwise(items: Sequence[Labelled], threshold: float) -> PairwiseFigures:
    """Pairwise precision and recall of ``cluster(items, threshold)``."""
    positives = true_pairs(items)
    family = {item.id: item.family for item in items}
    result = cluster(_cluster_items(items), threshold)
    merged = {_pair(a, b) for group in result.clusters for a, b in itertools.combinations(group, 2)}
    wrong = merged - positives
    decoys = sum(1 for a, b in wrong if family[a] == family[b])
    return PairwiseFigures(
        threshold=threshold,
        precision=len(merged & positives) / len(merged) if merged else 1.0,
        recall=len(merged & positives) / len(positives) if positives else 1.0,
        merged=len(merged),
        decoy_merges=decoys,
        other_merges=len(wrong) - decoys,
    )


def choose_threshold(
    splits: Sequence[Sequence[Labelled]], *, min_precision: float, steps: Iterable[float]
) -> tuple[float, list[PairwiseFigures]]:
    """The lowest threshold (so the best recall) at which every split, clustered on its own,
    reaches ``min_precision`` (decoys merged count against it), and the figures there."""
    for threshold in sorted(steps):
        figures = [pairwise(items, threshold) for items in splits]
        if all(f.precision >= min_precision for f in figures):
            return threshold, figures
    raise ValueError(f"no threshold reaches precision {min_precision} on every split")


def _cluster_items(items: Sequence[Labelled]) -> list[ClusterItem]:
    return [ClusterItem(item.id, item.text, item.axis) for item in items]


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)
