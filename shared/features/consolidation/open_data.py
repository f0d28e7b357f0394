"""The regional and national tiers' consolidation datasets (open data, see
``shared.platform.web.open_data``); the answers' dataset belongs to the feature that holds them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
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
from shared.platform.web.open_data import Dataset, RowStream, row_of, scalars, tuples

ITEM_COLUMNS = (
    "id", "cycle_id", "uf", "axis", "competence", "title", "text", "version", "status",
    "score", "rank", "report_id", "published_at", "breakdown", "parent_id",
)  # fmt: skip


def _filtered(query: Select[Any], model: Any, filters: Mapping[str, str]) -> Select[Any]:
    for name in ("cycle_id", "uf", "axis", "status"):
        if name in filters and hasattr(model, name):
            query = query.where(getattr(model, name) == filters[name])
    return query


async def _items(session: AsyncSession, filters: Mapping[str, str]) -> RowStream:
    query = _filtered(select(ConsolidatedItem), ConsolidatedItem, filters)
    async for r in scalars(session, query.order_by(ConsolidatedItem.axis, ConsolidatedItem.id)):
        yield row_of(r, ITEM_COLUMNS)


SOURCE_COLUMNS = (
    "item_id", "report_id", "assembly_id", "territory", "uf", "axis", "competence", "rank",
    "support", "title", "text",
)  # fmt: skip


async def _sources(session: AsyncSession, filters: Mapping[str, str]) -> RowStream:
    query = select(SourceItem).join(ReceivedReport)
    if "cycle_id" in filters:
        query = query.where(ReceivedReport.cycle_id == filters["cycle_id"])
    if "uf" in filters:
        query = query.where(SourceItem.uf == filters["uf"])
    async for r in scalars(session, query.order_by(SourceItem.item_id)):
        yield row_of(r, SOURCE_COLUMNS)


LINEAGE_COLUMNS = (
    "item_id", "item_status", "source_item_id", "source_assembly_id", "proposal_id",
    "origin_assembly_id", "origin_territory",
)  # fmt: skip


async def _lineage(session: AsyncSession, filters: Mapping[str, str]) -> RowStream:
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
    async for r in tuples(session, query.order_by(ConsolidatedItem.id, ItemOrigin.proposal_id)):
        yield dict(zip(LINEAGE_COLUMNS, (str(r[0]), *r[1:]), strict=True))


TALLY_COLUMNS = (
    "report_id", "assembly_id", "territory", "poll_id", "kind", "subject", "axis", "method",
    "ballots_sha256", "ballots", "ranking", "outcome",
)  # fmt: skip


def _reports(session: AsyncSession, filters: Mapping[str, str]) -> AsyncIterator[ReceivedReport]:
    query = _filtered(select(ReceivedReport), ReceivedReport, filters)
    return scalars(session, query.order_by(ReceivedReport.received_at))


async def _tallies(session: AsyncSession, filters: Mapping[str, str]) -> RowStream:
    async for r in _reports(session, filters):
        for m in r.body.get("manifests", []):
            yield {
                "report_id": r.report_id,
                "assembly_id": r.assembly_id,
                "territory": r.territory,
                **m,
            }


REPORT_COLUMNS = (
    "report_id", "cycle_id", "tier", "assembly_id", "assembly_kind", "territory", "uf",
    "title", "late", "participants", "population", "closed_at", "received_at", "sender",
)  # fmt: skip


async def _report_rows(session: AsyncSession, filters: Mapping[str, str]) -> RowStream:
    async for r in _reports(session, filters):
        yield row_of(r, REPORT_COLUMNS)


MANDATE_COLUMNS = (
    "mandate_id", "cycle_id", "uf", "assembly_id", "territory", "public_name", "segment",
    "role", "rank", "gender", "quota_groups",
)  # fmt: skip


async def _mandates(session: AsyncSession, filters: Mapping[str, str]) -> RowStream:
    query = _filtered(select(ReceivedMandate), ReceivedMandate, filters)
    order = (ReceivedMandate.assembly_id, ReceivedMandate.rank)
    async for r in scalars(session, query.order_by(*order)):
        yield row_of(r, MANDATE_COLUMNS)


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


async def _actions(session: AsyncSession, filters: Mapping[str, str]) -> RowStream:
    query = _filtered(select(ConsolidationAction), ConsolidationAction, filters)
    async for r in scalars(session, query.order_by(ConsolidationAction.created_at)):
        yield row_of(r, ACTION_COLUMNS)


ALLOCATION_COLUMNS = (
    "allocation_id", "direction", "cycle_id", "territory", "uf", "assembly_id", "seats",
    "per_segment", "method", "basis", "basis_value", "source", "alternates_per_segment",
)  # fmt: skip


async def _allocations(session: AsyncSession, filters: Mapping[str, str]) -> RowStream:
    query = _filtered(
        select(AllocationRecord).where(AllocationRecord.superseded.is_(False)),
        AllocationRecord,
        filters,
    )
    async for r in scalars(session, query.order_by(AllocationRecord.territory)):
        yield row_of(r, ALLOCATION_COLUMNS)


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
