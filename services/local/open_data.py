"""The local tier's open data: every proposal as it stands (public fields only: never its
author), and the assemblies held here."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.local import equity
from services.local.model import Assembly, Proposal
from shared.features.cycles.store import rules_for
from shared.features.reporting.equity import EQUITY_COLUMNS, published
from shared.features.reporting.equity import rows as equity_rows
from shared.platform.web.open_data import Dataset, RowStream, scalars, tuples

PROPOSAL_COLUMNS = (
    "id", "assembly_id", "cycle_id", "territory", "uf", "axis", "competence", "title", "text",
    "status", "support", "rank", "version", "forwarded", "created_at",
)  # fmt: skip
ASSEMBLY_COLUMNS = (
    "id", "cycle_id", "kind", "territory", "uf", "title", "status", "participants",
    "population", "closed_at", "late", "report_id",
)  # fmt: skip


def _text(value: object) -> object:
    """Dates and ids as text; everything else as it is."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


async def _proposals(session: AsyncSession, filters: Mapping[str, str]) -> RowStream:
    columns = [
        getattr(Assembly if c in ("cycle_id", "territory", "uf") else Proposal, c)
        for c in PROPOSAL_COLUMNS
    ]
    query = (
        select(*columns).join(Assembly, Assembly.id == Proposal.assembly_id).order_by(Proposal.id)
    )
    for name in ("cycle_id", "uf", "territory"):
        if name in filters:
            query = query.where(getattr(Assembly, name) == filters[name])
    async for row in tuples(session, query):
        yield {c: _text(v) for c, v in zip(PROPOSAL_COLUMNS, row, strict=True)}


async def _assemblies(session: AsyncSession, filters: Mapping[str, str]) -> RowStream:
    query = select(*(getattr(Assembly, c) for c in ASSEMBLY_COLUMNS)).order_by(Assembly.id)
    for name in ("cycle_id", "uf", "territory"):
        if name in filters:
            query = query.where(getattr(Assembly, name) == filters[name])
    async for row in tuples(session, query):
        yield {c: _text(v) for c, v in zip(ASSEMBLY_COLUMNS, row, strict=True)}


async def _equity(session: AsyncSession, filters: Mapping[str, str]) -> RowStream:
    """Each assembly's published equity tables (small cells withheld as on its page)."""
    query = select(Assembly).order_by(Assembly.id)
    for name in ("cycle_id", "uf", "territory"):
        if name in filters:
            query = query.where(getattr(Assembly, name) == filters[name])
    found = [a async for a in scalars(session, query)]
    for assembly in found:
        rules = await rules_for(session, assembly.cycle_id)
        view = published(rules, assembly.territory, await equity.tables(session, assembly))
        for row in equity_rows(view):
            yield {"assembly_id": str(assembly.id), **row}


LOCAL_DATASETS = (
    Dataset("proposals", "every proposal as it stands (no author)", PROPOSAL_COLUMNS, _proposals),
    Dataset("assemblies", "the assemblies held here", ASSEMBLY_COLUMNS, _assemblies),
    Dataset(
        "equity",
        "who took part in each assembly and who it sent up, by segment, gender and quota group "
        "(small cells withheld)",
        ("assembly_id", *EQUITY_COLUMNS),
        _equity,
    ),
)
