"""Apply a verified report from the tier below: keep it whole, its items, and lineage edges.

Each source item first becomes its own consolidated item; merging duplicates later only adds
edges and items, so nothing that arrived is ever lost.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bus.inbox import Delivery
from shared.db.models.consolidation import ConsolidatedItem, ItemSource, ReceivedReport, SourceItem
from shared.messages.envelope import MessageError
from shared.messages.wire import AssemblyReport, OriginRef
from shared.settings import Tier


def origins_of(report: AssemblyReport, item_index: int) -> list[OriginRef]:
    """Origins of a report item; a local proposal is its own origin."""
    item = report.items[item_index]
    if item.origins:
        return list(item.origins)
    return [
        OriginRef(
            proposal_id=item.item_id, assembly_id=report.assembly_id, territory=report.territory
        )
    ]


async def apply_report(
    session: AsyncSession, delivery: Delivery, *, expected_from: Tier
) -> ReceivedReport:
    """Store a report and one consolidated item per incoming item, with lineage edges."""
    report = delivery.body
    if not isinstance(report, AssemblyReport):
        raise MessageError("unexpected-body", type(report).__name__)
    if report.tier != expected_from:
        raise MessageError(
            "wrong-tier", f"a {report.tier} report reached the {expected_from} inbox"
        )
    existing = await session.scalar(
        select(ReceivedReport.report_id).where(ReceivedReport.report_id == report.report_id)
    )
    if existing is not None:
        raise MessageError("duplicate-report", f"report {report.report_id} was already applied")
    received = ReceivedReport(
        report_id=report.report_id,
        message_id=delivery.envelope.id,
        sender=delivery.envelope.sender,
        signature=delivery.signature,
        cycle_id=report.cycle_id,
        tier=report.tier,
        assembly_id=report.assembly_id,
        assembly_kind=report.assembly_kind,
        territory=report.territory,
        uf=report.uf,
        title=report.title,
        late=report.late,
        participants=report.participants,
        population=report.population,
        closed_at=report.closed_at,
        received_at=datetime.now(UTC),
        raw=delivery.data,
        body=msgspec.to_builtins(report),
    )
    session.add(received)
    await session.flush()
    if not report.items:
        return received
    await session.execute(
        insert(SourceItem),
        [
            {
                "item_id": item.item_id,
                "report_id": report.report_id,
                "assembly_id": report.assembly_id,
                "territory": report.territory,
                "uf": report.uf,
                "axis": item.axis,
                "competence": item.competence,
                "title": item.title,
                "text": item.text,
                "rank": item.rank,
                "support": item.support,
                "origins": msgspec.to_builtins(origins_of(report, index)),
            }
            for index, item in enumerate(report.items)
        ],
    )
    item_ids = (
        await session.scalars(
            insert(ConsolidatedItem).returning(ConsolidatedItem.id, sort_by_parameter_order=True),
            [
                {
                    "cycle_id": report.cycle_id,
                    "uf": report.uf,
                    "axis": item.axis,
                    "competence": item.competence,
                    "title": item.title,
                    "text": item.text,
                }
                for item in report.items
            ],
        )
    ).all()
    await session.execute(
        insert(ItemSource),
        [
            {"item_id": item_id, "source_item_id": item.item_id}
            for item_id, item in zip(item_ids, report.items, strict=True)
        ],
    )
    return received
