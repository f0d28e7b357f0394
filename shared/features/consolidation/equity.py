"""A state's (or the nation's) equity tables: what its reports counted below, plus the
delegates credentialed at this tier's plenary, the ex officio members it seats beside them and
the delegates it elected (``shared.core.equity``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.messages import EquityTable, EvaluationSummary, Mandate
from shared.core.vocabulary import NATION
from shared.features.consolidation import members
from shared.features.consolidation.model import Credential, ReceivedMandate, ReceivedReport
from shared.features.consolidation.profile import Conference, ConsolidationProfile
from shared.features.consolidation.ranking import report_scope
from shared.features.cycles.store import rules_for
from shared.features.plenary.claims import elected_mandates
from shared.features.reporting.equity import (
    EQUITY_COLUMNS,
    evaluation_summed,
    of_mandates,
    published,
    rows,
    summed,
    table,
)
from shared.platform.web.open_data import Dataset, RowStream


async def received(session: AsyncSession, conference: Conference) -> list[EquityTable]:
    """The tables of every report received for this conference, added up."""
    bodies = await session.scalars(
        select(ReceivedReport.body["equity"]).where(
            ReceivedReport.cycle_id == conference.cycle_id,
            report_scope(conference.uf),
        )
    )
    return summed(t for found in bodies if found for t in found)


async def credentialed(session: AsyncSession, conference: Conference) -> EquityTable:
    """Delegates holding a credential (not revoked) at this conference's plenary."""
    rows = (
        await session.execute(
            select(ReceivedMandate.segment, ReceivedMandate.gender, ReceivedMandate.quota_groups)
            .join(Credential, Credential.mandate_id == ReceivedMandate.mandate_id)
            .where(
                Credential.cycle_id == conference.cycle_id,
                Credential.uf == conference.uf,
                Credential.revoked_at.is_(None),
            )
        )
    ).all()
    return table("credentialed", conference.profile.tier, ((s, g, q or [], 1) for s, g, q in rows))


async def ex_officio(session: AsyncSession, conference: Conference) -> EquityTable:
    """Ex officio members registered (not revoked) at this conference's plenary: on its roll
    beside the credentialed delegates, counted apart so neither figure hides the other."""
    people = await members.ex_officio_people(
        session, cycle_id=conference.cycle_id, scope=conference.uf
    )
    return table("ex_officio", conference.profile.tier, ((s, g, q, 1) for s, g, q in people))


async def tables(
    session: AsyncSession, conference: Conference, mandates: Sequence[Mandate] | None = None
) -> list[EquityTable]:
    """Everything below, this tier's credentialed delegates, its ex officio members (when it
    seats any) and its elected delegates."""
    if mandates is None:
        mandates = await elected_mandates(session, conference.key)
    own = [await credentialed(session, conference)]
    seated = await ex_officio(session, conference)
    if seated.total:
        own.append(seated)
    if conference.profile.tier != "national":
        own.append(of_mandates("delegates", conference.profile.tier, mandates))
    return [*await received(session, conference), *own]


def dataset(profile: ConsolidationProfile) -> Dataset:
    """Open data: each conference's published equity tables (``cycle_id``/``uf`` filter)."""

    async def query(session: AsyncSession, filters: Mapping[str, str]) -> RowStream:
        scopes = select(ReceivedReport.cycle_id, ReceivedReport.uf).distinct()
        if "cycle_id" in filters:
            scopes = scopes.where(ReceivedReport.cycle_id == filters["cycle_id"])
        if "uf" in filters and not profile.nationwide:
            scopes = scopes.where(ReceivedReport.uf == filters["uf"].upper())
        found = sorted(
            {(c, NATION if profile.nationwide else uf) for c, uf in await session.execute(scopes)}
        )
        for cycle_id, uf in found:
            conference = profile.conference(cycle_id, uf)
            rules = await rules_for(session, cycle_id)
            view = published(rules, conference.uf, await tables(session, conference))
            for row in rows(view):
                yield row

    return Dataset(
        "equity",
        "who took part below, who was sent up and who was credentialed and elected here, by "
        "segment, gender and quota group (small cells withheld)",
        EQUITY_COLUMNS,
        query,
    )


async def evaluation(session: AsyncSession, conference: Conference) -> EvaluationSummary:
    """The evaluations of every assembly below this conference, added up."""
    found = await session.scalars(
        select(ReceivedReport.body["evaluation"]).where(
            ReceivedReport.cycle_id == conference.cycle_id, report_scope(conference.uf)
        )
    )
    return evaluation_summed(e for e in found if e)
