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
