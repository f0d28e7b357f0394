"""How the pages name the domain's vocabulary (msgids in pt-BR, translated where shown): council
decisions, milestone statuses, a municipality's reporting status."""

from __future__ import annotations

from shared.platform.web.i18n import N_

DECISIONS: dict[str, str] = {
    "adopted": N_("Acolhida"),
    "adopted_in_part": N_("Acolhida parcialmente"),
    "under_study": N_("Em estudo"),
    "rejected": N_("Não acolhida"),
}
MILESTONE_STATUSES: dict[str, str] = {
    "planned": N_("Planejado"),
    "in_progress": N_("Em andamento"),
    "done": N_("Concluído"),
    "delayed": N_("Atrasado"),
    "cancelled": N_("Cancelado"),
}
COMPETENCES: dict[str, str] = {
    "municipal": N_("Municipal"),
    "state": N_("Estadual"),
    "national": N_("Nacional"),
}
PROPOSAL_STATUSES: dict[str, str] = {
    "submitted": N_("Apresentada"),
    "plenary": N_("Para a plenária"),
    "approved": N_("Aprovada"),
    "approved_in_part": N_("Aprovada em parte"),
    "rejected": N_("Rejeitada"),
    "withdrawn": N_("Retirada"),
}
ASSEMBLY_STATUSES: dict[str, str] = {
    "draft": N_("Em preparação"),
    "open": N_("Aberta"),
    "voting": N_("Em votação"),
    "closed": N_("Encerrada"),
}
ASSEMBLY_KINDS: dict[str, str] = {
    "neighbourhood": N_("Conferência de bairro"),
    "municipal": N_("Conferência municipal"),
    "intermunicipal": N_("Conferência intermunicipal"),
    "free": N_("Conferência livre"),
    "digital": N_("Conferência digital"),
}
SEAT_METHODS: dict[str, str] = {
    "hamilton": N_("Hamilton (maiores restos)"),
    "dhondt": N_("D'Hondt (maiores médias)"),
    "sainte-lague": N_("Sainte-Laguë"),
    "huntington-hill": N_("Huntington–Hill"),
    "bands": N_("Faixas"),
    "min-plus-proportional": N_("Mínimo mais proporcional"),
    "fixed": N_("Tabela fixa"),
}
SEAT_BASES: dict[str, str] = {
    "population": N_("população"),
    "participants": N_("participantes"),
    "municipalities": N_("municípios"),
    "mix": N_("combinação ponderada"),
    "table": N_("tabela do ciclo"),
}
#: Equity tables: ``population/tier`` → what it counts.
EQUITY_TABLES: dict[str, str] = {
    "participants/local": N_("Participantes credenciados nas assembleias"),
    "delegates/local": N_("Delegados enviados pelas assembleias"),
    "credentialed/regional": N_("Delegados credenciados na conferência estadual"),
    "ex_officio/regional": N_("Membros natos na conferência estadual"),
    "delegates/regional": N_("Delegados eleitos na conferência estadual"),
    "credentialed/national": N_("Delegados credenciados na conferência nacional"),
    "ex_officio/national": N_("Membros natos na conferência nacional"),
}
#: A person's gender as they declare it on a form (``shared.core.participants.Gender``).
GENDERS: dict[str, str] = {
    "undeclared": N_("Prefiro não declarar"),
    "woman": N_("Mulher"),
    "man": N_("Homem"),
    "non_binary": N_("Pessoa não binária"),
    "other": N_("Outro"),
}
#: Who a state or national plenary admits without a mandate from below.
MEMBER_CATEGORIES: dict[str, str] = {
    "ex_officio": N_("Membro nato (vota)"),
    "guest": N_("Convidado(a) (só voz)"),
    "observer": N_("Observador(a) (só voz)"),
}
EQUITY_DIMENSIONS: dict[str, str] = {
    "segment": N_("Segmento"),
    "gender": N_("Gênero"),
    "group": N_("Grupos de cotas"),
    "race_colour": N_("Cor ou raça (IBGE)"),
    "age_band": N_("Faixa etária"),
}
EQUITY_VALUES: dict[str, str] = {
    "woman": N_("Mulheres"),
    "man": N_("Homens"),
    "non_binary": N_("Pessoas não binárias"),
    "other": N_("Outro gênero"),
    "undeclared": N_("Não declarado"),
    "black": N_("Pessoas negras (pretas e pardas)"),
    "indigenous": N_("Pessoas indígenas"),
    "pcd": N_("Pessoas com deficiência"),
    "lgbtqia": N_("Pessoas LGBTQIA+"),
    "traditional": N_("Povos e comunidades tradicionais"),
    "youth": N_("Jovens (até 29 anos)"),
    "branca": N_("Branca"),
    "preta": N_("Preta"),
    "parda": N_("Parda"),
    "amarela": N_("Amarela"),
    "indigena": N_("Indígena"),
    "under_18": N_("Menos de 18 anos"),
    "18_29": N_("18 a 29 anos"),
    "30_59": N_("30 a 59 anos"),
    "60_plus": N_("60 anos ou mais"),
}
EVALUATION_QUESTIONS: dict[str, str] = {
    "spoke": N_("Conseguiu falar quando quis?"),
    "understood_rules": N_("Entendeu as regras da assembleia?"),
    "would_return": N_("Voltaria a participar de uma conferência?"),
}
EVALUATION_ANSWERS: dict[str, str] = {
    "yes": N_("Sim"),
    "no": N_("Não"),
    "did_not_want": N_("Não quis falar"),
    "partly": N_("Em parte"),
    "maybe": N_("Talvez"),
}
LOTTERY_STATUSES: dict[str, str] = {
    "open": N_("Inscrições de voluntários abertas"),
    "closed": N_("Lista de voluntários fechada; aguardando a revelação do segredo"),
    "queued": N_("Segredo revelado; sorteio na fila"),
    "running": N_("Sorteio em andamento"),
    "drawn": N_("Sorteado"),
    "failed": N_("O sorteio falhou"),
}
#: The kinds of source a ranking's points came from (the Priorização chart's legend).
SOURCE_KINDS: dict[str, str] = {
    "municipal": N_("Conferências municipais"),
    "intermunicipal": N_("Conferências intermunicipais"),
    "neighbourhood": N_("Conferências de bairro"),
    "free": N_("Conferências livres"),
    "digital": N_("Conferências digitais"),
    "state": N_("Conferências estaduais"),
    "": N_("Outras fontes"),
}
