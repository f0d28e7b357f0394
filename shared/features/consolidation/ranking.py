"""Rank a tier's consolidated items from what their sources reported, with the breakdown shown.

Two readings of the same evidence (docs/spec.md §6), both computed by ``shared.core.decide.ranking``:

- weighted Borda of the sources' ranks (each source assembly's list per axis), weights by the
  cycle's rule, ties to more distinct origins; the score, rank and breakdown are stored on the
  items so the report and the public pages show the same numbers;
- the weighted sum of the sources' pairwise counts (``AxisPairwise`` in reports), relabelled to
  consolidated items and ranked as if every ballot had been pooled.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import msgspec
from sqlalchemy import ColumnElement, and_, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.consolidation import PairwiseRanking, PairwiseSource, Ranked
from shared.core.consolidation import pairwise_weight, source_weight
from shared.core.cycle import CycleRules
from shared.core.decide.ballots import PairwiseMatrix
from shared.core.decide.ranking import (
    SourceRank,
    rank_by_pairwise,
    weighted_borda,
    weighted_pairwise_sum,
)
from shared.core.vocabulary import ACTIVE, NATION
from shared.features.consolidation.model import (
    ConsolidatedItem,
    ItemOrigin,
    ItemSource,
    ReceivedReport,
    SourceItem,
)


def report_scope(uf: str) -> ColumnElement[bool]:
    """Reports feeding (cycle, uf) here: the state's own, or every state's at the national tier."""
    return true() if uf == NATION else ReceivedReport.uf == uf


def _number(value: Fraction) -> int | str:
    return value.numerator if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


async def rank_items(
    session: AsyncSession,
    *,
    cycle_id: str,
    uf: str,
    rules: CycleRules,
    priority: Mapping[str, Mapping[str, int]] | None = None,
) -> Ranked:
    """Score and rank every active item of (cycle, uf) per axis; store score, rank, breakdown.

    ``priority`` is the conference plenary's closed priority polls, ``{axis: {item id: tie
    group}}`` (:func:`shared.features.plenary.polls.priority_positions`): where the plenary
    voted an axis, its result orders the axis (the items it ranked first, in its order) and
    the weighted score only breaks its ties and orders the items it did not rank."""
    lists = (
        select(
            SourceItem.report_id,
            SourceItem.axis,
            func.greatest(func.count(), func.max(SourceItem.rank)).label("size"),
        )
        .group_by(SourceItem.report_id, SourceItem.axis)
        .subquery()
    )
    rows = await session.execute(
        select(
            ConsolidatedItem.id,
            ConsolidatedItem.axis,
            SourceItem.assembly_id,
            SourceItem.rank,
            lists.c.size,
            ReceivedReport.participants,
            ReceivedReport.population,
        )
        .join(ItemSource, ItemSource.item_id == ConsolidatedItem.id)
        .join(SourceItem, SourceItem.item_id == ItemSource.source_item_id)
        .join(ReceivedReport, ReceivedReport.report_id == SourceItem.report_id)
        .join(
            lists,
            and_(lists.c.report_id == SourceItem.report_id, lists.c.axis == SourceItem.axis),
        )
        .where(
            ConsolidatedItem.cycle_id == cycle_id,
            ConsolidatedItem.uf == uf,
            ConsolidatedItem.status == ACTIVE,
        )
    )
    by_axis: dict[str, list[SourceRank]] = defaultdict(list)
    for item_id, axis, assembly, rank, size, participants, population in rows:
        weight = source_weight(
            rules.consolidation.weighting, participants=participants, population=population
        )
        by_axis[axis].append(
            SourceRank(
                item=str(item_id),
                origin=assembly,
                rank=max(1, min(rank, size)),
                size=size,
                weight=weight,
            )
        )
    local: dict[uuid.UUID, int] = dict(
        (
            await session.execute(
                select(ItemSource.item_id, func.count(func.distinct(ItemOrigin.proposal_id)))
                .join(ItemOrigin, ItemOrigin.source_item_id == ItemSource.source_item_id)
                .join(ConsolidatedItem, ConsolidatedItem.id == ItemSource.item_id)
                .where(
                    ConsolidatedItem.cycle_id == cycle_id,
                    ConsolidatedItem.uf == uf,
                    ConsolidatedItem.status == ACTIVE,
                )
                .group_by(ItemSource.item_id)
            )
        )
        .tuples()
        .all()
    )
    updates: list[dict[str, Any]] = []
    for axis, axis_sources in by_axis.items():
        voted = (priority or {}).get(axis, {})
        scored_items = weighted_borda(axis_sources)
        if voted:
            unvoted = len(scored_items) + 1
            scored_items = sorted(scored_items, key=lambda c: voted.get(c.item, unvoted))
        for position, scored in enumerate(scored_items, start=1):
            item_id = uuid.UUID(scored.item)
            updates.append(
                {
                    "id": item_id,
                    "score": float(scored.score),
                    "rank": position,
                    "breakdown": {
                        "method": "plenary-priority" if voted else "weighted-borda",
                        "plenary_group": (voted[scored.item] + 1 if scored.item in voted else None),
                        "weighting": rules.consolidation.weighting,
                        "score": _number(scored.score),
                        "distinct_origins": scored.origins,
                        "local_proposals": int(local.get(item_id, 0)),
                        "contributions": [
                            {
                                "origin": c.origin,
                                "rank": c.rank,
                                "size": c.size,
                                "weight": _number(c.weight),
                                "points": _number(c.points),
                            }
                            for c in scored.breakdown
                        ],
                    },
                }
            )
    if updates:
        await session.execute(update(ConsolidatedItem), updates)
    return Ranked(axes=len(by_axis), items=len(updates))


async def axis_pairwise_sources(
    session: AsyncSession, *, cycle_id: str, uf: str, axis: str, rules: CycleRules
) -> tuple[list[tuple[PairwiseMatrix, Fraction | int]], list[dict[str, Any]], dict[str, str]]:
    """The sources' matrices for an axis (with weights), who they came from, and the relabelling
    of source items to this tier's active items."""
    mapping = {
        source: str(item_id)
        for item_id, source in await session.execute(
            select(ConsolidatedItem.id, ItemSource.source_item_id)
            .join(ItemSource, ItemSource.item_id == ConsolidatedItem.id)
            .where(
                ConsolidatedItem.cycle_id == cycle_id,
                ConsolidatedItem.uf == uf,
                ConsolidatedItem.axis == axis,
                ConsolidatedItem.status == ACTIVE,
            )
        )
    }
    reports = await session.execute(
        select(
            ReceivedReport.assembly_id,
            ReceivedReport.participants,
            ReceivedReport.population,
            ReceivedReport.body["pairwise"],
        ).where(ReceivedReport.cycle_id == cycle_id, report_scope(uf))
    )
    sources: list[tuple[PairwiseMatrix, Fraction | int]] = []
    used: list[dict[str, Any]] = []
    for assembly, participants, population, pairwise in reports:
        for block in pairwise or []:
            if block.get("axis") != axis:
                continue
            matrix = _matrix(block["candidates"], block["matrix"], mapping)
            if not matrix.candidates:
                continue
            weight = pairwise_weight(
                rules.consolidation.weighting, participants=participants, population=population
            )
            sources.append((matrix, weight))
            used.append(
                {
                    "assembly_id": assembly,
                    "weight": _number(weight),
                    "voters": int(block.get("participants") or participants),
                }
            )
    return sources, used, mapping


