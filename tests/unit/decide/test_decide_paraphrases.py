"""Duplicate matching on the hand-written paraphrase set, and the cases the issue names: a
paraphrase with other words merges, a word that changes the demand keeps two texts apart, and
accents, capitals and typos do not stand in the way."""

from __future__ import annotations

import csv
import tomllib
from importlib import resources
from typing import Any

import pytest

from shared.core.decide import vocabulary as vocabulary_module
from shared.core.decide.cluster_metrics import (
    Labelled,
    average_precision,
    choose_threshold,
    pairwise,
)
from shared.core.decide.clustering import (
    DEFAULT_THRESHOLD,
    ClusterItem,
    DuplicateIndex,
    cluster,
    score,
)
from shared.core.decide.pair_scores import CONTRAST_MISMATCH
from shared.core.decide.text_normalise import normalise
from shared.core.decide.vocabulary import VocabularyError, fold, vocabulary
from tests.support.paths import DECIDE_DATA

SET = DECIDE_DATA / "paraphrase_eval.csv"


def load(split: str) -> list[Labelled]:
    with SET.open(encoding="utf-8", newline="") as handle:
        return [
            Labelled(r["id"], r["text"], r["axis"], r["group"], r["family"])
            for r in csv.DictReader(handle)
            if r["split"] == split
        ]


def test_the_set_has_four_splits_by_topic_family() -> None:
    splits = {s: load(s) for s in ("tune", "held", "fresh", "fresh2")}
    assert [len(items) for items in splits.values()] == [178, 178, 150, 187]
    families = [{i.family for i in items} for items in splits.values()]
    for k, own in enumerate(families):
        assert not own & set().union(*(f for j, f in enumerate(families) if j != k))


TUNING = ("tune", "held", "fresh")  # fresh became tuning data in round 3 (paraphrase_eval.md)


def test_the_default_threshold_is_the_one_the_tuning_splits_choose() -> None:
    chosen, figures = choose_threshold(
        [load(s) for s in TUNING], min_precision=0.95, steps=[s / 100 for s in range(10, 91)]
    )
    assert chosen == DEFAULT_THRESHOLD
    assert all(f.precision >= 0.95 for f in figures)


# Reached at DEFAULT_THRESHOLD (paraphrase_eval.md, "Figures"): average precision, pairwise
# precision and recall, decoy pairs merged. The floors sit a small margin (0.02, three or four
# pairs) under the measured figures, so that a regression fails. fresh2 is the held-out split:
# its figures are far from the issue's target (AP 0.85, recall 0.8 at precision 0.95), and are
# asserted as reached, not as wished.
REACHED = {
    "tune": (0.880, 0.988, 0.776, 0),
    "held": (0.892, 0.952, 0.829, 8),
    "fresh": (0.902, 0.991, 0.730, 1),
    "fresh2": (0.467, 0.839, 0.390, 13),
}
MARGIN = 0.02


@pytest.mark.parametrize("split", sorted(REACHED))
def test_figures_reached_on_each_split(split: str) -> None:
    ap, precision, recall, decoys = REACHED[split]
    items = load(split)
    assert average_precision(items) >= ap - MARGIN
    figures = pairwise(items, DEFAULT_THRESHOLD)
    assert figures.precision >= precision - MARGIN
    assert figures.recall >= recall - MARGIN
    assert figures.decoy_merges <= decoys


def test_the_issue_example_merges() -> None:
    items = [
        ClusterItem("a", "Contratar mais agentes comunitários de saúde"),
        ClusterItem("b", "Ampliar o número de ACS nas equipes de saúde da família"),
        ClusterItem("c", "Reformar a sede da secretaria de saúde"),
    ]
    assert cluster(items).clusters == [["a", "b"], ["c"]]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("litoral", "semiárido"),
        ("comunidades costeiras", "comunidades do sertão"),
        ("zona urbana", "zona rural"),
        ("aldeias indígenas", "comunidades quilombolas"),
        ("crianças", "idosos"),
        ("mulheres", "pessoas idosas"),
    ],
)
def test_a_word_that_changes_the_demand_keeps_texts_apart(one: str, other: str) -> None:
    """Everything else equal, the two texts score at most CONTRAST_MISMATCH (below any sane
    threshold, 0.75 included), while the same text with a synonym still merges."""
    text = "Ampliar o abastecimento de água e o atendimento de saúde para {}"
    a, b = text.format(one), text.format(other)
    assert score(a, b) <= CONTRAST_MISMATCH < DEFAULT_THRESHOLD
    assert cluster([ClusterItem("a", a), ClusterItem("b", b)], 0.75).clusters == [["a"], ["b"]]
    assert cluster([ClusterItem("a", a), ClusterItem("b", b)]).clusters == [["a"], ["b"]]
    paraphrase = a.replace("Ampliar", "Aumentar").replace("atendimento", "atenção")
    assert score(a, paraphrase) >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Ampliar as vagas em creche", "Ampliar as vagas no ensino médio"),
        ("Implantar um CRAS no bairro", "Implantar um CREAS no bairro"),
        ("Contratar médicos para as UBS", "Contratar enfermeiros para as UBS"),
        ("Ampliar a UBS do bairro", "Reformar a UBS do bairro"),
    ],
)
def test_different_services_professions_stages_or_actions_stay_apart(one: str, other: str) -> None:
    assert score(one, other) < DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    "variant",
    [
        "CONTRATAR MAIS AGENTES COMUNITARIOS DE SAUDE PARA A ZONA RURAL",
        "contratar mais agentes comunitarois de saude p/ zona rural",
        "Contratação de agentes comunitários de saúde na área rural",
        "- contratar ACSs, zona rural",
    ],
)
def test_accents_capitals_and_typos_do_not_prevent_a_match(variant: str) -> None:
    base = "Contratar mais agentes comunitários de saúde para a zona rural"
    assert score(base, variant) >= DEFAULT_THRESHOLD
    assert cluster([ClusterItem("a", base), ClusterItem("b", variant)]).clusters == [["a", "b"]]


