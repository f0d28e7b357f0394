"""The regional and national tiers' consolidation datasets (open data, see
``shared.platform.web.open_data``); the answers' dataset belongs to the feature that holds them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.features.allocation.model import AllocationRecord
from shared.features.consolidation.model import (
    ConsolidatedItem,
    ConsolidationAction,
    ItemOrigin,
    ItemSource,
    ReceivedMandate,
    ReceivedReport,
    SourceItem,
)
from shared.platform.web.open_data import Dataset, Rows, row_of

ITEM_COLUMNS = (
    "id", "cycle_id", "uf", "axis", "competence", "title", "text", "version", "status",
    "score", "rank", "report_id", "published_at", "breakdown",
)  # fmt: skip


def _filtered(query: Select[Any], model: Any, filters: Mapping[str, str]) -> Select[Any]:
    for name in ("cycle_id", "uf", "axis", "status"):
        if name in filters and hasattr(model, name):
            query = query.where(getattr(model, name) == filters[name])
    return query


async def _items(session: AsyncSession, filters: Mapping[str, str]) -> Rows:
    query = _filtered(select(ConsolidatedItem), ConsolidatedItem, filters)
    rows = await session.scalars(query.order_by(ConsolidatedItem.axis, ConsolidatedItem.id))
    return [row_of(r, ITEM_COLUMNS) for r in rows]


SOURCE_COLUMNS = (
    "item_id", "report_id", "assembly_id", "territory", "uf", "axis", "competence", "rank",
    "support", "title", "text",
)  # fmt: skip


async def _sources(session: AsyncSession, filters: Mapping[str, str]) -> Rows:
    query = select(SourceItem).join(ReceivedReport)
    if "cycle_id" in filters:
        query = query.where(ReceivedReport.cycle_id == filters["cycle_id"])
    if "uf" in filters:
        query = query.where(SourceItem.uf == filters["uf"])
    rows = await session.scalars(query.order_by(SourceItem.item_id))
    return [row_of(r, SOURCE_COLUMNS) for r in rows]


LINEAGE_COLUMNS = (
    "item_id", "item_status", "source_item_id", "source_assembly_id", "proposal_id",
    "origin_assembly_id", "origin_territory",
)  # fmt: skip


async def _lineage(session: AsyncSession, filters: Mapping[str, str]) -> Rows:
    query = _filtered(
        select(
            ConsolidatedItem.id,
            ConsolidatedItem.status,
            SourceItem.item_id,
            SourceItem.assembly_id,
            ItemOrigin.proposal_id,
            ItemOrigin.assembly_id,
            ItemOrigin.territory,
        )
        .join(ItemSource, ItemSource.item_id == ConsolidatedItem.id)
        .join(SourceItem, SourceItem.item_id == ItemSource.source_item_id)
        .join(ItemOrigin, ItemOrigin.source_item_id == SourceItem.item_id),
        ConsolidatedItem,
        filters,
    )
    rows = await session.execute(query.order_by(ConsolidatedItem.id, ItemOrigin.proposal_id))
    return [dict(zip(LINEAGE_COLUMNS, (str(r[0]), *r[1:]), strict=True)) for r in rows]


TALLY_COLUMNS = (
    "report_id", "assembly_id", "territory", "poll_id", "kind", "subject", "axis", "method",
    "ballots_sha256", "ballots", "ranking", "outcome",
)  # fmt: skip


async def _reports(session: AsyncSession, filters: Mapping[str, str]) -> list[ReceivedReport]:
    query = _filtered(select(ReceivedReport), ReceivedReport, filters)
    return list(await session.scalars(query.order_by(ReceivedReport.received_at)))


async def _tallies(session: AsyncSession, filters: Mapping[str, str]) -> Rows:
    return [
        {"report_id": r.report_id, "assembly_id": r.assembly_id, "territory": r.territory, **m}
        for r in await _reports(session, filters)
        for m in r.body.get("manifests", [])
    ]


REPORT_COLUMNS = (
    "report_id", "cycle_id", "tier", "assembly_id", "assembly_kind", "territory", "uf",
    "title", "late", "participants", "population", "closed_at", "received_at", "sender",
)  # fmt: skip


async def _report_rows(session: AsyncSession, filters: Mapping[str, str]) -> Rows:
    return [row_of(r, REPORT_COLUMNS) for r in await _reports(session, filters)]


MANDATE_COLUMNS = (
    "mandate_id", "cycle_id", "uf", "assembly_id", "territory", "public_name", "segment",
    "role", "rank", "gender", "quota_groups",
)  # fmt: skip


async def _mandates(session: AsyncSession, filters: Mapping[str, str]) -> Rows:
    query = _filtered(select(ReceivedMandate), ReceivedMandate, filters)
    rows = await session.scalars(query.order_by(ReceivedMandate.assembly_id, ReceivedMandate.rank))
    return [row_of(r, MANDATE_COLUMNS) for r in rows]


ACTION_COLUMNS = (
    "id",
    "cycle_id",
    "uf",
    "kind",
    "actor",
    "note",
    "payload",
    "created_at",
    "undone_at",
)


async def _actions(session: AsyncSession, filters: Mapping[str, str]) -> Rows:
    query = _filtered(select(ConsolidationAction), ConsolidationAction, filters)
    rows = await session.scalars(query.order_by(ConsolidationAction.created_at))
    return [row_of(r, ACTION_COLUMNS) for r in rows]


ALLOCATION_COLUMNS = (
    "allocation_id", "direction", "cycle_id", "territory", "uf", "assembly_id", "seats",
    "per_segment", "method", "basis", "basis_value", "source", "alternates_per_segment",
)  # fmt: skip


async def _allocations(session: AsyncSession, filters: Mapping[str, str]) -> Rows:
    query = _filtered(
        select(AllocationRecord).where(AllocationRecord.superseded.is_(False)),
        AllocationRecord,
        filters,
    )
    rows = await session.scalars(query.order_by(AllocationRecord.territory))
    return [row_of(r, ALLOCATION_COLUMNS) for r in rows]


CONSOLIDATION_DATASETS = (
    Dataset("items", "consolidated items with score breakdown", ITEM_COLUMNS, _items),
    Dataset("sources", "items received from the tier below, as sent", SOURCE_COLUMNS, _sources),
    Dataset("lineage", "edges item → source item → local proposal", LINEAGE_COLUMNS, _lineage),
    Dataset("reports", "reports received from below", REPORT_COLUMNS, _report_rows),
    Dataset("tallies", "tally manifests carried by reports", TALLY_COLUMNS, _tallies),
    Dataset("mandates", "public fields of delegate mandates", MANDATE_COLUMNS, _mandates),
    Dataset("actions", "consolidation action log", ACTION_COLUMNS, _actions),
    Dataset("allocations", "seat allocations sent and received", ALLOCATION_COLUMNS, _allocations),
)
