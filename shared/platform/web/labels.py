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
