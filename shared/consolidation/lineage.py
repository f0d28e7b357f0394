"""Lineage queries: from an item of this tier down to its sources and origin proposals."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models.consolidation import ConsolidatedItem, ItemSource, SourceItem
from shared.domain.errors import NotFound


async def item_lineage(session: AsyncSession, item_id: uuid.UUID) -> dict[str, Any]:
    """An item with every source item and every local origin proposal it came from."""
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
    origins = {
        (o["proposal_id"], o["assembly_id"], o["territory"]) for s in sources for o in s.origins
    }
    return {
        "item": item_view(item),
        "sources": [
            {
                "item_id": s.item_id,
                "assembly_id": s.assembly_id,
                "territory": s.territory,
                "axis": s.axis,
                "rank": s.rank,
                "support": s.support,
                "text": s.text,
            }
            for s in sources
        ],
        "origins": [
            {"proposal_id": p, "assembly_id": a, "territory": t} for p, a, t in sorted(origins)
        ],
    }


def item_view(item: ConsolidatedItem) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "cycle_id": item.cycle_id,
        "uf": item.uf,
        "axis": item.axis,
        "competence": item.competence,
        "title": item.title,
        "text": item.text,
        "status": item.status,
        "score": item.score,
        "rank": item.rank,
        "report_id": item.report_id,
    }


async def list_items(
    session: AsyncSession, *, cycle_id: str | None, uf: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    query = select(ConsolidatedItem)
    if cycle_id:
        query = query.where(ConsolidatedItem.cycle_id == cycle_id)
    if uf:
        query = query.where(ConsolidatedItem.uf == uf)
    rows = (
        await session.scalars(
            query.order_by(ConsolidatedItem.axis, ConsolidatedItem.id).limit(limit).offset(offset)
        )
    ).all()
    return [item_view(r) for r in rows]
