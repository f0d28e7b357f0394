"""The Priorização page's data: one page of an axis's ranked items, and each item's stored score
breakdown (:mod:`shared.features.consolidation.ranking`) grouped by the kind of source that gave
the points, ready to draw as a stacked bar and to read as a table.

Only the page's items are read (an axis of São Paulo holds thousands); the sources' kinds and
territories come from their reports, for the origins on that page only.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.consolidation import ItemView
from shared.core.vocabulary import ACTIVE
from shared.features.consolidation.lineage import item_view
from shared.features.consolidation.model import (
    ConsolidatedItem,
    ItemSource,
    ReceivedReport,
    SourceItem,
)

#: Drawing order and colour of each kind of source (the legend and the table name them too).
KIND_COLOURS: dict[str, str] = {
    "municipal": "#1351b4",
    "intermunicipal": "#5992ed",
    "neighbourhood": "#0c326f",
    "free": "#168821",
    "digital": "#8a4f00",
    "state": "#6b2fa3",
}
OTHER_COLOUR = "#555555"


@dataclass(frozen=True, slots=True)
class Origin:
    """Who a contribution came from: its report's assembly kind and territory."""

    kind: str
    territory: str


@dataclass(frozen=True, slots=True)
class Contribution:
    origin: str
    territory: str
    rank: int
    size: int
    weight: Fraction
    points: Fraction


@dataclass(frozen=True, slots=True)
class Segment:
    """One kind of source's share of an item's score, and where its bar segment is drawn."""

    kind: str
    colour: str
    sources: int
    weight: Fraction
    points: Fraction
    x: float
    width: float
    contributions: tuple[Contribution, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    score: Fraction
    width: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class PriorityPage:
    axis: str
    items: list[ItemView]
    total: int
    top_score: float
    origins: dict[str, Origin] = field(default_factory=dict)
    supports: dict[str, int] = field(default_factory=dict)


def fraction(value: Any) -> Fraction:
    """A stored number of the breakdown (an int, or ``"n/d"``) as a fraction."""
    return Fraction(str(value)) if value is not None else Fraction(0)


def chart(
    breakdown: Mapping[str, Any] | None,
    origins: Mapping[str, Origin],
    *,
    top: float,
    width: float = 300.0,
) -> Chart | None:
    """The item's score as bar segments per kind of source, scaled so ``top`` (the axis's best
    score) fills ``width``; None when the item has not been scored."""
    if not breakdown or not breakdown.get("contributions"):
        return None
    by_kind: dict[str, list[Contribution]] = {}
    for c in breakdown["contributions"]:
        origin = origins.get(str(c["origin"]), Origin(kind="", territory=""))
        by_kind.setdefault(origin.kind, []).append(
            Contribution(
                origin=str(c["origin"]),
                territory=origin.territory,
                rank=int(c["rank"]),
                size=int(c["size"]),
                weight=fraction(c["weight"]),
                points=fraction(c["points"]),
            )
        )
    order = list(KIND_COLOURS)
    score = fraction(breakdown.get("score"))
    scale = width / top if top > 0 else 0.0
    x = 0.0
    segments: list[Segment] = []
    for kind in sorted(by_kind, key=lambda k: (order.index(k) if k in order else len(order), k)):
        parts = tuple(sorted(by_kind[kind], key=lambda c: (-c.points, c.territory, c.origin)))
        points = sum((c.points for c in parts), Fraction(0))
        bar = float(points) * scale
        segments.append(
            Segment(
                kind=kind,
                colour=KIND_COLOURS.get(kind, OTHER_COLOUR),
                sources=len(parts),
                weight=sum((c.weight for c in parts), Fraction(0)),
                points=points,
                x=round(x, 2),
                width=round(bar, 2),
                contributions=parts,
            )
        )
        x += bar
    return Chart(score=score, width=width, segments=tuple(segments))


async def priority_page(
    session: AsyncSession, *, cycle_id: str, uf: str, axis: str, limit: int, offset: int
) -> PriorityPage:
    """One page of the axis's active items in rank order (unranked last), with the origins
    their breakdowns name and the supports their sources received."""
    where = (
        ConsolidatedItem.cycle_id == cycle_id,
        ConsolidatedItem.uf == uf,
        ConsolidatedItem.axis == axis,
        ConsolidatedItem.status == ACTIVE,
    )
    total, top = (
        await session.execute(
            select(func.count(), func.coalesce(func.max(ConsolidatedItem.score), 0.0)).where(*where)
        )
    ).one()
    rows = (
        await session.scalars(
            select(ConsolidatedItem)
            .where(*where)
            .order_by(
                ConsolidatedItem.rank.nulls_last(),
                ConsolidatedItem.score.desc(),
                ConsolidatedItem.id,
            )
            .limit(limit)
            .offset(offset)
        )
    ).all()
    items = [item_view(r) for r in rows]
    named = sorted(
        {str(c["origin"]) for i in items for c in (i.breakdown or {}).get("contributions", [])}
    )
    return PriorityPage(
        axis=axis,
        items=items,
        total=int(total),
        top_score=float(top),
        origins=await _origins(session, cycle_id, named),
        supports=await _supports(session, [r.id for r in rows]),
    )


async def axis_items(
    session: AsyncSession, *, cycle_id: str, uf: str, axis: str, limit: int, offset: int
) -> tuple[list[ItemView], int]:
    """One page of the axis's active items, those an action made first (newest first)."""
    where = (
        ConsolidatedItem.cycle_id == cycle_id,
        ConsolidatedItem.uf == uf,
        ConsolidatedItem.axis == axis,
        ConsolidatedItem.status == ACTIVE,
    )
    total = await session.scalar(select(func.count()).where(*where))
    rows = await session.scalars(
        select(ConsolidatedItem)
        .where(*where)
        .order_by(
            ConsolidatedItem.made_by.is_(None),
            ConsolidatedItem.id.desc(),
        )
        .limit(limit)
        .offset(offset)
    )
    return [item_view(r) for r in rows], int(total or 0)


async def _origins(
    session: AsyncSession, cycle_id: str, assemblies: Sequence[str]
) -> dict[str, Origin]:
    if not assemblies:
        return {}
    rows = await session.execute(
        select(ReceivedReport.assembly_id, ReceivedReport.assembly_kind, ReceivedReport.territory)
        .where(ReceivedReport.cycle_id == cycle_id, ReceivedReport.assembly_id.in_(assemblies))
        .distinct()
    )
    return {a: Origin(kind=k, territory=t) for a, k, t in rows}


async def _supports(session: AsyncSession, item_ids: Sequence[uuid.UUID]) -> dict[str, int]:
    """The supports each item's sources received where they came from (shown, not scored)."""
    if not item_ids:
        return {}
    rows = await session.execute(
        select(ItemSource.item_id, func.coalesce(func.sum(SourceItem.support), 0))
        .join(SourceItem, SourceItem.item_id == ItemSource.source_item_id)
        .where(ItemSource.item_id.in_(list(item_ids)))
        .group_by(ItemSource.item_id)
    )
    return {str(i): int(n) for i, n in rows}
