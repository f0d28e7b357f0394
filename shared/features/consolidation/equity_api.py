"""HTTP edge of a conference's published equity tables (regional and national tiers)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from shared.contracts.http.equity import EquityView, EvaluationView
from shared.features.consolidation import equity
from shared.features.consolidation.service import Consolidation
from shared.features.cycles.store import rules_for
from shared.features.reporting.equity import evaluation_published, published


class EquityController(Controller):
    path = "/api/v1/equity"
    tags = ["equity"]

    @get("/")
    async def show(
        self,
        consolidation: NamedDependency[Consolidation],
        cycle_id: FromQuery[str],
        uf: FromQuery[str | None] = None,
    ) -> EquityView:
        """Who took part in the assemblies below, who they sent up, who was credentialed and
        elected here — by segment, gender and quota group, beside the cycle's targets; counts
        below the threshold withheld (public; ``uf`` names the state at the regional tier)."""
        conference = consolidation.profile.conference(cycle_id, uf)
        async with consolidation.db.reading() as session:
            rules = await rules_for(session, cycle_id)
            found = await equity.tables(session, conference)
        return published(rules, conference.uf, found)


class EvaluationController(Controller):
    path = "/api/v1/evaluation"
    tags = ["equity"]

    @get("/")
    async def show(
        self,
        consolidation: NamedDependency[Consolidation],
        cycle_id: FromQuery[str],
        uf: FromQuery[str | None] = None,
    ) -> EvaluationView:
        """What the participants of the assemblies below said of them, added up; small
        counts withheld (public; ``uf`` names the state at the regional tier)."""
        conference = consolidation.profile.conference(cycle_id, uf)
        async with consolidation.db.reading() as session:
            found = await equity.evaluation(session, conference)
        return evaluation_published(conference.uf, found)
