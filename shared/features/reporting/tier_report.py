"""Close a tier's conference: rank its items, keep what the cycle forwards, send the report up.

Competence routing and caps come from the cycle's consolidation rules: the regional tier forwards
national items (state items stay at the state), at most N per axis; items go in score order
with their score, sources and every local origin, so the tier above can rank and trace them.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime

import msgspec
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.messages import (
    AssemblyReport,
    AxisPairwise,
    Mandate,
    OriginRef,
    ReportItem,
    SourceRef,
)
from shared.contracts.subjects import up_subject
from shared.core.consolidation import apply_caps
from shared.core.errors import Conflict
from shared.core.territory import unit
from shared.features.consolidation.actions import ACTIVE
from shared.features.consolidation.model import (
    ConferenceReport,
    ConsolidatedItem,
    ItemOrigin,
    ItemSource,
    ReceivedReport,
    SourceItem,
)
from shared.features.consolidation.plenary import (
    closed_polls,
    elected_mandates,
    priority_order,
)
from shared.features.consolidation.ranking import (
    axis_pairwise_sources,
    pooled_matrix,
    rank_items,
    report_scope,
)
from shared.features.cycles.consolidation_rules import rules_for
from shared.features.plenary import polls
from shared.platform.bus.outbox import Outbox
from shared.platform.settings import Tier


async def build_and_send_report(
    session: AsyncSession,
    outbox: Outbox,
    *,
    tier: Tier,
    cycle_id: str,
    uf: str,
    assembly_id: str,
    title: str,
    mandates: list[Mandate] | None = None,
) -> AssemblyReport:
    """Rank active items of (cycle, uf) — by the plenary's priority poll where one was held, else
    by score — keep the forwarded competences within the caps, and stage the signed report
    (with the plenary's manifests and elected mandates) in the outbox."""
    report_id = str(uuid.uuid4())
    claimed = await session.scalar(
        insert(ConferenceReport)
        .values(cycle_id=cycle_id, uf=uf, report_id=report_id, items=0, closed_at=datetime.now(UTC))
        .on_conflict_do_nothing(index_elements=["cycle_id", "uf"])
        .returning(ConferenceReport.report_id)
    )
    if claimed is None:
        raise Conflict(f"the {tier} conference {cycle_id}/{uf} has already reported")
    rules = await rules_for(session, cycle_id)
    await rank_items(session, cycle_id=cycle_id, uf=uf, rules=rules)
    candidates = (
        await session.scalars(
            select(ConsolidatedItem)
            .where(
                ConsolidatedItem.cycle_id == cycle_id,
                ConsolidatedItem.uf == uf,
                ConsolidatedItem.status == ACTIVE,
                ConsolidatedItem.competence.in_(rules.forwarded(tier)),
            )
            .order_by(ConsolidatedItem.axis, ConsolidatedItem.rank, ConsolidatedItem.id)
            .execution_options(populate_existing=True)
        )
    ).all()
    closed = await closed_polls(session, assembly_id)
    voted = priority_order(closed)
    unlisted = len(candidates)
    ordered = sorted(
        candidates,
        key=lambda i: (i.axis, voted.get(i.axis, {}).get(str(i.id), unlisted), i.rank or unlisted),
    )
    kept = apply_caps(
        [(i.axis, i.competence, i) for i in ordered], rules.caps, per_axis=rules.caps_per_axis
    )
    # A conference that forwards no item still reports: its delegation and tallies go up.
    items = [item for _, _, item in kept]
    sources = await _sources_by_item(session, [item.id for item in items])
    origins = await _origins_by_item(session, [item.id for item in items])
    participants = await session.scalar(
        select(func.coalesce(func.sum(ReceivedReport.participants), 0)).where(
            ReceivedReport.cycle_id == cycle_id, report_scope(uf)
        )
    )
    by_axis: dict[str, list[ConsolidatedItem]] = defaultdict(list)
    for item in items:
        by_axis[item.axis].append(item)
    report_items = [
        ReportItem(
            item_id=str(item.id),
            axis=axis,
            competence=item.competence,  # type: ignore[arg-type]
            title=item.title,
            text=item.text,
            rank=rank,
            support=sum(s.support for s in sources[item.id]),
            score=item.score,
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
            origins=origins[item.id],
        )
        for axis, axis_items in sorted(by_axis.items())
        for rank, item in enumerate(axis_items, start=1)
    ]
    pairwise = []
    for axis, axis_items in sorted(by_axis.items()):
        matrices, _, mapping = await axis_pairwise_sources(
            session, cycle_id=cycle_id, uf=uf, axis=axis, rules=rules
        )
        keep = [str(i.id) for i in axis_items]
        counts = pooled_matrix(matrices, mapping, keep) if matrices else None
        if counts is not None:
            pairwise.append(
                AxisPairwise(
                    axis=axis, candidates=keep, matrix=counts, participants=int(participants or 0)
                )
            )
    state = unit(uf)
    report = AssemblyReport(
        report_id=report_id,
        cycle_id=cycle_id,
        tier=tier,
        assembly_id=assembly_id,
        assembly_kind="state" if tier == "regional" else "national",
        territory=uf,
        uf=uf,
        title=title,
        closed_at=datetime.now(UTC),
        participants=int(participants or 0),
        population=state.population_2022 if state else 0,
        items=report_items,
        mandates=list(mandates) if mandates else await elected_mandates(session, assembly_id),
        manifests=polls.tally_manifests(closed),
        pairwise=pairwise,
    )
    await session.execute(
        update(ConsolidatedItem)
        .where(ConsolidatedItem.id.in_([item.id for item in items]))
        .values(report_id=report.report_id)
    )
    await session.execute(
        update(ConferenceReport)
        .where(ConferenceReport.report_id == report_id)
        .values(items=len(items))
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


async def _origins_by_item(
    session: AsyncSession, item_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[OriginRef]]:
    rows = await session.execute(
        select(
            ItemSource.item_id, ItemOrigin.proposal_id, ItemOrigin.assembly_id, ItemOrigin.territory
        )
        .join(ItemOrigin, ItemOrigin.source_item_id == ItemSource.source_item_id)
        .where(ItemSource.item_id.in_(item_ids))
        .order_by(ItemOrigin.proposal_id)
        .distinct()
    )
    by_item: dict[uuid.UUID, list[OriginRef]] = defaultdict(list)
    for item_id, proposal, assembly, territory in rows:
        by_item[item_id].append(
            msgspec.convert(
                {"proposal_id": proposal, "assembly_id": assembly, "territory": territory},
                OriginRef,
            )
        )
    return by_item
