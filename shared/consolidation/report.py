"""Close a tier's conference: rank its consolidated items and send the signed report up."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime

import msgspec
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bus.outbox import Outbox
from shared.db.models.consolidation import ConsolidatedItem, ItemSource, ReceivedReport, SourceItem
from shared.domain.errors import Conflict, NotFound
from shared.messages.subjects import up_subject
from shared.messages.wire import AssemblyReport, OriginRef, ReportItem, SourceRef
from shared.settings import Tier

FORWARDED: dict[Tier, set[str]] = {"regional": {"national"}, "national": set()}


async def build_and_send_report(
    session: AsyncSession,
    outbox: Outbox,
    *,
    tier: Tier,
    cycle_id: str,
    uf: str,
    assembly_id: str,
    title: str,
) -> AssemblyReport:
    """Rank active items of (cycle, uf) by support and stage the report in the outbox."""
    already = await session.scalar(
        select(func.count())
        .select_from(ConsolidatedItem)
        .where(ConsolidatedItem.cycle_id == cycle_id, ConsolidatedItem.uf == uf)
        .where(ConsolidatedItem.report_id.is_not(None))
    )
    if already:
        raise Conflict(f"the {tier} conference {cycle_id}/{uf} has already reported")
    items = (
        await session.scalars(
            select(ConsolidatedItem).where(
                ConsolidatedItem.cycle_id == cycle_id,
                ConsolidatedItem.uf == uf,
                ConsolidatedItem.status == "active",
                ConsolidatedItem.competence.in_(FORWARDED[tier]),
            )
        )
    ).all()
    if not items:
        raise NotFound(f"no items to report for {cycle_id}/{uf}")
    sources = await _sources_by_item(session, [item.id for item in items])
    participants = await session.scalar(
        select(func.coalesce(func.sum(ReceivedReport.participants), 0)).where(
            ReceivedReport.cycle_id == cycle_id, ReceivedReport.uf == uf
        )
    )
    support = {item.id: sum(s.support for s in sources[item.id]) for item in items}
    ranked: dict[str, list[ConsolidatedItem]] = defaultdict(list)
    for item in sorted(items, key=lambda i: (-support[i.id], str(i.id))):
        ranked[item.axis].append(item)
    report_items = [
        ReportItem(
            item_id=str(item.id),
            axis=axis,
            competence=item.competence,  # type: ignore[arg-type]
            title=item.title,
            text=item.text,
            rank=rank,
            support=support[item.id],
            sources=[
                SourceRef(
                    item_id=s.item_id,
                    assembly_id=s.assembly_id,
                    territory=s.territory,
                    rank=s.rank,
                    support=s.support,
                    text=s.text,
                )
                for s in sources[item.id]
            ],
            origins=[msgspec.convert(o, OriginRef) for s in sources[item.id] for o in s.origins],
        )
        for axis, axis_items in sorted(ranked.items())
        for rank, item in enumerate(axis_items, start=1)
    ]
    report = AssemblyReport(
        report_id=str(uuid.uuid4()),
        cycle_id=cycle_id,
        tier=tier,
        assembly_id=assembly_id,
        assembly_kind="state" if tier == "regional" else "national",
        territory=uf,
        uf=uf,
        title=title,
        closed_at=datetime.now(UTC),
        participants=int(participants or 0),
        items=report_items,
    )
    await session.execute(
        update(ConsolidatedItem)
        .where(ConsolidatedItem.id.in_([item.id for item in items]))
        .values(report_id=report.report_id)
    )
    await outbox.stage(session, report, up_subject(tier, "report", uf))
    return report


async def _sources_by_item(
    session: AsyncSession, item_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[SourceItem]]:
    rows = (
        await session.execute(
            select(ItemSource.item_id, SourceItem)
            .join(SourceItem, SourceItem.item_id == ItemSource.source_item_id)
            .where(ItemSource.item_id.in_(item_ids))
            .order_by(SourceItem.rank, SourceItem.item_id)
        )
    ).all()
    by_item: dict[uuid.UUID, list[SourceItem]] = defaultdict(list)
    for item_id, source in rows:
        by_item[item_id].append(source)
    return by_item
