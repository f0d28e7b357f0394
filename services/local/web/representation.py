"""``/acompanhamento/assembleias/{id}/representacao`` — public: who took part in an assembly
and whom it sent up, beside the cycle's targets, and what its participants said of it (the same
published views as ``GET …/equity`` and ``GET …/evaluation``)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from services.local import equity, evaluation, lottery
from services.local.desk import AssemblyDesk
from shared.features.cycles.store import rules_for
from shared.features.reporting.equity import evaluation_published, published
from shared.features.reporting.representation_page import representation_page


class RepresentationPages(Controller):
    include_in_schema = False

    @get("/acompanhamento/assembleias/{assembly_id:uuid}/representacao")
    async def assembly(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template:
        async with desk.reading(assembly_id) as s:
            rules = await rules_for(s.session, s.assembly.cycle_id)
            tables = await equity.tables(s.session, s.assembly)
            said = await evaluation.summary(s.session, s.assembly.id)
            drawn = await lottery.view(s.session, s.assembly) if rules.lottery else None
            title = s.assembly.title
            territory = s.assembly.territory
        return representation_page(
            request,
            heading=title,
            rules=rules,
            equity=published(rules, territory, tables),
            evaluation=evaluation_published(territory, said),
            lottery=drawn,
            lottery_files=f"/api/v1/assemblies/{assembly_id}/lottery",
        )
