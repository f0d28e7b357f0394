#!/usr/bin/env python3
"""Measure duplicate matching on the hand-written paraphrase set: tuning splits and a fresh one.

Usage: python scripts/eval_paraphrases.py [--errors] [--min-precision 0.95]

The set (tests/data/decide/paraphrase_eval.csv, described in paraphrase_eval.md) was written by
hand, not by the generator of cluster_eval.csv; each topic family is in one split. *tune* shaped
the first vocabulary; *held* was held out for the first version, then tuning data (round 2);
*fresh* was held out for round 2, then tuning data (round 3); *fresh2* was written after round
3 was committed and is the held-out measure. For each split, clustered on its own: average
precision of the scored pairs and pairwise precision / recall / decoy merges per threshold. The
threshold recommended for ``DEFAULT_THRESHOLD`` is chosen on the tuning splits only (the lowest
at which all reach ``--min-precision``); the held-out split is read at ``DEFAULT_THRESHOLD``.
``--errors`` lists missed and wrong pairs of the tuning splits only: the held-out split is for
reporting, never for tuning. The old generated set is reported too, for comparison.
"""

from __future__ import annotations

import argparse
import csv
import itertools
from pathlib import Path

from shared.core.decide.cluster_metrics import (
    Labelled,
    PairwiseFigures,
    average_precision,
    choose_threshold,
    pairwise,
    true_pairs,
)
from shared.core.decide.clustering import DEFAULT_THRESHOLD, ClusterItem, cluster, score

ROOT = Path(__file__).resolve().parent.parent
PARAPHRASES = ROOT / "tests" / "data" / "decide" / "paraphrase_eval.csv"
GENERATED = ROOT / "tests" / "data" / "decide" / "cluster_eval.csv"
STEPS = [step / 100 for step in range(10, 91)]
TUNING = ("tune", "held", "fresh")  # see paraphrase_eval.md for when each became tuning data
HELD_OUT = "fresh2"


def load(path: Path, split: str | None = None) -> list[Labelled]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        Labelled(r["id"], r["text"], r["axis"], r["group"], r["family"])
        for r in rows
        if split is None or r["split"] == split
    ]


def line(figures: PairwiseFigures) -> str:
    return (
        f"{figures.threshold:9.2f}  {figures.precision:9.3f}  {figures.recall:6.3f}  "
        f"{figures.f1:.3f}  {figures.decoy_merges:12d}  {figures.other_merges:12d}"
    )


def report(name: str, items: list[Labelled], table: bool) -> None:
    positives = true_pairs(items)
    groups = len({i.group for i in items})
    print(f"\n== {name}: {len(items)} proposals, {groups} groups, {len(positives)} true pairs")
    print(f"average precision: {average_precision(items):.3f}")
    scored = cluster([ClusterItem(i.id, i.text, i.axis) for i in items], 1.0).pairs
    blocked = {tuple(sorted((p.a, p.b))) for p in scored}
    print(
        f"true pairs scored (blocking recall, score floor included): {len(positives & blocked) / len(positives):.3f}"
    )
    if table:
        print("threshold  precision  recall  F1     decoy-merges  other-merges")
        for step in range(15, 81, 5):
            print(line(pairwise(items, step / 100)))
    print("at DEFAULT_THRESHOLD:")
    print(line(pairwise(items, DEFAULT_THRESHOLD)))


def errors(items: list[Labelled], threshold: float) -> None:
    text = {i.id: i.text for i in items}
    group = {i.id: i.group for i in items}
    result = cluster([ClusterItem(i.id, i.text, i.axis) for i in items], threshold)
    merged = {tuple(sorted(p)) for c in result.clusters for p in itertools.combinations(c, 2)}
    positives = true_pairs(items)
    print(f"\n-- tuning splits, missed pairs at {threshold:.2f} (score, texts)")
    for a, b in sorted(positives - merged, key=lambda p: -score(text[p[0]], text[p[1]])):
        print(f"{score(text[a], text[b]):.3f}  [{group[a]}] {text[a]}  ||  {text[b]}")
    print(f"\n-- tuning splits, wrong merges at {threshold:.2f}")
    for a, b in sorted(merged - positives):
        print(f"{score(text[a], text[b]):.3f}  [{group[a]} / {group[b]}] {text[a]}  ||  {text[b]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the tuning splits' errors")
    parser.add_argument("--min-precision", type=float, default=0.95)
    args = parser.parse_args()
    tuning = [load(PARAPHRASES, split) for split in TUNING]
    for split, items in zip(TUNING, tuning, strict=True):
        report(f"paraphrases, {split} split (tuning)", items, table=True)
    chosen, figures = choose_threshold(tuning, min_precision=args.min_precision, steps=STEPS)
    recalls = " / ".join(f"{f.recall:.3f}" for f in figures)
    print(
        f"\nrecommended threshold (the lowest at which {', '.join(TUNING)} all reach precision "
        f">= {args.min_precision}): {chosen:.2f} (recall {recalls}); "
        f"DEFAULT_THRESHOLD is {DEFAULT_THRESHOLD}"
    )
    held_out = load(PARAPHRASES, HELD_OUT)
    if held_out:
        report(f"paraphrases, {HELD_OUT} split (held out)", held_out, table=True)
    report("generated set (scripts/make_cluster_eval.py)", load(GENERATED), table=False)
    if args.errors:
        errors([item for items in tuning for item in items], DEFAULT_THRESHOLD)


if __name__ == "__main__":
    main()
