#!/usr/bin/env python3
"""Time duplicate clustering at São Paulo scale, and the per-upload duplicate lookup.

Usage: python scripts/bench_clustering.py [--size 19000] [--axes 3] [--batch 18] [--seed 1]

Texts are recombined from the hand-written paraphrase set (tests/data/decide/paraphrase_eval.csv):
a proposal's wording, most often followed by a clause of another proposal of the same sector and
a place name, written 1 to 4 times, each time opened with a boilerplate lead ("Que o município",
"Garantir") or not and with noise (capitals, accents dropped, a swapped letter); ``--dense``
drops the recombination, the worst case. They are spread over ``--axes`` axes, so each axis
holds about size / axes texts, as a state conference's consolidation does. The script
prints the wall and CPU time of one ``cluster`` call over all of them (the text analysis
included, with cold caches), then the time of ``DuplicateIndex.add_many`` for one upload of
``--batch`` proposals against an index holding one axis's worth of texts. Timing is measured
here, never asserted in tests (docs/spec.md §9).
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path

from shared.core.decide.clustering import ClusterItem, DuplicateIndex, cluster
from shared.core.decide.text_normalise import analyse, strip_accents

ROOT = Path(__file__).resolve().parent.parent
PARAPHRASES = ROOT / "tests" / "data" / "decide" / "paraphrase_eval.csv"
LEADS = [
    "",
    "",
    "",
    "Que o município ",
    "Garantir ",
    "Propomos ",
    "- ",
    "Solicitamos que se possa ",
]
PLACES = [
    "no bairro Santa Rita",
    "na Vila Nova",
    "no distrito de Palmital",
    "na comunidade do Barreiro",
    "no Jardim Aeroporto",
    "na região sul",
    "no Conjunto Morada do Sol",
    "em todas as regiões",
]


def synthetic(size: int, axes: int, seed: int, *, dense: bool = False) -> list[ClusterItem]:
    """``size`` texts over ``axes`` axes. A *demand* is one phrasing of the set, most often
    joined with a clause of another phrasing of its sector and a place, so demands are new
    combinations; each demand is written 1 to 4 times with noise (the copies are the
    duplicates). ``dense`` skips the combining: every text is a noisy copy of one of the set's
    356 phrasings, so each has dozens of near-duplicates in its axis (a worst case)."""
    with PARAPHRASES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_sector: dict[str, list[str]] = {}
    for row in rows:
        by_sector.setdefault(row["axis"], []).append(row["text"].rstrip("."))
    sectors = sorted(by_sector)
    rng = random.Random(seed)
    items: list[ClusterItem] = []
    while len(items) < size:
        texts = by_sector[rng.choice(sectors)]
        demand = rng.choice(texts)
        if not dense:
            if rng.random() < 0.7:
                clause = rng.choice(texts).split(",")[0]
                demand = f"{demand}, {clause[0].lower()}{clause[1:]}"
            if rng.random() < 0.7:
                demand = f"{demand} {rng.choice(PLACES)}"
        axis = f"eixo-{rng.randrange(axes)}"
        for _ in range(1 if dense else rng.randint(1, 4)):
            items.append(ClusterItem(f"b{len(items)}", noisy(demand, rng), axis))
            if len(items) == size:
                break
    return items


def noisy(text: str, rng: random.Random) -> str:
    lead = rng.choice(LEADS)
    if lead:
        text = lead + text[0].lower() + text[1:]
    if rng.random() < 0.15:
        text = text.upper()
    if rng.random() < 0.3:
        text = strip_accents(text)
    if rng.random() < 0.3:
        words = text.split()
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 4:
            words[i] = w[:2] + w[3] + w[2] + w[4:]
        text = " ".join(words)
    return f"{text}."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=19_000)
    parser.add_argument("--axes", type=int, default=3)
    parser.add_argument("--batch", type=int, default=18)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dense", action="store_true", help="the worst case (see synthetic)")
    args = parser.parse_args()
    items = synthetic(args.size, args.axes, args.seed, dense=args.dense)
    analyse.cache_clear()
    start, cpu = time.perf_counter(), time.process_time()
    result = cluster(items)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    merged = sum(len(c) for c in result.clusters if len(c) > 1)
    print(
        f"cluster: {len(items)} texts in {args.axes} axes: {wall:.1f} s wall ({cpu:.1f} s CPU); "
        f"{len(result.pairs)} candidate pairs kept, {len(result.clusters)} clusters, "
        f"{merged} texts in a cluster of two or more"
    )
    one_axis = [i for i in items if i.axis == "eixo-0"]  # an upload: the axis's last texts
    existing, upload = one_axis[: -args.batch], one_axis[-args.batch :]
    index = DuplicateIndex(existing)
    index.add_many(one_axis[:1])  # build the postings once, as a long-lived index has
    start = time.perf_counter()
    found = index.add_many(upload)
    batch = time.perf_counter() - start
    print(
        f"DuplicateIndex.add_many: {len(upload)} new texts against {len(existing) + 1}: "
        f"{batch * 1000:.0f} ms ({sum(map(bool, found))} with possible duplicates)"
    )


if __name__ == "__main__":
    main()
