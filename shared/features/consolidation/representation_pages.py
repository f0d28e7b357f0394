"""``/representacao?cycle_id=…&uf=SP`` — public: who took part below, who was sent up and who
was credentialed and elected here, and the participants' evaluation, summed for a state (the
regional tier) or the nation."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from shared.features.consolidation import equity
from shared.features.consolidation.service import Consolidation
from shared.features.cycles.store import rules_for
from shared.features.reporting.equity import evaluation_published, published
from shared.features.reporting.representation_page import representation_page
from shared.platform.web import i18n


class RepresentationPages(Controller):
    include_in_schema = False

    @get("/representacao")
    async def conference(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        cycle_id: FromQuery[str],
        uf: FromQuery[str | None] = None,
    ) -> Template:
        conference = consolidation.profile.conference(cycle_id, uf)
        async with consolidation.db.reading() as session:
            rules = await rules_for(session, cycle_id)
            tables = await equity.tables(session, conference)
            said = await equity.evaluation(session, conference)
        return representation_page(
            request,
            heading=i18n.gettext("%(title)s — %(where)s", title=rules.title, where=conference.uf),
            rules=rules,
            equity=published(rules, conference.uf, tables),
            evaluation=evaluation_published(conference.uf, said),
        )
