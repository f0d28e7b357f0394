"""Apply a verified report from the tier below: keep it whole, its items, and lineage edges.

Each source item first becomes its own consolidated item; merging duplicates later only adds
edges and items, so nothing that arrived is ever lost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import msgspec
from sqlalchemy import String, Table, any_, bindparam, exists, insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from shared.bus.inbox import Delivery
from shared.db.base import DefaultBase, UUIDv7AuditBase
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


# Core tables: ORM bulk inserts build per-row state and objects that a report never needs.
def _table(model: type[DefaultBase] | type[UUIDv7AuditBase]) -> Table:
    return cast(Table, model.__table__)


_REPORTS = _table(ReceivedReport)
_MANDATES = _table(ReceivedMandate)
_SOURCE_ITEMS = _table(SourceItem)
_ITEMS = _table(ConsolidatedItem)
_ITEM_SOURCES = _table(ItemSource)
_VERSIONS = _table(ItemVersion)
_ORIGINS = _table(ItemOrigin)
_TRUSTED_KEYS = _table(TrustedKey)
#: The id column's own default (advanced-alchemy's uuid7), so ids are known without RETURNING.
_new_item_id = uuid7

_IDS = postgresql.ARRAY(String)
#: Every check that needs the database, in one round trip (a report used to take four).
_CHECKS = select(
    exists().where(_REPORTS.c.report_id == bindparam("report_id")).label("seen"),
    select(_TRUSTED_KEYS.c.assembly_id)
    .where(_TRUSTED_KEYS.c.key_id == bindparam("sender"))
    .scalar_subquery()
    .label("bound"),
    exists()
    .where(_SOURCE_ITEMS.c.item_id == any_(bindparam("item_ids", type_=_IDS)))
    .label("item_taken"),
    exists()
    .where(_MANDATES.c.mandate_id == any_(bindparam("mandate_ids", type_=_IDS)))
    .label("mandate_taken"),
)


async def apply_report(session: AsyncSession, delivery: Delivery, *, expected_from: Tier) -> str:
    """Store a report and one consolidated item per incoming item, with lineage edges.

    Returns the report id. Refusals (checked in this order): wrong body or tier, a report
    already applied, a key bound to another assembly, ids repeated within the report, then
    items or mandates that arrived in another report.
    """
    report = delivery.body
    if not isinstance(report, AssemblyReport):
        raise MessageError("unexpected-body", type(report).__name__)
    if report.tier != expected_from:
        raise MessageError(
            "wrong-tier", f"a {report.tier} report reached the {expected_from} inbox"
        )
    sender = delivery.envelope.sender
    item_ids = [item.item_id for item in report.items]
    mandate_ids = [m.mandate_id for m in report.mandates]
    checked = (
        await session.execute(
            _CHECKS,
            {
                "report_id": report.report_id,
                "sender": sender,
                "item_ids": item_ids,
                "mandate_ids": mandate_ids,
            },
        )
    ).one()
    if checked.seen:
        raise MessageError("duplicate-report", f"report {report.report_id} was already applied")
    if checked.bound and checked.bound != report.assembly_id:
        raise MessageError(
            "wrong-signer",
            f"key {sender} belongs to assembly {checked.bound}, not {report.assembly_id}",
        )
    # Item and mandate ids are global: a second report reusing one is refused, not merged.
    if len(set(item_ids)) != len(item_ids) or len(set(mandate_ids)) != len(mandate_ids):
        raise MessageError("duplicate-id", "an item or mandate id appears twice in the report")
    if checked.item_taken:
        raise MessageError("duplicate-item", "an item of this report arrived in another report")
    if checked.mandate_taken:
        raise MessageError("duplicate-mandate", "a mandate of this report arrived in another one")

    body = msgspec.to_builtins(report)
    await session.execute(
        insert(_REPORTS).values(
            report_id=report.report_id,
            message_id=delivery.envelope.id,
            sender=sender,
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
            body=body,
        )
    )
    if report.mandates:
        await session.execute(
            insert(_MANDATES),
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
        return report.report_id
    # The builtins of each item's origins come from the body encoded above, not a second pass.
    item_bodies: list[dict[str, Any]] = body["items"]
    origins = [
        item_body["origins"]
        or [
            {
                "proposal_id": item.item_id,
                "assembly_id": report.assembly_id,
                "territory": report.territory,
            }
        ]
        for item, item_body in zip(report.items, item_bodies, strict=True)
    ]
    await session.execute(
        insert(_SOURCE_ITEMS),
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
                "origins": item_origins,
            }
            for item, item_origins in zip(report.items, origins, strict=True)
        ],
    )
    # The national tier consolidates every state's items together.
    scope = report.uf if expected_from == "local" else NATION
    consolidated_ids = [_new_item_id() for _ in report.items]
    await session.execute(
        insert(_ITEMS),
        [
            {
                "id": consolidated_id,
                "cycle_id": report.cycle_id,
                "uf": scope,
                "axis": item.axis,
                "competence": item.competence,
                "title": item.title,
                "text": item.text,
            }
            for consolidated_id, item in zip(consolidated_ids, report.items, strict=True)
        ],
    )
    await session.execute(
        insert(_ITEM_SOURCES),
        [
            {"item_id": consolidated_id, "source_item_id": item.item_id}
            for consolidated_id, item in zip(consolidated_ids, report.items, strict=True)
        ],
    )
    await session.execute(
        insert(_VERSIONS),
        [
            {"item_id": consolidated_id, "version": 1, "title": item.title, "text": item.text}
            for consolidated_id, item in zip(consolidated_ids, report.items, strict=True)
        ],
    )
    origin_rows = {
        (item.item_id, origin["proposal_id"]): {
            "source_item_id": item.item_id,
            "proposal_id": origin["proposal_id"],
            "assembly_id": origin["assembly_id"],
            "territory": origin["territory"],
        }
        for item, item_origins in zip(report.items, origins, strict=True)
        for origin in item_origins
    }
    await session.execute(insert(_ORIGINS), list(origin_rows.values()))
    return report.report_id
