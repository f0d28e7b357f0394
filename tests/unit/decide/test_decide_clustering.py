"""Portuguese normalisation, similarity, clustering and the submit-time near-duplicate lookup."""

from __future__ import annotations

import csv
import runpy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.core.decide.cluster_metrics import Labelled, pairwise
from shared.core.decide.clustering import (
    DEFAULT_THRESHOLD,
    ClusterItem,
    DuplicateIndex,
    cluster,
    near_duplicates,
    score,
)
from shared.core.decide.errors import ClusteringError
from shared.core.decide.text_normalise import normalise, stem
from tests.support.paths import DECIDE_DATA, REPO

ROOT = REPO
EVAL = DECIDE_DATA / "cluster_eval.csv"


def test_normalisation_handles_case_accents_plurals_and_acronyms() -> None:
    assert normalise("Ampliar as Unidades Básicas de Saúde") == "ampliar ubs"
    assert normalise("AMPLIAR AS UBS") == "ampliar ubs"
    assert normalise("Criação de um Centro de Atenção Psicossocial Álcool e Drogas") == normalise(
        "implantar CAPS AD"
    )
    assert normalise("Expandir a Estratégia Saúde da Família") == "ampliar esf"
    # stem sees words already lowercased and without accents; acronyms are kept whole
    assert stem("acoes") == stem("acao") and stem("hospitais") == stem("hospital")
    assert stem("ubs") == "ubs" and stem("caps") == "caps" and stem("ubss") == "ubs"
    assert stem("contratacao") == stem("contratar") == stem("contratacoes")
    # Snowball alone would give "medico" and "medicamento" one stem; the data keeps them apart
    assert stem("medicos") != stem("medicamentos")


def test_the_issue_decoy_does_not_merge_but_a_paraphrase_does() -> None:
    items = [
        ClusterItem("1", "Ampliar o número de UBS"),
        ClusterItem("2", "Reformar as UBS existentes"),
        ClusterItem("3", "Aumentar a quantidade de Unidades Básicas de Saúde"),
        ClusterItem("4", "ampliar o numero de ubs"),
    ]
    result = cluster(items)
    assert ["1", "3", "4"] in result.clusters
    assert ["2"] in result.clusters
    assert score(items[0].text, items[1].text) < DEFAULT_THRESHOLD


def test_clusters_stay_within_axis_and_cover_every_item_once() -> None:
    items = [
        ClusterItem("a", "Contratar médicos para a ESF", "saude"),
        ClusterItem("b", "contratar medicos para a ESF", "educacao"),
        ClusterItem("c", "Contratar médicos para as equipes de Saúde da Família", "saude"),
    ]
    result = cluster(items)
    assert sorted(result.clusters) == [["a", "c"], ["b"]]
    assert all(p.a != "b" and p.b != "b" for p in result.pairs)


def test_pairs_are_listed_once_in_input_order_with_scores_in_range() -> None:
    items = [ClusterItem(str(i), t) for i, t in enumerate(["x y z saúde", "x y z saude", "x y"])]
    pairs = cluster(items).pairs
    assert len({(p.a, p.b) for p in pairs}) == len(pairs)
    assert all(int(p.a) < int(p.b) and 0 <= p.score <= 1 for p in pairs)


def test_errors() -> None:
    with pytest.raises(ClusteringError, match="appears twice"):
        cluster([ClusterItem("1", "a"), ClusterItem("1", "b")])
    with pytest.raises(ClusteringError, match="threshold"):
        cluster([], 1.5)


words = st.sampled_from(
    ["ampliar", "UBS", "saúde", "mental", "reformar", "escola", "vacina", "médico", "rural", "CAPS"]
)
texts = st.lists(words, min_size=1, max_size=8).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(texts, texts)
def test_score_is_symmetric_bounded_and_one_on_identity(a: str, b: str) -> None:
    assert score(a, b) == score(b, a)
    assert 0.0 <= score(a, b) <= 1.0
    assert score(a, a) == 1.0
    assert score(a, a.upper()) == 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(texts, min_size=1, max_size=25), st.floats(0.05, 0.95))
def test_cluster_pairs_agree_with_score(batch: list[str], threshold: float) -> None:
    items = [ClusterItem(str(i), t) for i, t in enumerate(batch)]
    result = cluster(items, threshold)
    assert sorted(i for group in result.clusters for i in group) == sorted(x.id for x in items)
    text = {x.id: x.text for x in items}
    for pair in result.pairs:
        assert pair.score == pytest.approx(score(text[pair.a], text[pair.b]), abs=1e-4)


def test_near_duplicates_at_submit_time_survive_typos_and_respect_axis() -> None:
    existing = [
        ClusterItem("1", "Humanizar a atenção à saúde indígena, com psicólogo", "equidade"),
        ClusterItem("2", "Reformar as UBS existentes", "primaria"),
        ClusterItem("3", "Ampliar o número de UBS na zona rural", "primaria"),
    ]
    index = DuplicateIndex(existing)
    found = index.near_duplicates("Humanizar a atencao a saude inidgena, com psicologo")
    assert [m.b for m in found] == ["1"]
    assert (
        index.near_duplicates("aumentar a quantidade de unidades basicas de saude no campo")[0].b
        == "3"
    )
    assert index.near_duplicates("Humanizar a atenção à saúde indígena", axis="primaria") == []
    assert near_duplicates("Reformar as UBS existentes", existing)[0].score == 1.0


def _labelled() -> list[dict[str, str]]:
    with EVAL.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_evaluation_set_is_reproducible_from_its_generator() -> None:
    generator = runpy.run_path(str(ROOT / "scripts" / "make_cluster_eval.py"))
    rows = generator["build_rows"]()
    assert rows == _labelled()
    assert len(rows) >= 300


def test_default_threshold_still_does_well_on_the_generated_set() -> None:
    """The generated set shares its vocabulary with the matcher it was written for, so it is a
    regression check here, not the measure (that is the hand-written paraphrase set, see
    test_decide_paraphrases.py). At the default threshold the current matcher merges one of its
    decoy families (psychologist for health workers vs for schools) and, across families, the
    reform of one named UBS with the reform of UBS in general: precision 0.937, recall 0.893."""
    rows = _labelled()
    items = [Labelled(r["id"], r["text"], r["axis"], r["group"], r["family"]) for r in rows]
    figures = pairwise(items, DEFAULT_THRESHOLD)
    assert figures.precision >= 0.92
    assert figures.recall >= 0.87


def test_texts_without_content_words_are_not_duplicates() -> None:
    assert score("de da do", "a o e") == 0.0
    result = cluster([ClusterItem("1", "de"), ClusterItem("2", "da"), ClusterItem("3", "")])
    assert result.clusters == [["1"], ["2"], ["3"]]
