"""Portuguese proposal texts with the duplication real conferences show.

Thousands of municipal conferences write the same few hundred demands (more UBS, end the
spending cap, strengthen the CAPS…), each in its own words: paraphrased, abbreviated, with typos
and with or without accents. A proposal is a popular template (Zipf-like popularity) passed
through that noise, or now and then a purely local demand; ``template`` keeps the ground truth so
duplicate detection can be scored.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from shared.core.vocabulary import Competence

#: Axes of the packaged health preset (``shared/core/presets/health.toml``).
AXES: dict[str, str] = {
    "saude-1": "Saúde como direito e consolidação do SUS",
    "saude-2": "Financiamento adequado e suficiente para o SUS",
    "saude-3": "Participação social e controle social",
}

# (axis, competence, text) — demands heard at every health conference.
TEMPLATES: tuple[tuple[str, Competence, str], ...] = (
    ("saude-1", "municipal", "Ampliar o número de Unidades Básicas de Saúde nas periferias e na zona rural"),
    ("saude-1", "municipal", "Ampliar o horário de funcionamento das Unidades Básicas de Saúde até as 22 horas"),
    ("saude-1", "state", "Garantir transporte sanitário intermunicipal para pacientes em tratamento fora do domicílio"),
    ("saude-1", "state", "Implantar policlínicas regionais com especialidades e exames de média complexidade"),
    ("saude-1", "national", "Fortalecer a Rede de Atenção Psicossocial com Centros de Atenção Psicossocial em todos os municípios"),
    ("saude-1", "national", "Ampliar o programa Mais Médicos com prioridade para áreas remotas e vulneráveis"),
    ("saude-1", "national", "Garantir o acesso a medicamentos pela Farmácia Popular sem interrupção de estoque"),
    ("saude-1", "state", "Reduzir as filas de cirurgias eletivas com mutirões regionais e transparência da lista de espera"),
    ("saude-1", "municipal", "Garantir atendimento odontológico em todas as Unidades Básicas de Saúde"),
    ("saude-1", "national", "Ampliar a cobertura da Estratégia Saúde da Família para 100 por cento da população"),
    ("saude-2", "national", "Revogar a Emenda Constitucional 95 e garantir financiamento adequado e estável do Sistema Único de Saúde"),
    ("saude-2", "national", "Aplicar no mínimo 10 por cento da receita corrente bruta da União em saúde pública"),
    ("saude-2", "national", "Criar a carreira única nacional do Sistema Único de Saúde com piso salarial e plano de cargos"),
    ("saude-2", "state", "Realizar concurso público estadual e acabar com a terceirização na saúde"),
    ("saude-2", "municipal", "Realizar concurso público para Agentes Comunitários de Saúde e agentes de endemias"),
    ("saude-2", "national", "Garantir o piso salarial nacional da enfermagem com financiamento da União"),
    ("saude-2", "state", "Ampliar o cofinanciamento estadual da atenção básica aos municípios"),
    ("saude-2", "municipal", "Implantar prontuário eletrônico integrado em toda a rede municipal de saúde"),
    ("saude-2", "national", "Combater a privatização e a entrega da gestão do Sistema Único de Saúde às organizações sociais"),
    ("saude-3", "municipal", "Garantir estrutura, sede própria e orçamento para o Conselho Municipal de Saúde"),
    ("saude-3", "state", "Promover formação permanente de conselheiros de saúde em todas as regiões do estado"),
    ("saude-3", "national", "Tornar deliberativas e vinculantes as resoluções das conferências de saúde"),
    ("saude-3", "municipal", "Criar conselhos locais de saúde em todas as Unidades Básicas de Saúde"),
    ("saude-3", "national", "Garantir a paridade e a transparência na eleição dos conselhos de saúde"),
    ("saude-3", "state", "Divulgar os relatórios de gestão e prestação de contas da saúde em linguagem acessível"),
    ("saude-1", "national", "Fortalecer a vigilância epidemiológica e a capacidade de resposta a emergências sanitárias"),
    ("saude-1", "national", "Garantir atenção à saúde dos povos indígenas, quilombolas e comunidades tradicionais"),
    ("saude-1", "state", "Ampliar a vigilância da qualidade da água e o controle do uso de agrotóxicos"),
    ("saude-1", "municipal", "Intensificar o combate ao mosquito Aedes aegypti com mutirões e agentes de endemias"),
    ("saude-1", "national", "Implementar a Política Nacional de Saúde Integral da População Negra em todos os estados"),
    ("saude-1", "national", "Garantir a Política Nacional de Saúde Integral LGBT com ambulatórios especializados"),
    ("saude-1", "state", "Criar centros de referência em saúde do trabalhador em todas as regiões de saúde"),
    ("saude-1", "municipal", "Ampliar a cobertura vacinal com busca ativa e vacinação nas escolas"),
    ("saude-1", "national", "Garantir cuidado integral às pessoas com deficiência e transtorno do espectro autista"),
)  # fmt: skip

#: Words councils and secretaries swap freely (first is the template's).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "Ampliar": ("Expandir", "Aumentar", "Estender"),
    "Garantir": ("Assegurar", "Efetivar", "Viabilizar"),
    "Fortalecer": ("Reforçar", "Valorizar", "Consolidar"),
    "Implantar": ("Criar", "Instalar", "Estruturar"),
    "Criar": ("Implantar", "Instituir"),
    "Realizar": ("Promover", "Abrir"),
    "todos": ("cada um dos",),
    "todas": ("cada uma das",),
    "número": ("quantitativo", "total"),
    "periferias": ("bairros periféricos", "comunidades"),
}
ABBREVIATIONS: dict[str, str] = {
    "Unidades Básicas de Saúde": "UBS",
    "Sistema Único de Saúde": "SUS",
    "Centros de Atenção Psicossocial": "CAPS",
    "Agentes Comunitários de Saúde": "ACS",
    "Emenda Constitucional": "EC",
    "Estratégia Saúde da Família": "ESF",
    "Rede de Atenção Psicossocial": "RAPS",
    "por cento": "%",
    "Conselho Municipal de Saúde": "CMS",
}
OPENERS = ("", "", "", "Que o município possa ", "Propõe-se ", "Reivindicamos ", "É urgente ")
CLOSERS = ("", "", "", ".", ".", " já", " com recursos garantidos", " e monitorar os resultados")

LOCAL_VERBS = ("Construir", "Reformar", "Equipar", "Contratar profissionais para", "Climatizar")
LOCAL_PLACES = (
    "a UBS do bairro", "o posto de saúde do distrito", "o pronto atendimento da região",
    "o CAPS do", "a academia da saúde do", "a farmácia municipal do",
)  # fmt: skip
LOCAL_NEIGHBOURHOODS = (
    "Centro", "Jardim América", "Vila Nova", "São Cristóvão", "Alto da Boa Vista", "Boa Esperança",
    "Santa Luzia", "Morada do Sol", "Bela Vista", "Nossa Senhora Aparecida", "Industrial", "Cohab",
)  # fmt: skip

#: Share of proposals that are purely local rather than a variant of a common demand.
LOCAL_SHARE = 0.25
#: Zipf exponent of template popularity.
POPULARITY_EXPONENT = 0.9


@dataclass(frozen=True, slots=True)
class ProposalDraft:
    """One proposal as a secretary would type it; ``template`` is the ground truth (−1 if local)."""

    axis: str
    competence: Competence
    title: str
    text: str
    support: int
    template: int


def _popularity() -> list[float]:
    return [1.0 / (rank + 1) ** POPULARITY_EXPONENT for rank in range(len(TEMPLATES))]


_WEIGHTS = _popularity()


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip: two letters swapped or one dropped."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:-1])
    if rng.random() < 0.5:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


def paraphrase(text: str, rng: random.Random) -> str:
    """The same demand in the words of another assembly."""
    for long, short in ABBREVIATIONS.items():
        if long in text and rng.random() < 0.45:
            text = text.replace(long, short)
    words = text.split(" ")
    for index, word in enumerate(words):
        choices = SYNONYMS.get(word)
        if choices and rng.random() < 0.35:
            words[index] = rng.choice(choices)
    text = " ".join(words)
    opener = rng.choice(OPENERS)
    if opener:
        text = opener + text[0].lower() + text[1:]
    text += rng.choice(CLOSERS)
    if rng.random() < 0.15:
        text = strip_accents(text)
    if rng.random() < 0.2:
        text = typo(text, rng)
    if rng.random() < 0.05:
        text = text.upper()
    return text


def local_demand(rng: random.Random, place_name: str) -> tuple[str, Competence, str]:
    """A demand only this municipality has (a building, a neighbourhood)."""
    text = (
        f"{rng.choice(LOCAL_VERBS)} {rng.choice(LOCAL_PLACES)} "
        f"{rng.choice(LOCAL_NEIGHBOURHOODS)} em {place_name}"
    )
    return rng.choice(tuple(AXES)), "municipal", text


def title_of(text: str) -> str:
    """Short title as secretaries write it: the first words, at most 80 characters."""
    if len(text) <= 80:
        return text.rstrip(".")
    return text[:77].rsplit(" ", 1)[0] + "…"


def draft_proposals(
    count: int, participants: int, place_name: str, rng: random.Random
) -> list[ProposalDraft]:
    """``count`` proposals of one assembly, each template at most once, with support counts."""
    drafts: list[ProposalDraft] = []
    used: set[int] = set()
    for _ in range(count):
        if rng.random() < LOCAL_SHARE or len(used) == len(TEMPLATES):
            axis, competence, text = local_demand(rng, place_name)
            template = -1
        else:
            template = rng.choices(range(len(TEMPLATES)), weights=_WEIGHTS)[0]
            while template in used:
                template = rng.choices(range(len(TEMPLATES)), weights=_WEIGHTS)[0]
            used.add(template)
            axis, competence, base = TEMPLATES[template]
            text = paraphrase(base, rng)
        support = min(participants, int(participants * rng.betavariate(1.2, 4.0)))
        drafts.append(
            ProposalDraft(
                axis=axis,
                competence=competence,
                title=title_of(text),
                text=text,
                support=support,
                template=template,
            )
        )
    return drafts
