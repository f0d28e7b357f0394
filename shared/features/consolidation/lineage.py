"""Lineage both ways, at the regional and national tiers.

Down: an item → every source item (with its assembly, territory, rank, support, text) → every
local origin proposal. Up: a local proposal → the source items that carry it here → the item that
holds each of them now → the council's answer (the national tier's own answers; at the regional
tier, the answers that arrived and were attached through lineage).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec
from sqlalchemy import cast, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.consolidation import (
    ActionView,
    AnswerView,
    ItemView,
    Journey,
    JourneySource,
    Lineage,
    OriginView,
    SourceView,
    VersionView,
)
from shared.contracts.messages import CouncilResponse
from shared.core.errors import NotFound
from shared.core.vocabulary import ACTIVE
from shared.features.consolidation.model import (
    ConsolidatedItem,
    ConsolidationAction,
    ItemOrigin,
    ItemSource,
    ItemVersion,
    SourceItem,
)
from shared.features.consolidation.profile import AnswersOf
from shared.features.responses.model import ReceivedResponse
from shared.features.responses.service import answers_for


def item_view(item: ConsolidatedItem) -> ItemView:
    return ItemView(
        id=str(item.id),
        cycle_id=item.cycle_id,
        uf=item.uf,
        axis=item.axis,
        competence=item.competence,
        title=item.title,
        text=item.text,
        version=item.version,
        status=item.status,
        score=item.score,
        rank=item.rank,
        breakdown=item.breakdown,
        report_id=item.report_id,
        published_at=item.published_at,
        parent_id=None if item.parent_id is None else str(item.parent_id),
    )


def source_view(s: SourceItem) -> SourceView:
    return SourceView(
        item_id=s.item_id,
        report_id=s.report_id,
        assembly_id=s.assembly_id,
        territory=s.territory,
        uf=s.uf,
        axis=s.axis,
        competence=s.competence,
        rank=s.rank,
        support=s.support,
        title=s.title,
        text=s.text,
    )


async def item_lineage(session: AsyncSession, item_id: uuid.UUID, answers: AnswersOf) -> Lineage:
    """An item with every source, every local origin, its text versions, the actions that made
    or retired it, and the council's answers."""
    item = await session.get(ConsolidatedItem, item_id)
    if item is None:
        raise NotFound(f"no item {item_id}")
    sources = (
        await session.scalars(
            select(SourceItem)
            .join(ItemSource, ItemSource.source_item_id == SourceItem.item_id)
            .where(ItemSource.item_id == item_id)
            .order_by(SourceItem.item_id)
        )
    ).all()
    origins = (
        await session.execute(
            select(ItemOrigin.proposal_id, ItemOrigin.assembly_id, ItemOrigin.territory)
            .join(ItemSource, ItemSource.source_item_id == ItemOrigin.source_item_id)
            .where(ItemSource.item_id == item_id)
            .distinct()
            .order_by(ItemOrigin.proposal_id)
        )
    ).all()
    versions = (
        await session.scalars(
            select(ItemVersion).where(ItemVersion.item_id == item_id).order_by(ItemVersion.version)
        )
    ).all()
    key = str(item_id)
    payload = cast(ConsolidationAction.payload, JSONB)
    actions = (
        await session.scalars(
            select(ConsolidationAction)
            .where(
                ConsolidationAction.cycle_id == item.cycle_id,
                ConsolidationAction.uf == item.uf,
                or_(
                    payload.contains({"created": [key]}),
                    payload.contains({"retired": [key]}),
                    payload.contains({"item": key}),
                ),
            )
            .order_by(ConsolidationAction.created_at, ConsolidationAction.id)
        )
    ).all()
    return Lineage(
        item=item_view(item),
        sources=[source_view(s) for s in sources],
        origins=[OriginView(proposal_id=p, assembly_id=a, territory=t) for p, a, t in origins],
        versions=[
            VersionView(version=v.version, title=v.title, text=v.text, at=v.created_at)
            for v in versions
        ],
        actions=[action_view(a) for a in actions],
        responses=await answers(session, [item_id]),
    )


