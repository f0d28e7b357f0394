"""The cycle's ordering and routing rule for one conference, said in words (pt-BR or English,
numbers written the reader's way) — made from the same rule objects :func:`shared.core.forwarding
.forward` applies, so what the Priorização page says is what closing does."""

from __future__ import annotations

from collections.abc import Sequence

from shared.core.cycle import CycleRules
from shared.core.vocabulary import Tier
from shared.platform.web.i18n import N_, gettext, ngettext, number

#: A competence inside a sentence ("itens de competência nacional").
COMPETENCE_WORDS: dict[str, str] = {
    "municipal": N_("municipal"),
    "state": N_("estadual"),
    "national": N_("nacional"),
}
#: Where a tier's items go when they go up.
NEXT_STAGE: dict[str, str] = {
    "local": N_("a etapa estadual"),
    "regional": N_("a etapa nacional"),
}
#: Where items that do not go up stay.
THIS_STAGE: dict[str, str] = {
    "local": N_("no município"),
    "regional": N_("nesta conferência estadual"),
    "national": N_("na conferência nacional"),
}
#: What each source's voice weighs (``[consolidation] weighting``).
WEIGHTS: dict[str, str] = {
    "participants": N_("o número de participantes da conferência de origem"),
    "population": N_("a população do território de origem"),
    "assembly": N_("1 — toda conferência de origem pesa o mesmo"),
}


def _competences(ids: Sequence[str]) -> str:
    words = [gettext(COMPETENCE_WORDS.get(c, c)) for c in ids]
    if len(words) <= 1:
        return "".join(words)
    return gettext(N_("%(first)s e %(last)s"), first=", ".join(words[:-1]), last=words[-1])


def ordering_sentences(rules: CycleRules) -> list[str]:
    """How items are ordered within an axis before anything is routed."""
    weight = gettext(WEIGHTS.get(rules.consolidation.weighting, rules.consolidation.weighting))
    return [
        gettext(
            N_(
                "Em cada eixo, a votação de prioridades da plenária decide a ordem primeiro; "
                "os itens que ela não ordenou seguem pela pontuação."
            )
        ),
        gettext(
            N_(
                "A pontuação soma, para cada fonte que enviou o item, (tamanho da lista da "
                "fonte − posição do item + 1) × peso da fonte; o peso é %(weight)s. Empates vão "
                "para o item com mais origens distintas."
            ),
            weight=weight,
        ),
    ]


def routing_sentences(rules: CycleRules, *, tier: Tier, assembly_kind: str) -> list[str]:
    """What a closing conference of ``tier`` and ``assembly_kind`` sends up, rule by rule."""
    routed = rules.forwarded(tier)
    if not routed:
        if rules.priority.top_n is None:
            return [
                gettext(
                    N_(
                        "A etapa nacional não encaminha itens adiante: todos os itens que ela "
                        "aprovar são publicados como mandatos consolidados, e os conselhos "
                        "respondem a cada um."
                    )
                )
            ]
        return [
            ngettext(
                "A etapa nacional publica o primeiro item de cada eixo como mandato "
                "consolidado, e os conselhos respondem a ele.",
                "A etapa nacional publica os %(count)s primeiros itens de cada eixo como "
                "mandatos consolidados, e os conselhos respondem a cada um.",
                rules.priority.top_n,
                count=number(rules.priority.top_n),
            )
        ]
    caps = rules.caps.get(assembly_kind)
    stage = gettext(NEXT_STAGE.get(tier, tier))
    said: list[str] = []
    for competence in routed:
        words = gettext(COMPETENCE_WORDS.get(competence, competence))
        limit = caps.limit(competence) if caps else None
        if limit is None:
            said.append(
                gettext(
                    N_("Todos os itens de competência %(competence)s sobem para %(stage)s."),
                    competence=words,
                    stage=stage,
                )
            )
        elif caps is not None and caps.per_axis:
            said.append(
                ngettext(
                    "O primeiro item de competência %(competence)s de cada eixo sobe para "
                    "%(stage)s.",
                    "Os %(count)s primeiros itens de competência %(competence)s de cada eixo "
                    "sobem para %(stage)s.",
                    limit,
                    count=number(limit),
                    competence=words,
                    stage=stage,
                )
            )
        else:
            said.append(
                ngettext(
                    "Sobe para %(stage)s o item de competência %(competence)s mais bem "
                    "colocado, somando todos os eixos.",
                    "Sobem para %(stage)s os %(count)s itens de competência %(competence)s mais "
                    "bem colocados, somando todos os eixos, escolhidos em rodízio: o 1º de "
                    "cada eixo antes do 2º de qualquer eixo.",
                    limit,
                    count=number(limit),
                    competence=words,
                    stage=stage,
                )
            )
    kept = [c for c in COMPETENCE_WORDS if c not in routed]
    if kept:
        said.append(
            gettext(
                N_("Itens de competência %(competences)s ficam %(here)s."),
                competences=_competences(kept),
                here=gettext(THIS_STAGE.get(tier, tier)),
            )
        )
    said.append(
        ngettext(
            "Uma conferência encerrada fora do prazo sobe no máximo %(count)s item por eixo.",
            "Uma conferência encerrada fora do prazo sobe no máximo %(count)s itens por eixo.",
            rules.late.max_per_axis,
            count=number(rules.late.max_per_axis),
        )
    )
    return said


def below_sentence(rules: CycleRules, *, below: Tier) -> str:
    """What the assemblies below already kept at home (the routing of the tier below)."""
    routed = rules.forwarded(below)
    kept = [c for c in COMPETENCE_WORDS if c not in routed]
    if not kept:
        return gettext(
            N_("Nas etapas anteriores, itens de competência %(up)s subiram para cá."),
            up=_competences(routed),
        )
    return gettext(
        N_(
            "Nas etapas anteriores, itens de competência %(up)s subiram para cá; os de "
            "competência %(kept)s ficaram %(there)s."
        ),
        up=_competences(routed),
        kept=_competences(kept),
        there=gettext(THIS_STAGE.get(below, below)),
    )
