"""The lazy average-link agglomeration of ``clustering`` against a naive one written plainly:
recompute every cluster-pair average, merge the best while it reaches the threshold."""

from __future__ import annotations

import itertools
import random

import pytest

from shared.core.decide.clustering import _average_link


def naive_average_link(
    count: int, pairs: dict[tuple[int, int], float], threshold: float
) -> list[list[int]]:
    clusters = [[i] for i in range(count)]
    while True:
        best: tuple[float, int, int] | None = None
        for x, y in itertools.combinations(range(len(clusters)), 2):
            total = sum(
                pairs.get((min(i, j), max(i, j)), 0.0) for i in clusters[x] for j in clusters[y]
            )
            average = total / (len(clusters[x]) * len(clusters[y]))
            if average >= threshold and (best is None or average > best[0]):
                best = (average, x, y)
        if best is None:
            return sorted(sorted(c) for c in clusters)
        _, x, y = best
        clusters[x] += clusters.pop(y)


@pytest.mark.parametrize("seed", range(150))
def test_lazy_average_link_equals_the_naive_one(seed: int) -> None:
    rng = random.Random(seed)
    count = rng.randint(2, 14)
    pairs = {
        (i, j): rng.random()
        for i, j in itertools.combinations(range(count), 2)
        if rng.random() < 0.6
    }
    threshold = rng.uniform(0.2, 0.7)
    ordered = sorted(pairs)
    got = _average_link(
        count,
        [i for i, _ in ordered],
        [j for _, j in ordered],
        [pairs[p] for p in ordered],
        threshold,
    )
    assert got == naive_average_link(count, pairs, threshold)
