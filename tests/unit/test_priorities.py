"""The Priorização page's pure parts: the score breakdown as bar segments per kind of source, and
the cycle's routing rule in words, in both languages, with numbers written the reader's way."""

from __future__ import annotations

from fractions import Fraction

import msgspec

from shared.core.cycle import (
    Caps,
    CycleRules,
    LatePolicy,
    Priority,
    Routing,
    load_rules,
    preset_text,
)
from shared.features.consolidation.priorities import KIND_COLOURS, Origin, chart
from shared.features.consolidation.routing_words import (
    below_sentence,
    ordering_sentences,
    routing_sentences,
)
from shared.platform.web.i18n import speaking

BREAKDOWN = {
    "method": "weighted-borda",
    "score": 1630,
    "distinct_origins": 3,
    "contributions": [
        {"origin": "a-sp", "rank": 1, "size": 3, "weight": 500, "points": 1500},
        {"origin": "a-free", "rank": 2, "size": 2, "weight": 10, "points": 10},
        {"origin": "a-camp", "rank": 3, "size": 3, "weight": 120, "points": 120},
    ],
}
ORIGINS = {
    "a-sp": Origin(kind="municipal", territory="3550308"),
    "a-camp": Origin(kind="municipal", territory="3509502"),
    "a-free": Origin(kind="free", territory="3550308"),
}


def test_the_bar_has_one_segment_per_kind_of_source_adding_up_to_the_score() -> None:
    drawn = chart(BREAKDOWN, ORIGINS, top=3260, width=300)
    assert drawn is not None
    assert drawn.score == 1630
    assert [s.kind for s in drawn.segments] == ["municipal", "free"]
    municipal, free = drawn.segments
    assert (municipal.sources, municipal.weight, municipal.points) == (2, 620, 1620)
    assert (free.sources, free.weight, free.points) == (1, 10, 10)
    assert sum(s.points for s in drawn.segments) == drawn.score
    # Half the axis's best score fills half the width; segments sit end to end.
    assert municipal.x == 0 and round(municipal.width + free.width, 2) == 150.0
    assert free.x == municipal.width
    assert municipal.colour == KIND_COLOURS["municipal"] != free.colour
    # Within a kind, the biggest contribution first, each with its territory.
    assert [c.territory for c in municipal.contributions] == ["3550308", "3509502"]


def test_fractions_and_unknown_sources_are_kept_not_dropped() -> None:
    breakdown = {
        "score": "7/2",
        "contributions": [
            {"origin": "gone", "rank": 1, "size": 1, "weight": "7/2", "points": "7/2"}
        ],
    }
    drawn = chart(breakdown, {}, top=3.5, width=100)
    assert drawn is not None
    (segment,) = drawn.segments
    assert segment.kind == "" and segment.points == Fraction(7, 2) and segment.width == 100.0


def test_an_item_never_ranked_has_no_chart() -> None:
    assert chart(None, ORIGINS, top=10) is None
    assert chart({"score": 0, "contributions": []}, ORIGINS, top=10) is None


def rules(**changes: object) -> CycleRules:
    return msgspec.structs.replace(load_rules(preset_text("health")), **changes)


def test_the_state_rule_in_portuguese_follows_the_cycle() -> None:
    health = rules()
    with speaking("pt-BR"):
        said = routing_sentences(health, tier="regional", assembly_kind="state")
        below = below_sentence(health, below="local")
        order = ordering_sentences(health)
    assert said[0] == (
        "Sobem para a etapa nacional os 20 itens de competência nacional mais bem colocados, "
        "somando todos os eixos, escolhidos em rodízio: o 1º de cada eixo antes do 2º de "
        "qualquer eixo."
    )
    assert said[1] == "Itens de competência municipal e estadual ficam nesta conferência estadual."
    assert said[2] == "Uma conferência encerrada fora do prazo sobe no máximo 4 itens por eixo."
    assert "os de competência municipal ficaram no município" in below
    assert "o número de participantes da conferência de origem" in order[1]


def test_per_axis_caps_large_numbers_and_english() -> None:
    changed = rules(
        caps={"state": Caps(per_axis=True, national=1500)},
        late=LatePolicy(max_per_axis=1),
        routing=Routing(local=["state", "national"], regional=["state", "national"]),
    )
    with speaking("pt-BR"):
        pt = routing_sentences(changed, tier="regional", assembly_kind="state")
    with speaking("en"):
        en = routing_sentences(changed, tier="regional", assembly_kind="state")
    assert pt[0] == "Todos os itens de competência estadual sobem para a etapa nacional."
    assert pt[1] == (
        "Os 1.500 primeiros itens de competência nacional de cada eixo sobem para a etapa nacional."
    )
    assert pt[3] == "Uma conferência encerrada fora do prazo sobe no máximo 1 item por eixo."
    assert en[0] == "Every item of state competence goes up to the national stage."
    assert (
        en[1]
        == "The first 1,500 items of national competence in each axis go up to the national stage."
    )
    assert en[2] == "Items of municipal competence stay at this state conference."
    assert en[3] == "A conference closed after its deadline sends up at most 1 item per axis."


def test_the_national_stage_says_what_it_publishes() -> None:
    with speaking("en"):
        (everything,) = routing_sentences(rules(), tier="national", assembly_kind="national")
        (top,) = routing_sentences(
            rules(priority=Priority(top_n=5)), tier="national", assembly_kind="national"
        )
    assert "every item it approves" in everything
    assert top.startswith("The national stage publishes the first 5 items of each axis")
