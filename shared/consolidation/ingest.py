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
from shared.db.models.consolidation import (
    ConsolidatedItem,
    ItemOrigin,
    ItemSource,
    ItemVersion,
    ReceivedMandate,
    ReceivedReport,
    SourceItem,
)
from shared.db.models.messaging import TrustedKey
from shared.domain.territory import NATION
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
    await _check_signer(session, delivery.envelope.sender, report)
    await _check_new_ids(session, report)
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
    if report.mandates:
        await session.execute(
            insert(ReceivedMandate),
            [
                {
                    "mandate_id": m.mandate_id,
                    "report_id": report.report_id,
                    "cycle_id": report.cycle_id,
                    "uf": report.uf,
                    "assembly_id": report.assembly_id,
                    "territory": report.territory,
                    "public_name": m.public_name,
                    "segment": m.segment,
                    "role": m.role,
                    "rank": m.rank,
                    "gender": m.gender,
                    "quota_groups": list(m.quota_groups),
                }
                for m in report.mandates
            ],
        )
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
    # The national tier consolidates every state's items together.
    scope = report.uf if expected_from == "local" else NATION
    item_ids = (
        await session.scalars(
            insert(ConsolidatedItem).returning(ConsolidatedItem.id, sort_by_parameter_order=True),
            [
                {
                    "cycle_id": report.cycle_id,
                    "uf": scope,
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
    await session.execute(
        insert(ItemVersion),
        [
            {"item_id": item_id, "version": 1, "title": item.title, "text": item.text}
            for item_id, item in zip(item_ids, report.items, strict=True)
        ],
    )
    origin_rows = {
        (item.item_id, origin.proposal_id): {
            "source_item_id": item.item_id,
            "proposal_id": origin.proposal_id,
            "assembly_id": origin.assembly_id,
            "territory": origin.territory,
        }
        for index, item in enumerate(report.items)
        for origin in origins_of(report, index)
    }
    await session.execute(insert(ItemOrigin), list(origin_rows.values()))
    return received


async def _check_signer(session: AsyncSession, sender: str, report: AssemblyReport) -> None:
    """A key introduced for one assembly may sign only that assembly's reports."""
    bound = await session.scalar(select(TrustedKey.assembly_id).where(TrustedKey.key_id == sender))
    if bound and bound != report.assembly_id:
        raise MessageError(
            "wrong-signer", f"key {sender} belongs to assembly {bound}, not {report.assembly_id}"
        )


async def _check_new_ids(session: AsyncSession, report: AssemblyReport) -> None:
    """Item and mandate ids are global: a second report reusing one is refused, not merged."""
    item_ids = [item.item_id for item in report.items]
    mandate_ids = [m.mandate_id for m in report.mandates]
    if len(set(item_ids)) != len(item_ids) or len(set(mandate_ids)) != len(mandate_ids):
        raise MessageError("duplicate-id", "an item or mandate id appears twice in the report")
    if item_ids and await session.scalar(
        select(SourceItem.item_id).where(SourceItem.item_id.in_(item_ids)).limit(1)
    ):
        raise MessageError("duplicate-item", "an item of this report arrived in another report")
    if mandate_ids and await session.scalar(
        select(ReceivedMandate.mandate_id)
        .where(ReceivedMandate.mandate_id.in_(mandate_ids))
        .limit(1)
    ):
        raise MessageError("duplicate-mandate", "a mandate of this report arrived in another one")
