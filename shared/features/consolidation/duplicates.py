"""Duplicate suggestions for the convener, and the automatic merge policy used by simulations.

An automatic merge never keeps only one wording: the new item's text joins every distinct
source text, and its action is flagged for review (``payload["review"] == "pending"``) until a
convener accepts it (rewriting the text first if they like) or undoes it.

Both read the active items of one cycle and territory and cluster them with the shared
Portuguese clustering (``shared.core.decide.clustering``), so what is suggested and what is merged
automatically agree. The automatic policy is set-based: one query in, a handful of executemany
statements out, however many thousand items a state has.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Set as AbstractSet
from typing import Any

import msgspec
import structlog
from sqlalchemy import Text, cast, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.consolidation import AutoMerged, Suggestion
from shared.core.decide.text_normalise import analyse
from shared.core.vocabulary import ACTIVE
from shared.features.consolidation.actions import (
    children_of,
    create_items,
    new_id,
    retire_items,
)
from shared.features.consolidation.clusters import Row, groups_of
from shared.features.consolidation.model import ConsolidatedItem, ConsolidationAction, ItemSource

log = structlog.get_logger(__name__)

#: An automatic merge waits in the review queue until a convener accepts, rewrites or undoes it.
REVIEW_PENDING = "pending"
REVIEW_ACCEPTED = "accepted"


def combined_text(texts: list[str]) -> str:
    """The text an automatic merge proposes: every distinct source text, best-ranked first, so
    no source's wording is lost before a convener rewrites it. Texts whose canonical words are
    the same (differing only in case, accents, inflection or spacing) count once; each source's
    own text stays in its lineage regardless."""
    seen: set[str] = set()
    kept: list[str] = []
    for text in texts:
        key = " ".join(analyse(text).words) or text.strip().casefold()
        if key not in seen:
            seen.add(key)
            kept.append(text.strip())
    return "\n\n".join(kept)


async def active_rows(session: AsyncSession, cycle_id: str, uf: str, axis: str | None) -> list[Row]:
    """The active items of (cycle, uf, axis), as the clustering reads them."""
    query = select(
        ConsolidatedItem.id,
        ConsolidatedItem.axis,
        ConsolidatedItem.competence,
        ConsolidatedItem.title,
        ConsolidatedItem.text,
        ConsolidatedItem.rank,
    ).where(
        ConsolidatedItem.cycle_id == cycle_id,
        ConsolidatedItem.uf == uf,
        ConsolidatedItem.status == ACTIVE,
    )
    if axis:
        query = query.where(ConsolidatedItem.axis == axis)
    rows = await session.execute(query.order_by(ConsolidatedItem.axis, ConsolidatedItem.id))
    return [Row(*row) for row in rows]


async def fingerprint(
    session: AsyncSession, *, cycle_id: str, uf: str, axis: str | None
) -> tuple[object, ...]:
    """What the suggestions of (cycle, uf, axis) depend on, in two reads: the active items
    (how many, the newest, the last changed — a ranking changes their ``rank``) and the
    conference's actions (how many, the newest, the latest undo). Ingest adds items; merge,
    split, rewrite and reclassify log an action; undo stamps one."""
    items = select(
        func.count(), func.max(ConsolidatedItem.created_at), func.max(ConsolidatedItem.updated_at)
    ).where(
        ConsolidatedItem.cycle_id == cycle_id,
        ConsolidatedItem.uf == uf,
        ConsolidatedItem.status == ACTIVE,
    )
    if axis:
        items = items.where(ConsolidatedItem.axis == axis)
    acted = select(
        func.count(),
        func.max(ConsolidationAction.created_at),
        func.max(ConsolidationAction.undone_at),
    ).where(ConsolidationAction.cycle_id == cycle_id, ConsolidationAction.uf == uf)
    return (*(await session.execute(items)).one(), *(await session.execute(acted)).one())


async def active_ids(
    session: AsyncSession, *, cycle_id: str, uf: str, axis: str | None
) -> tuple[frozenset[str], frozenset[str]]:
    """The active items of (cycle, uf, axis): all of them, and those that arrived as they are
    (no action made them). The ids come as text from the database: a big state's axis holds
    ~10,000 items, and converting each to a UUID and back cost more than the query."""
    query = select(cast(ConsolidatedItem.id, Text), ConsolidatedItem.made_by.is_(None)).where(
        ConsolidatedItem.cycle_id == cycle_id,
        ConsolidatedItem.uf == uf,
        ConsolidatedItem.status == ACTIVE,
    )
    if axis:
        query = query.where(ConsolidatedItem.axis == axis)
    rows = (await session.execute(query)).all()
    return frozenset(i for i, _ in rows), frozenset(i for i, arrived in rows if arrived)


def still_current(suggestions: list[Suggestion], active: AbstractSet[str]) -> list[Suggestion]:
    """Suggestions computed earlier, with only the members still active: a merge, split or
    reclassification since removes its items from their clusters (a cluster left with one
    item goes), an undo brings them back. Items an action made are not suggested again until
    the clusters are computed anew."""
    kept: list[Suggestion] = []
    for suggestion in suggestions:
        items = [i for i in suggestion.items if i.id in active]
        if len(items) < 2:
            continue
        if len(items) == len(suggestion.items):
            kept.append(suggestion)
            continue
        ids = {i.id for i in items}
        pairs = [p for p in suggestion.pairs if p.a in ids and p.b in ids]
        # over every pair of the members left (an unscored one counts 0, as when clustered)
        mean = round(sum(p.score for p in pairs) / (len(items) * (len(items) - 1) // 2), 4)
        kept.append(msgspec.structs.replace(suggestion, items=items, pairs=pairs, mean_score=mean))
    kept.sort(key=lambda s: (-s.mean_score, s.axis))
    return kept


def _common(parents: set[uuid.UUID | None]) -> uuid.UUID | None:
    return next(iter(parents)) if len(parents) == 1 else None


async def auto_merge(
    session: AsyncSession, *, cycle_id: str, uf: str, threshold: float, actor: str = "auto-policy"
) -> AutoMerged:
    """Merge every cluster at or above ``threshold`` (within axis and competence), one logged
    action per cluster so each can be undone on its own."""
    rows = await active_rows(session, cycle_id, uf, None)
    groups = groups_of(rows, threshold, by_competence=True)
    clustered = [r.id for group in groups for r in group.rows]
    # A diretriz with proposals nested under it is never merged away automatically; the
    # merged item stays under the diretriz its proposals shared.
    diretrizes = await children_of(session, clustered)
    groups = [g for g in groups if not any(r.id in diretrizes for r in g.rows)]
    if not groups:
        return AutoMerged(clusters=0, merged_items=0, active_items=len(rows))
    members = [r.id for group in groups for r in group.rows]
    found = await session.execute(
        select(ConsolidatedItem.id, ConsolidatedItem.parent_id).where(
            ConsolidatedItem.id.in_(members)
        )
    )
    parent_of = {item: parent for item, parent in found}
    edges: dict[uuid.UUID, list[str]] = defaultdict(list)
    for item_id, source in await session.execute(
        select(ItemSource.item_id, ItemSource.source_item_id).where(ItemSource.item_id.in_(members))
    ):
        edges[item_id].append(source)
    actions: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    new_edges: list[dict[str, Any]] = []
    retire: dict[uuid.UUID, uuid.UUID] = {}
    for group in groups:
        action_id, item_id = new_id(), new_id()
        ordered = [
            r
            for _, r in sorted(
                enumerate(group.rows), key=lambda p: (p[1].rank is None, p[1].rank or 0, p[0])
            )
        ]
        best = ordered[0]
        actions.append(
            {
                "id": action_id,
                "cycle_id": cycle_id,
                "uf": uf,
                "kind": "merge",
                "actor": actor,
                "note": f"automatic merge at threshold {threshold}",
                "payload": {
                    "review": REVIEW_PENDING,
                    "retired": [str(r.id) for r in group.rows],
                    "created": [str(item_id)],
                    "evidence": [{"a": p.a, "b": p.b, "score": p.score} for p in group.pairs],
                },
            }
        )
        items.append(
            {
                "id": item_id,
                "cycle_id": cycle_id,
                "uf": uf,
                "axis": best.axis,
                "competence": best.competence,
                "title": best.title,
                "text": combined_text([r.text for r in ordered]),
                "made_by": action_id,
                "parent_id": _common({parent_of[r.id] for r in group.rows}),
            }
        )
        new_edges.extend(
            {"item_id": item_id, "source_item_id": s} for r in group.rows for s in edges[r.id]
        )
        retire.update({r.id: action_id for r in group.rows})
    await session.execute(insert(ConsolidationAction), actions)
    await create_items(session, items)
    await session.execute(insert(ItemSource), new_edges)
    await retire_items(session, retire, "merged")
    log.info("proposal.auto_merged", cycle=cycle_id, uf=uf, clusters=len(groups), items=len(retire))
    return AutoMerged(
        clusters=len(groups),
        merged_items=len(retire),
        active_items=len(rows) - len(retire) + len(groups),
    )
