"""A suggested cluster's evidence: the pairs scored inside it, best first and at most
``EVIDENCE_KEPT`` (a common demand of a big state gathers hundreds of items, so tens of
thousands of pairs), while its mean similarity still counts every pair of members."""

from __future__ import annotations

import uuid
from itertools import combinations

from shared.core.decide.clustering import ClusterItem, cluster
from shared.features.consolidation.clusters import EVIDENCE_KEPT, Row, groups_of, suggested

PLACES = ["centro", "norte", "sul", "leste", "oeste", "vila nova", "jardim", "porto"]


def rows(count: int) -> list[Row]:
    made = []
    for n in range(count):
        text = (
            f"Ampliar o horário de atendimento das Unidades Básicas de Saúde do bairro "
            f"{PLACES[n % len(PLACES)]} até as 22 horas, com equipe completa ({n})"
        )
        made.append(Row(uuid.UUID(int=n + 1), "saude-1", "municipal", f"Proposta {n}", text, n))
    made.append(Row(uuid.UUID(int=999), "saude-1", "state", "Outra", "Reformar a ponte", None))
    return made


def test_a_big_cluster_keeps_its_best_pairs_and_the_mean_of_all_its_pairs() -> None:
    given = rows(40)
    (group,) = groups_of(given, 0.36, by_competence=False)
    members = {str(r.id) for r in group.rows}
    assert len(members) == 40 and str(uuid.UUID(int=999)) not in members
    scored = {
        frozenset((p.a, p.b)): p.score
        for p in cluster([ClusterItem(str(r.id), r.text, r.axis) for r in given], 0.36).pairs
    }
    every = [scored.get(frozenset(pair), 0.0) for pair in combinations(sorted(members), 2)]
    assert len(every) == 780 > EVIDENCE_KEPT
    assert group.mean_score == round(sum(every) / len(every), 4)
    assert len(group.pairs) == EVIDENCE_KEPT
    assert [p.score for p in group.pairs] == sorted(every, reverse=True)[:EVIDENCE_KEPT]
    assert all({p.a, p.b} <= members for p in group.pairs)


def test_the_suggestion_carries_every_item_the_shared_words_and_the_evidence() -> None:
    (suggestion,) = suggested(rows(5), 0.36)
    assert [i.title for i in suggestion.items] == [f"Proposta {n}" for n in range(5)]
    assert len(suggestion.pairs) == 10  # every pair of five, all scored
    # the words all five share (stems; "Unidades Básicas de Saúde" folded to "ubs"); not the
    # neighbourhoods, which differ
    assert {"ubs", "atend", "equip", "22"} <= set(suggestion.shared_words)
    assert not {"centr", "nort", "sul"} & set(suggestion.shared_words)
