"""Lineage both ways, at the regional and national tiers.

Down: an item → every source item (with its assembly, territory, rank, support, text) → every
local origin proposal. Up: a local proposal → the source items that carry it here → the item that
holds each of them now → the council's answer (the national tier's own answers; at the regional
tier, the answers that arrived and were attached through lineage).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import cast, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from shared.core.errors import NotFound
from shared.features.consolidation.actions import ACTIVE
from shared.features.consolidation.model import (
    ConsolidatedItem,
    ConsolidationAction,
    ItemOrigin,
    ItemSource,
    ItemVersion,
    ReceivedResponse,
    ResponseAttachment,
    SourceItem,
)
from shared.features.council.model import CouncilAnswer


def item_view(item: ConsolidatedItem) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "cycle_id": item.cycle_id,
        "uf": item.uf,
        "axis": item.axis,
        "competence": item.competence,
        "title": item.title,
        "text": item.text,
        "version": item.version,
        "status": item.status,
        "score": item.score,
        "rank": item.rank,
        "breakdown": item.breakdown,
        "report_id": item.report_id,
        "published_at": item.published_at.isoformat() if item.published_at else None,
    }


def source_view(s: SourceItem) -> dict[str, Any]:
    return {
        "item_id": s.item_id,
        "report_id": s.report_id,
        "assembly_id": s.assembly_id,
        "territory": s.territory,
        "uf": s.uf,
        "axis": s.axis,
        "competence": s.competence,
        "rank": s.rank,
        "support": s.support,
        "title": s.title,
        "text": s.text,
    }


def answer_view(a: CouncilAnswer) -> dict[str, Any]:
    return {
        "response_id": a.response_id,
        "version": a.version,
        "item_id": str(a.item_id),
        "decision": a.decision,
        "justification": a.justification,
        "responsible_body": a.responsible_body,
        "instrument": a.instrument,
        "milestones": a.milestones,
        "answered_at": a.answered_at.isoformat(),
    }


async def item_lineage(session: AsyncSession, item_id: uuid.UUID) -> dict[str, Any]:
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
    return {
        "item": item_view(item),
        "sources": [source_view(s) for s in sources],
        "origins": [{"proposal_id": p, "assembly_id": a, "territory": t} for p, a, t in origins],
        "versions": [
            {"version": v.version, "title": v.title, "text": v.text, "at": v.created_at.isoformat()}
            for v in versions
        ],
        "actions": [action_view(a) for a in actions],
        "responses": await responses_for_items(session, [item_id]),
    }


def action_view(a: ConsolidationAction) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "kind": a.kind,
        "actor": a.actor,
        "note": a.note,
        "payload": a.payload,
        "at": a.created_at.isoformat(),
        "undone_at": a.undone_at.isoformat() if a.undone_at else None,
    }


async def responses_for_items(
    session: AsyncSession, item_ids: list[uuid.UUID]
) -> list[dict[str, Any]]:
    """Council answers of these items: national answers, or (regional) attached ones."""
    answers = (
        await session.scalars(
            select(CouncilAnswer)
            .where(CouncilAnswer.item_id.in_(item_ids))
            .order_by(CouncilAnswer.response_id, CouncilAnswer.version)
        )
    ).all()
    if answers:
        return [answer_view(a) for a in answers]
    received = (
        await session.scalars(
            select(ReceivedResponse)
            .join(
                ResponseAttachment,
                (ResponseAttachment.response_id == ReceivedResponse.response_id)
                & (ResponseAttachment.version == ReceivedResponse.version),
            )
            .join(ItemSource, ItemSource.source_item_id == ResponseAttachment.source_item_id)
            .where(ItemSource.item_id.in_(item_ids))
            .distinct()
            .order_by(ReceivedResponse.response_id, ReceivedResponse.version)
        )
    ).all()
    return [received_view(r) for r in received]


def received_view(r: ReceivedResponse) -> dict[str, Any]:
    body = r.body
    return {
        "response_id": r.response_id,
        "version": r.version,
        "national_item_id": r.national_item_id,
        "decision": r.decision,
        "justification": body.get("justification", ""),
        "responsible_body": body.get("responsible_body", ""),
        "instrument": body.get("instrument", ""),
        "milestones": body.get("milestones", []),
        "answered_at": r.answered_at.isoformat(),
        "item_title": body.get("item_title", ""),
    }


async def proposal_journey(session: AsyncSession, proposal_id: str) -> dict[str, Any]:
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
    return {
        "proposal_id": proposal_id,
        "sources": [
            {
                **source_view(s),
                "current_item": str(current[s.item_id].id) if s.item_id in current else None,
            }
            for s in sources
        ],
        "items": [item_view(i) for i in items.values()],
        "responses": await _responses_for_sources(session, [s.item_id for s in sources])
        or await responses_for_items(session, list(items)),
    }


async def _responses_for_sources(
    session: AsyncSession, source_ids: list[str]
) -> list[dict[str, Any]]:
    received = (
        await session.scalars(
            select(ReceivedResponse)
            .join(
                ResponseAttachment,
                (ResponseAttachment.response_id == ReceivedResponse.response_id)
                & (ResponseAttachment.version == ReceivedResponse.version),
            )
            .where(ResponseAttachment.source_item_id.in_(source_ids))
            .distinct()
            .order_by(ReceivedResponse.response_id, ReceivedResponse.version)
        )
    ).all()
    return [received_view(r) for r in received]


async def list_items(
    session: AsyncSession,
    *,
    cycle_id: str | None,
    uf: str | None,
    limit: int,
    offset: int,
    status: str | None = ACTIVE,
    axis: str | None = None,
) -> list[dict[str, Any]]:
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