async def pairwise_ranking(
    session: AsyncSession, *, cycle_id: str, uf: str, axis: str, rules: CycleRules
) -> PairwiseRanking:
    """Rank the axis's active items on the weighted sum of their sources' pairwise counts."""
    sources, used, mapping = await axis_pairwise_sources(
        session, cycle_id=cycle_id, uf=uf, axis=axis, rules=rules
    )
    if not sources:
        return PairwiseRanking(
            axis=axis, method=rules.consolidation.pairwise_method, sources=[], ranking=[]
        )
    result = rank_by_pairwise(sources, rules.consolidation.pairwise_method, relabel=mapping)
    return PairwiseRanking(
        axis=axis,
        method=result.method,
        weighting=rules.consolidation.weighting,
        sources=msgspec.convert(used, list[PairwiseSource]),
        ranking=[list(group) for group in result.ranking],
        scores={k: _number(v) for k, v in (result.scores or {}).items()},
    )


def pooled_matrix(
    sources: list[tuple[PairwiseMatrix, Fraction | int]],
    mapping: dict[str, str],
    keep: list[str],
) -> list[list[int]] | None:
    """Integer counts among ``keep`` of the pooled matrix, or None when weights made fractions
    (only the per-participant rule pools ballots exactly)."""
    summed = weighted_pairwise_sum(sources, mapping)
    counts = [[summed[x, y] for y in keep] for x in keep]
    if any(v.denominator != 1 for row in counts for v in row):
        return None
    return [[int(v) for v in row] for row in counts]


def _matrix(
    candidates: list[str], counts: list[list[int]], mapping: dict[str, str]
) -> PairwiseMatrix:
    """A source's matrix restricted to candidates that reached this tier."""
    kept = [(n, c) for n, c in enumerate(candidates) if c in mapping]
    preferred = {
        (x, y): Fraction(counts[i][j])
        for i, x in kept
        for j, y in kept
        if i != j and i < len(counts) and j < len(counts[i]) and counts[i][j]
    }
    return PairwiseMatrix(tuple(c for _, c in kept), preferred)