def action_view(a: ConsolidationAction) -> ActionView:
    return ActionView(
        id=str(a.id),
        kind=a.kind,
        actor=a.actor,
        note=a.note,
        payload=dict(a.payload),
        at=a.created_at,
        undone_at=a.undone_at,
    )


async def received_answers(
    session: AsyncSession, item_ids: Sequence[uuid.UUID]
) -> list[AnswerView]:
    """The council answers that reached these items' local origins (a regional tier's view)."""
    origins = (
        await session.scalars(
            select(ItemOrigin.proposal_id)
            .join(ItemSource, ItemSource.source_item_id == ItemOrigin.source_item_id)
            .where(ItemSource.item_id.in_(item_ids))
            .distinct()
        )
    ).all()
    return [received_view(r) for r in await answers_for(session, list(origins))]


def received_view(r: ReceivedResponse) -> AnswerView:
    """A council answer as it arrived here from the national tier."""
    body = msgspec.convert(r.body, CouncilResponse)
    return AnswerView(
        response_id=r.response_id,
        version=r.version,
        national_item_id=r.national_item_id,
        decision=r.decision,
        justification=body.justification,
        responsible_body=body.responsible_body,
        instrument=body.instrument,
        milestones=list(body.milestones),
        answered_at=r.answered_at,
        item_title=body.item_title,
    )


async def proposal_journey(session: AsyncSession, proposal_id: str, answers: AnswersOf) -> Journey:
    """From a local proposal up: the source items here that carry it, the item holding each now
    (whether it went up, and in which report), and the council's answers."""
    sources = (
        await session.scalars(
            select(SourceItem)
            .join(ItemOrigin, ItemOrigin.source_item_id == SourceItem.item_id)
            .where(ItemOrigin.proposal_id == proposal_id)
            .order_by(SourceItem.item_id)
        )
    ).all()
    if not sources:
        raise NotFound(f"no proposal {proposal_id} reached this tier")
    holders = (
        await session.execute(
            select(ItemSource.source_item_id, ConsolidatedItem)
            .join(ConsolidatedItem, ConsolidatedItem.id == ItemSource.item_id)
            .where(
                ItemSource.source_item_id.in_([s.item_id for s in sources]),
                ConsolidatedItem.status == ACTIVE,
            )
        )
    ).all()
    current = {source: item for source, item in holders}
    items = {item.id: item for item in current.values()}
    return Journey(
        proposal_id=proposal_id,
        sources=[
            JourneySource(
                **msgspec.structs.asdict(source_view(s)),
                current_item=str(current[s.item_id].id) if s.item_id in current else None,
            )
            for s in sources
        ],
        items=[item_view(i) for i in items.values()],
        responses=[received_view(r) for r in await answers_for(session, [proposal_id])]
        or await answers(session, list(items)),
    )


async def held_origins(session: AsyncSession, proposal_ids: Sequence[str]) -> list[str]:
    """Which of these local proposals reached this tier (for attaching council answers)."""
    rows = await session.scalars(
        select(ItemOrigin.proposal_id)
        .where(ItemOrigin.proposal_id.in_(list(proposal_ids)))
        .distinct()
    )
    return list(rows.all())


async def list_items(
    session: AsyncSession,
    *,
    cycle_id: str | None,
    uf: str | None,
    limit: int,
    offset: int,
    status: str | None = ACTIVE,
    axis: str | None = None,
) -> list[ItemView]:
    query = select(ConsolidatedItem)
    if cycle_id:
        query = query.where(ConsolidatedItem.cycle_id == cycle_id)
    if uf:
        query = query.where(ConsolidatedItem.uf == uf)
    if status:
        query = query.where(ConsolidatedItem.status == status)
    if axis:
        query = query.where(ConsolidatedItem.axis == axis)
    rows = (
        await session.scalars(
            query.order_by(
                ConsolidatedItem.axis, ConsolidatedItem.rank.nulls_last(), ConsolidatedItem.id
            )
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return [item_view(r) for r in rows]
