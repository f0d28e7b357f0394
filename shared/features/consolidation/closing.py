"""Closing a state or the national conference: its active items become the report's candidates.

The selection (rank → route → cap) and the report itself are the one builder of every tier
(:mod:`shared.features.reporting.compose`); what is particular here is where the candidates come
from — the conference's active items, ranked first by its plenary's priority polls, then by their
consolidated score — and the pairwise counts it pools from its sources for what it forwards.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.messages import AssemblyReport, AxisPairwise, Mandate, OriginRef, SourceRef
from shared.core.cycle import CycleRules
from shared.core.errors import Conflict
from shared.core.territory import unit
from shared.core.vocabulary import ACTIVE
from shared.features.consolidation import equity
from shared.features.consolidation.model import (
    ConferenceReport,
    ConsolidatedItem,
    ItemOrigin,
    ItemSource,
    ReceivedReport,
    SourceItem,
)
from shared.features.consolidation.plenary import closed_polls
from shared.features.consolidation.profile import Conference
from shared.features.consolidation.ranking import (
    axis_pairwise_sources,
    pooled_matrix,
    rank_items,
    report_scope,
)
from shared.features.cycles.store import rules_for
from shared.features.plenary import polls
from shared.features.reporting.compose import Candidate, Closing, close_and_report
from shared.platform.bus.outbox import Outbox


async def close_conference(
    session: AsyncSession,
    outbox: Outbox,
    conference: Conference,
    *,
    title: str,
    mandates: Sequence[Mandate],
) -> AssemblyReport:
    """Rank the conference's active items, forward what the cycle says, and stage the signed
    report with the plenary's manifests and the delegation's ``mandates``."""
    tier, cycle_id, uf, assembly_id = (
        conference.tier,
        conference.cycle_id,
        conference.uf,
        conference.key,
    )
    report_id = str(uuid.uuid4())
    claimed = await session.scalar(
        insert(ConferenceReport)
        .values(cycle_id=cycle_id, uf=uf, report_id=report_id, items=0, closed_at=datetime.now(UTC))
        .on_conflict_do_nothing(index_elements=["cycle_id", "uf"])
        .returning(ConferenceReport.report_id)
    )
    rules = await rules_for(session, cycle_id)
    addendum_of = ""
    only: list[Any] = []
    if claimed is None:
        addendum_of, pending = await _addendum(session, conference, rules)
        only = [ConsolidatedItem.id.in_(pending)]
        mandates = ()
    closed = await closed_polls(session, assembly_id)
    priority = polls.priority_positions(closed)
    await rank_items(session, cycle_id=cycle_id, uf=uf, rules=rules, priority=priority)
    items = (
        await session.scalars(
            select(ConsolidatedItem)
            .where(
                ConsolidatedItem.cycle_id == cycle_id,
                ConsolidatedItem.uf == uf,
                ConsolidatedItem.status == ACTIVE,
                *only,
            )
            .order_by(ConsolidatedItem.axis, ConsolidatedItem.rank, ConsolidatedItem.id)
            .execution_options(populate_existing=True)
        )
    ).all()
    ids = [item.id for item in items]
    sources = await _sources_by_item(session, ids)
    origins = await _origins_by_item(session, ids)
    participants = int(
        await session.scalar(
            select(func.coalesce(func.sum(ReceivedReport.participants), 0)).where(
                ReceivedReport.cycle_id == cycle_id, report_scope(uf)
            )
        )
        or 0
    )
    candidates = [
        Candidate(
            id=str(item.id),
            axis=item.axis,
            competence=item.competence,  # type: ignore[arg-type]
            title=item.title,
            text=item.text,
            order=(item.rank if item.rank is not None else len(items) + 1,),
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
            parent="" if item.parent_id is None else str(item.parent_id),
        )
        for item in items
    ]
    state = unit(uf)
    closing = Closing(
        cycle_id=cycle_id,
        tier=tier,
        assembly_id=assembly_id,
        assembly_kind=conference.profile.assembly_kind,
        territory=uf,
        uf=uf,
        title=title,
        closed_at=datetime.now(UTC),
        participants=participants,
        population=state.population_2022 if state else 0,
        mandates=list(mandates),
        manifests=polls.tally_manifests(closed),
        report_id=report_id,
        late=bool(addendum_of),
        addendum_of=addendum_of,
        # An addendum adds late items only: the conference's counts went up with its report.
        equity=() if addendum_of else await equity.tables(session, conference, mandates),
        evaluation=None if addendum_of else await equity.evaluation(session, conference),
    )

    async def pairwise(kept: Sequence[Candidate]) -> list[AxisPairwise]:
        return await _pooled_pairwise(
            session, rules, cycle_id=cycle_id, uf=uf, kept=kept, participants=participants
        )

    report = await close_and_report(
        session,
        outbox,
        rules,
        closing,
        candidates,
        priority=priority,
        pairwise=pairwise,
    )
    kept_ids = [uuid.UUID(item.item_id) for item in report.items]
    await session.execute(
        update(ConsolidatedItem)
        .where(ConsolidatedItem.id.in_(kept_ids))
        .values(report_id=report.report_id)
    )
    if addendum_of:
        await session.execute(
            update(ConferenceReport)
            .where(ConferenceReport.report_id == addendum_of)
            .values(addenda=ConferenceReport.addenda + 1)
        )
    else:
        await session.execute(
            update(ConferenceReport)
            .where(ConferenceReport.report_id == report_id)
            .values(items=len(kept_ids))
        )
    return report


async def _addendum(
    session: AsyncSession, conference: Conference, rules: CycleRules
) -> tuple[str, list[uuid.UUID]]:
    """A conference that already reported may send the late items that arrived since, as an
    addendum of its report (the cycle's late policy allowing); otherwise 409 with why."""
    tier, cycle_id, uf = conference.tier, conference.cycle_id, conference.uf
    first = await session.get(ConferenceReport, (cycle_id, uf), with_for_update=True)
    if first is None:  # pragma: no cover - the insert above conflicted on this very row
        raise Conflict(f"the {tier} conference {cycle_id}/{uf} has already reported")
    if rules.late.after_close == "refuse":
        raise Conflict(
            f"the {tier} conference {cycle_id}/{uf} has already reported, and the cycle refuses "
            "reports after the conference closed: late items are kept, not forwarded"
        )
    pending = list(
        (
            await session.scalars(
                select(ConsolidatedItem.id)
                .join(ItemSource, ItemSource.item_id == ConsolidatedItem.id)
                .join(SourceItem, SourceItem.item_id == ItemSource.source_item_id)
                .join(ReceivedReport, ReceivedReport.report_id == SourceItem.report_id)
                .where(
                    ConsolidatedItem.cycle_id == cycle_id,
                    ConsolidatedItem.uf == uf,
                    ConsolidatedItem.status == ACTIVE,
                    ConsolidatedItem.report_id.is_(None),
                    ReceivedReport.received_at > first.closed_at,
                )
                .distinct()
            )
        ).all()
    )
    if not pending:
        raise Conflict(
            f"the {tier} conference {cycle_id}/{uf} has already reported and no late item "
            "awaits an addendum"
        )
    return first.report_id, pending


async def _pooled_pairwise(
    session: AsyncSession,
    rules: CycleRules,
    *,
    cycle_id: str,
    uf: str,
    kept: Sequence[Candidate],
    participants: int,
) -> list[AxisPairwise]:
    """Per axis, the sources' pairwise counts pooled over the forwarded items (only when the
    weighting keeps them whole numbers: one ballot per participant)."""
    by_axis: dict[str, list[str]] = defaultdict(list)
    for candidate in kept:
        by_axis[candidate.axis].append(candidate.id)
    pooled = []
    for axis, keep in sorted(by_axis.items()):
        matrices, _, mapping = await axis_pairwise_sources(
            session, cycle_id=cycle_id, uf=uf, axis=axis, rules=rules
        )
        counts = pooled_matrix(matrices, mapping, keep) if matrices else None
        if counts is not None:
            pooled.append(
                AxisPairwise(axis=axis, candidates=keep, matrix=counts, participants=participants)
            )
    return pooled


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
