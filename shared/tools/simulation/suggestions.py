"""Duplicate suggestions at São Paulo scale: the timing ``plenaria bench`` reports.

São Paulo's state conference consolidates about 19,000 proposals; the question asked of them is
"which of these are the same demand?" (``shared.core.decide.clustering.cluster``). The texts are
recombined from the hand-written paraphrase set (``tests/data/decide/paraphrase_eval.csv``, so
this runs from a checkout): a proposal's wording, most often followed by a clause of another
proposal of the same sector and a place name, written 1 to 4 times, each time opened with a
boilerplate lead ("Que o município", "Garantir") or not and with noise (capitals, accents
dropped, a swapped letter); ``dense`` drops the recombination, the worst case. They are spread
over ``axes`` axes, as a state consolidation's are. Timing is measured, never asserted in tests.
"""

from __future__ import annotations

import csv
import random
import time
from pathlib import Path
from typing import Any

from shared.core.decide.clustering import ClusterItem, cluster
from shared.core.decide.text_normalise import analyse, strip_accents

PARAPHRASES = (
    Path(__file__).resolve().parents[3] / "tests" / "data" / "decide" / "paraphrase_eval.csv"
)
SAO_PAULO_PROPOSALS = 19_000
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
    phrasings, so each has dozens of near-duplicates in its axis (a worst case)."""
    with PARAPHRASES.open(encoding="utf-8", newline="") as handle:
        # the splits there were when the benchmark was first measured: the same texts since
        rows = [r for r in csv.DictReader(handle) if r["split"] in ("tune", "held", "fresh")]
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


def measure_suggestions(
    size: int = SAO_PAULO_PROPOSALS, axes: int = 3, seed: int = 1, *, dense: bool = False
) -> dict[str, Any]:
    """One ``cluster`` call over ``size`` synthetic proposals, text analysis included (cold
    caches): its wall and CPU seconds and what it found."""
    items = synthetic(size, axes, seed, dense=dense)
    analyse.cache_clear()
    start, cpu = time.perf_counter(), time.process_time()
    result = cluster(items)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "texts": len(items),
        "axes": axes,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "candidate_pairs": len(result.pairs),
        "clusters": len(result.clusters),
        "clustered_texts": sum(len(c) for c in result.clusters if len(c) > 1),
    }