@pytest.mark.parametrize(
    ("acronym", "long_form"),
    [
        ("ACS", "agentes comunitários de saúde"),
        ("CAPS", "Centro de Atenção Psicossocial"),
        ("SUS", "Sistema Único de Saúde"),
        ("UBS", "Unidades Básicas de Saúde"),
        ("ESF", "Estratégia Saúde da Família"),
        ("SAMU", "Serviço de Atendimento Móvel de Urgência"),
        ("UPA", "Unidade de Pronto Atendimento"),
        ("PSE", "Programa Saúde na Escola"),
        ("CRAS", "Centro de Referência de Assistência Social"),
        ("CREAS", "Centro de Referência Especializado de Assistência Social"),
        ("BPC", "Benefício de Prestação Continuada"),
        ("CadÚnico", "Cadastro Único"),
        ("EJA", "Educação de Jovens e Adultos"),
        ("APAE", "Associação de Pais e Amigos dos Excepcionais"),
        ("PNAE", "Programa Nacional de Alimentação Escolar"),
        ("FUNDEB", "Fundo de Manutenção e Desenvolvimento da Educação Básica"),
        ("IDEB", "Índice de Desenvolvimento da Educação Básica"),
    ],
)
def test_acronyms_and_their_long_forms_become_one_token(acronym: str, long_form: str) -> None:
    assert normalise(acronym) == normalise(long_form) == normalise(long_form.upper())
    assert len(normalise(acronym).split()) == 1


@pytest.mark.parametrize(
    "group",
    [
        ["ampliar", "aumentar", "expandir", "ampliação"],
        ["contratar", "admitir", "contratação", "concurso público"],
        ["unidade básica de saúde", "posto de saúde", "postinho"],
        ["remédios", "medicamentos", "medicação"],
    ],
)
def test_thesaurus_groups_fold_to_one_token(group: list[str]) -> None:
    assert len({normalise(term) for term in group}) == 1


def test_snowball_is_kept_from_merging_words_of_different_meaning() -> None:
    assert normalise("médicos") != normalise("medicamentos")
    assert normalise("quadro de profissionais") != normalise("quadra de esportes")


FUNCTION_WORDS = frozenset(
    [
        "a",
        "o",
        "as",
        "os",
        "um",
        "uma",
        "de",
        "da",
        "do",
        "das",
        "dos",
        "d",
        "em",
        "na",
        "no",
        "nas",
        "nos",
        "para",
        "pra",
        "com",
        "por",
        "pela",
        "pelo",
        "e",
        "ou",
        "que",
        "se",
        "ao",
        "aos",
        "ate",
        "sem",
        "sob",
        "sobre",
        "entre",
    ]
)


def test_no_thesaurus_form_loses_a_content_word_to_the_stopwords() -> None:
    """A form whose content word is also a stopword ("melhor idade", "fim de semana" with "fim"
    a stopword) would be matched by its other words alone: any "idade", any "semana"."""
    with resources.files("shared.core.data").joinpath("thesaurus_pt.toml").open("rb") as handle:
        thesaurus = tomllib.load(handle)
    stopwords = {w for term in thesaurus["stopwords"] for w in fold(term).split()}
    lost = [
        form
        for section in ("acronyms", "synonyms")
        for forms in thesaurus[section].values()
        for form in forms
        if any(w in stopwords - FUNCTION_WORDS for w in fold(form).split())
    ]
    assert lost == []


def test_the_speller_repairs_one_slip_in_long_thesaurus_words_only() -> None:
    key = vocabulary().lexicon.key
    assert key("comunitarois") == key("comunitarios")  # swapped letters, in a plural
    assert key("psicosocial") == key("psicossocial")  # a letter dropped
    # other single edits are as often another real word: not repaired
    assert key("doentes") != key("docentes")
    assert key("mediacao") != key("medicacao")
    assert key("fluvial") != key("pluvial")


def test_the_vocabulary_refuses_a_term_claimed_by_two_groups(monkeypatch: Any) -> None:
    def read(name: str) -> dict[str, Any]:
        if name == "contrasts_pt.toml":
            return {"contrast": [{"name": "x", "classes": [["rural"], ["urbano"]]}]}
        return {
            "stopwords": ["de"],
            "stems": {},
            "acronyms": {},
            "synonyms": {"rural": ["campo"], "urbano": ["cidade", "campo"]},
            "actions": {"verbs": [], "families": {}},
            "weights": {"generic": []},
        }

    monkeypatch.setattr(vocabulary_module, "_read", read)
    with pytest.raises(VocabularyError, match="'campo' is claimed by 'rural' and 'urbano'"):
        vocabulary_module.vocabulary.__wrapped__()
    assert fold("Zona Rural") == "zona rural"


@pytest.mark.parametrize("split", [0, 89, 170])
def test_batch_lookup_equals_one_at_a_time_on_the_paraphrases(split: int) -> None:
    items = [ClusterItem(i.id, i.text, i.axis) for i in load("tune")]
    existing, batch = items[:split], items[split:]
    index = DuplicateIndex(existing)
    expected = []
    for item in batch:
        expected.append(index.near_duplicates(item.text, axis=item.axis))
        index.add(item)
    assert DuplicateIndex(existing).add_many(batch) == expected
    assert sum(map(bool, expected)) > 0
