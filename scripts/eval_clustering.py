#!/usr/bin/env python3
"""Measure duplicate clustering on the labelled set and time it on 20,000 texts.

Usage: python scripts/eval_clustering.py [--eval tests/data/decide/cluster_eval.csv] [--size 20000]

Prints, for the labelled set (see scripts/make_cluster_eval.py): average precision of the scored
candidate pairs (pairs never scored count as missed), blocking recall, and per threshold the
pairwise precision / recall / F1 of the clusters and how many decoy pairs (same family, different
demand) and other wrong pairs were merged; then the best F1 among thresholds that merge no wrong
pair at all. This set was generated with the same vocabulary as the matcher, so its figures are
optimistic: ``DEFAULT_THRESHOLD`` is chosen, and the matcher measured, on the hand-written
paraphrase set by scripts/eval_paraphrases.py. Finally it clusters ``--size`` synthetic proposals in one
axis (the worst case for blocking) and prints the wall time and how many of the noisy copies of a
proposal ended up together (duplicates by construction; other merges there are not errors by
construction, so no precision is claimed). Speed is measured here, never asserted in tests (docs/spec.md §9).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import time
from pathlib import Path

from shared.core.decide.clustering import ClusterItem, cluster
from shared.core.decide.text_normalise import strip_accents

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT / "tests" / "data" / "decide" / "cluster_eval.csv"


def load(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def true_pairs(rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    by_group: dict[str, list[str]] = {}
    for row in rows:
        by_group.setdefault(row["group"], []).append(row["id"])
    return {tuple(sorted(p)) for ids in by_group.values() for p in itertools.combinations(ids, 2)}  # type: ignore[misc]


def average_precision(
    scored: list[tuple[str, str, float]], positives: set[tuple[str, str]]
) -> float:
    hits = 0
    total = 0.0
    for rank, (a, b, _) in enumerate(sorted(scored, key=lambda p: -p[2]), start=1):
        if tuple(sorted((a, b))) in positives:
            hits += 1
            total += hits / rank
    return total / len(positives)


def evaluate(rows: list[dict[str, str]]) -> float:
    items = [ClusterItem(r["id"], r["text"], r["axis"]) for r in rows]
    family = {r["id"]: r["family"] for r in rows}
    group = {r["id"]: r["group"] for r in rows}
    positives = true_pairs(rows)
    base = cluster(items, 1.0)
    scored = [(p.a, p.b, p.score) for p in base.pairs]
    blocked = {tuple(sorted((a, b))) for a, b, _ in scored}
    print(
        f"labelled set: {len(rows)} proposals, {len(set(group.values()))} groups, "
        f"{len(positives)} duplicate pairs, {len(scored)} candidate pairs scored"
    )
    print(
        f"blocking recall (duplicate pairs that were scored): {len(positives & blocked) / len(positives):.3f}"
    )
    ap = average_precision(scored, positives)
    print(f"average precision of pair scores: {ap:.3f}")
    best: tuple[float, float] | None = None
    print("threshold  precision  recall  F1     decoy-merges  other-false-merges")
    for step in range(10, 91):
        threshold = step / 100
        result = cluster(items, threshold)
        predicted = {
            tuple(sorted(p))
            for members in result.clusters
            for p in itertools.combinations(members, 2)
        }
        tp = len(predicted & positives)
        precision = tp / len(predicted) if predicted else 1.0
        recall = tp / len(positives)
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        wrong = predicted - positives
        decoys = sum(1 for a, b in wrong if family[a] == family[b])
        if step % 5 == 0 or (not wrong and (best is None or f1 > best[1])):
            print(
                f"{threshold:9.2f}  {precision:9.3f}  {recall:6.3f}  {f1:.3f}  {decoys:12d}  {len(wrong) - decoys:18d}"
            )
        if not wrong and (best is None or f1 > best[1]):
            best = (threshold, f1)
    assert best is not None
    print(
        f"best threshold on this generated set (best F1 merging no decoy nor any other wrong "
        f"pair; DEFAULT_THRESHOLD comes from scripts/eval_paraphrases.py): "
        f"{best[0]:.2f} (F1 {best[1]:.3f})"
    )
    return best[0]


ACTIONS = [
    "Ampliar", "Reformar", "Construir", "Implantar", "Garantir", "Capacitar profissionais para",
    "Contratar equipe para", "Equipar", "Fortalecer", "Informatizar", "Regionalizar", "Descentralizar",
    "Humanizar", "Monitorar", "Divulgar", "Financiar", "Integrar", "Avaliar", "Qualificar", "Reabrir",
]  # fmt: skip
OBJECTS = [
    "o atendimento odontológico", "as Unidades Básicas de Saúde", "os leitos de UTI", "a farmácia básica",
    "o transporte sanitário", "o CAPS", "a Estratégia Saúde da Família", "a vigilância sanitária",
    "o centro de zoonoses", "a maternidade", "o pronto atendimento", "o laboratório municipal",
    "a sala de vacina", "o serviço de fisioterapia", "a hemodiálise", "o atendimento psicológico",
    "a ouvidoria do SUS", "o conselho municipal de saúde", "a regulação de consultas", "o SAMU",
    "a atenção domiciliar", "as práticas integrativas", "o programa de tabagismo", "a saúde do trabalhador",
    "o controle da dengue", "a saúde bucal nas escolas", "o ambulatório de especialidades",
    "o acompanhamento de gestantes", "o cuidado de pessoas com diabetes", "o rastreamento de câncer de mama",
    "o acolhimento de usuários de drogas", "a atenção à saúde indígena", "a saúde da população negra",
    "o atendimento a vítimas de violência", "o teste do pezinho", "a distribuição de fraldas geriátricas",
    "a oferta de óculos", "os exames de imagem", "a telemedicina", "o prontuário eletrônico",
]  # fmt: skip
QUALIFIERS = [
    "na zona rural", "para a população idosa", "nos bairros periféricos", "para pessoas com deficiência",
    "com equipe multiprofissional", "em horário estendido", "para gestantes", "nas comunidades quilombolas",
    "para crianças e adolescentes", "para a população em situação de rua", "nos distritos",
    "com recursos próprios do município", "em parceria com o estado", "com controle social",
    "para mulheres", "para a juventude", "para a população LGBTQIA+", "nas aldeias",
    "para trabalhadores rurais", "nas escolas", "aos finais de semana", "com busca ativa",
]  # fmt: skip


PLACE_HEADS = [
    "Jardim", "Vila", "Parque", "Conjunto", "Residencial", "Alto", "Morro", "Distrito de",
    "Comunidade", "Assentamento", "Loteamento", "Sítio", "Povoado de", "Bairro", "Setor",
]  # fmt: skip
PLACE_TAILS = [
    "das Flores", "São José", "Esperança", "Primavera", "Boa Vista", "Santa Luzia", "Bela Vista",
    "Aurora", "dos Pinheiros", "Nova Canaã", "do Sol", "Santo Antônio", "Itapuã", "Guarani",
    "Tupinambá", "Cajueiro", "das Palmeiras", "Boa Esperança", "São Pedro", "Paraíso", "Cruzeiro",
    "Liberdade", "Vitória", "Jatobá", "Ipê Amarelo", "Mangueira", "Buritis", "Serra Verde",
    "Lagoa Seca", "Rio Claro", "Pedra Branca", "Campo Alegre", "Monte Sinai", "Caiçara",
]  # fmt: skip
DETAILS = [
    "com pelo menos {n} profissionais", "até {year}", "atendendo cerca de {n}00 famílias",
    "com carro próprio", "com prontuário eletrônico", "com acessibilidade", "com sala de espera climatizada",
    "com agendamento por telefone", "com médico todos os dias", "com dentista", "com enfermeiro obstetra",
    "com agentes comunitários", "com farmácia", "com psicólogo", "com assistente social",
    "em parceria com a universidade", "com recursos de emenda parlamentar", "com internet",
    "com gerador de energia", "com rampa de acesso", "com coleta de exames", "com vacinação",
]  # fmt: skip


def synthetic_proposals(
    size: int, seed: int = 7, *, combinatorial: bool = False
) -> tuple[list[ClusterItem], list[int]]:
    """``size`` texts, 1–4 noisy copies (case, accents, typos) of each distinct proposal, and the
    number of the proposal each text copies.

    Demands are action × object × qualifier; by default most also name a place or a detail, as
    municipal proposals do. ``combinatorial`` drops those and adds a second qualifier instead:
    a worst case in which thousands of texts share three quarters of their words.
    """
    rng = random.Random(seed)
    items: list[ClusterItem] = []
    labels: list[int] = []
    seen: set[str] = set()
    while len(items) < size:
        action, obj, qualifier = rng.choice(ACTIONS), rng.choice(OBJECTS), rng.choice(QUALIFIERS)
        if combinatorial:
            base = f"{action} {obj} {qualifier}, {rng.choice(QUALIFIERS)}."
        else:
            parts = [f"{action} {obj}"]
            if rng.random() < 0.5:
                parts.append(qualifier)
            if rng.random() < 0.7:
                parts.append(f"no {rng.choice(PLACE_HEADS)} {rng.choice(PLACE_TAILS)}")
            if rng.random() < 0.6:
                detail = rng.choice(DETAILS)
                parts.append(detail.format(n=rng.randint(2, 30), year=rng.randint(2025, 2030)))
            base = ", ".join(parts) + "."
        if base in seen:
            continue
        seen.add(base)
        for _ in range(rng.randint(1, 4)):
            text = base
            if rng.random() < 0.4:
                text = text.lower()
            if rng.random() < 0.3:
                text = strip_accents(text)
            if rng.random() < 0.3:
                words = text.split()
                i = rng.randrange(len(words))
                if len(words[i]) > 4:
                    w = words[i]
                    words[i] = w[:2] + w[3] + w[2] + w[4:]
                text = " ".join(words)
            items.append(ClusterItem(f"s{len(items)}", text, "eixo"))
            labels.append(len(seen))
            if len(items) == size:
                break
    return items, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument(
        "--combinatorial", action="store_true", help="time the worst-case template corpus instead"
    )
    args = parser.parse_args()
    threshold = evaluate(load(args.eval))
    items, labels = synthetic_proposals(args.size, combinatorial=args.combinatorial)
    start, cpu = time.perf_counter(), time.process_time()
    result = cluster(items, threshold)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    cluster_of = {item_id: n for n, members in enumerate(result.clusters) for item_id in members}
    copies: dict[int, list[str]] = {}
    for item, label in zip(items, labels, strict=True):
        copies.setdefault(label, []).append(item.id)
    copy_pairs = [p for ids in copies.values() for p in itertools.combinations(ids, 2)]
    together = sum(1 for a, b in copy_pairs if cluster_of[a] == cluster_of[b])
    print(
        f"clustered {len(items)} synthetic texts in one axis at threshold {threshold:.2f}: "
        f"{elapsed:.1f} s wall ({cpu:.1f} s CPU), {len(result.pairs)} candidate pairs kept, {len(result.clusters)} clusters; "
        f"noisy copies kept together: {together / len(copy_pairs):.3f} of {len(copy_pairs)} pairs"
    )


if __name__ == "__main__":
    main()
