#!/usr/bin/env python3
"""Time duplicate clustering at São Paulo scale, and the per-upload duplicate lookup.

Usage: python scripts/bench_clustering.py [--size 19000] [--axes 3] [--batch 18] [--seed 1]

Texts (shared/tools/simulation/suggestions.py, which ``plenaria bench`` uses too) are recombined
from the hand-written paraphrase set (tests/data/decide/paraphrase_eval.csv, its first three splits):
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
import time

from shared.core.decide.clustering import DuplicateIndex
from shared.tools.simulation.suggestions import measure_suggestions, synthetic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=19_000)
    parser.add_argument("--axes", type=int, default=3)
    parser.add_argument("--batch", type=int, default=18)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dense", action="store_true", help="the worst case (see synthetic)")
    args = parser.parse_args()
    m = measure_suggestions(args.size, args.axes, args.seed, dense=args.dense)
    print(
        f"cluster: {m['texts']} texts in {args.axes} axes: {m['seconds']:.1f} s wall "
        f"({m['cpu_seconds']:.1f} s CPU); {m['candidate_pairs']} candidate pairs kept, "
        f"{m['clusters']} clusters, {m['clustered_texts']} texts in a cluster of two or more"
    )
    items = synthetic(args.size, args.axes, args.seed, dense=args.dense)
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
