"""Convener actions on consolidated items — merge, split, rewrite, reclassify — and their undo.

Invariant: every source item belongs to exactly one *active* item. Actions never delete or edit a
source item or a lineage edge; they retire items (``status`` merged/split, ``retired_by``) and
create new ones carrying the union or a part of their edges, and every action is logged with what
is needed to reverse it. Undo only reverses an action whose results are still current, so the log
can always be unwound from the newest action back.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
import uuid_utils
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.core.consolidation import check_partition
from shared.core.errors import Conflict, Invalid, NotFound
from shared.core.vocabulary import ACTIVE
from shared.features.consolidation.model import (
    ConsolidatedItem,
    ConsolidationAction,
    ItemSource,
    ItemVersion,
)

log = structlog.get_logger(__name__)


def new_id() -> uuid.UUID:
    """A time-ordered id made here, so bulk inserts need no round trip per row."""
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)


@dataclass(frozen=True, slots=True)
class Part:
    """One group of a split: the source items it keeps, and optionally its own wording."""

    sources: Sequence[str]
    title: str = ""
    text: str = ""


async def _active(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[ConsolidatedItem]:
    """The items, locked, in the order given; all active, of one cycle and territory."""
    rows = (
        await session.scalars(
            select(ConsolidatedItem).where(ConsolidatedItem.id.in_(ids)).with_for_update()
        )
    ).all()
    by_id = {row.id: row for row in rows}
    missing = [str(i) for i in ids if i not in by_id]
    if missing:
        raise NotFound(f"no item {', '.join(missing)}")
    items = [by_id[i] for i in ids]
    inactive = [str(i.id) for i in items if i.status != ACTIVE]
    if inactive:
        raise Conflict(f"items are no longer active: {', '.join(inactive)}", items=inactive)
    if len({(i.cycle_id, i.uf) for i in items}) > 1:
        raise Invalid("items of different cycles or territories cannot be combined")
    return items


async def sources_of(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    rows = await session.execute(
        select(ItemSource.item_id, ItemSource.source_item_id)
        .where(ItemSource.item_id.in_(ids))
        .order_by(ItemSource.source_item_id)
    )
    found: dict[uuid.UUID, list[str]] = defaultdict(list)
    for item_id, source in rows:
        found[item_id].append(source)
    return found


def _best(items: Sequence[ConsolidatedItem]) -> ConsolidatedItem:
    """The wording a merge keeps by default: the best-ranked item, else the first named."""
    return min(enumerate(items), key=lambda p: (p[1].rank is None, p[1].rank or 0, p[0]))[1]


async def merge(
    session: AsyncSession,
    item_ids: Sequence[uuid.UUID],
    *,
    title: str = "",
    text: str = "",
    competence: str = "",
    actor: str = "",
    note: str = "",
) -> ConsolidatedItem:
    """One new item keeping every source of the merged ones; they are retired, not deleted."""
    if len(set(item_ids)) < 2:
        raise Invalid("a merge needs at least two distinct items")
    items = await _active(session, list(dict.fromkeys(item_ids)))
    axes = {i.axis for i in items}
    if len(axes) > 1:
        raise Invalid("merge within one axis: reclassify an item first", axes=sorted(axes))
    competences = {i.competence for i in items}
    if not competence:
        if len(competences) > 1:
            raise Invalid("the items differ in competence: say which the merged item has")
        competence = competences.pop()
    await _no_nested(session, items, "merge")
    best = _best(items)
    action_id, item_id = new_id(), new_id()
    retired = [i.id for i in items]
    await _log(
        session,
        action_id,
        items[0],
        "merge",
        actor,
        note,
        {"retired": [str(i) for i in retired], "created": [str(item_id)]},
    )
    row = _item_row(item_id, best, action_id, title or best.title, text or best.text, competence)
    parents = {i.parent_id for i in items}
    row["parent_id"] = next(iter(parents)) if len(parents) == 1 else None
    await create_items(session, [row])
    edges = await sources_of(session, retired)
    await session.execute(
        insert(ItemSource),
        [{"item_id": item_id, "source_item_id": s} for i in retired for s in edges[i]],
    )
    await retire_items(session, {i: action_id for i in retired}, "merged")
    log.info("proposal.merged", action=str(action_id), item=str(item_id), merged=len(retired))
    created = await session.get(ConsolidatedItem, item_id)
    assert created is not None
    return created


async def split(
    session: AsyncSession,
    item_id: uuid.UUID,
    parts: Sequence[Part],
    *,
    actor: str = "",
    note: str = "",
) -> list[ConsolidatedItem]:
    """New items sharing out the item's sources (each exactly once); the item is retired."""
    (item,) = await _active(session, [item_id])
    await _no_nested(session, [item], "split")
    sources = (await sources_of(session, [item_id]))[item_id]
    check_partition(set(sources), [list(p.sources) for p in parts])
    action_id = new_id()
    ids = [new_id() for _ in parts]
    await _log(
        session,
        action_id,
        item,
        "split",
        actor,
        note,
        {"retired": [str(item_id)], "created": [str(i) for i in ids]},
    )
    await create_items(
        session,
        [
            {
                **_item_row(
                    new, item, action_id, part.title or item.title, part.text or item.text, None
                ),
                "parent_id": item.parent_id,
            }
            for new, part in zip(ids, parts, strict=True)
        ],
    )
    await session.execute(
        insert(ItemSource),
        [
            {"item_id": new, "source_item_id": s}
            for new, part in zip(ids, parts, strict=True)
            for s in part.sources
        ],
    )
    await retire_items(session, {item_id: action_id}, "split")
    log.info("proposal.split", action=str(action_id), item=str(item_id), parts=len(ids))
    made = (
        await session.scalars(select(ConsolidatedItem).where(ConsolidatedItem.id.in_(ids)))
    ).all()
    by_id = {i.id: i for i in made}
    return [by_id[i] for i in ids]  # in the order of the parts


async def rewrite(
    session: AsyncSession,
    item_id: uuid.UUID,
    *,
    title: str,
    text: str,
    actor: str = "",
    note: str = "",
) -> ConsolidatedItem:
    """A new text version; earlier versions stay readable."""
    (item,) = await _active(session, [item_id])
    latest = await session.scalar(
        select(func.max(ItemVersion.version)).where(ItemVersion.item_id == item_id)
    )
    version = int(latest or item.version) + 1
    action_id = new_id()
    await _log(
        session,
        action_id,
        item,
        "rewrite",
        actor,
        note,
        {"item": str(item_id), "from_version": item.version, "to_version": version},
    )
    session.add(
        ItemVersion(
            item_id=item_id,
            version=version,
            title=title or item.title,
            text=text,
            action_id=action_id,
        )
    )
    item.title, item.text, item.version = title or item.title, text, version
    await session.flush()
    log.info("proposal.rewritten", action=str(action_id), item=str(item_id), version=version)
    return item


async def reclassify(
    session: AsyncSession,
    item_id: uuid.UUID,
    *,
    axis: str = "",
    competence: str = "",
    actor: str = "",
    note: str = "",
) -> ConsolidatedItem:
    """Move an item to another axis or competence (sources keep what they said)."""
    if not axis and not competence:
        raise Invalid("say the new axis, the new competence, or both")
    (item,) = await _active(session, [item_id])
    if axis and axis != item.axis:
        if item.parent_id is not None:
            raise Conflict("the proposal is nested under a diretriz of its axis: un-nest it first")
        await _no_nested(session, [item], "move to another axis")
    before = {"axis": item.axis, "competence": item.competence}
    after = {"axis": axis or item.axis, "competence": competence or item.competence}
    action_id = new_id()
    await _log(
        session,
        action_id,
        item,
        "reclassify",
        actor,
        note,
        {"item": str(item_id), "from": before, "to": after},
    )
    item.axis, item.competence = after["axis"], after["competence"]
    await session.flush()
    log.info("proposal.reclassified", action=str(action_id), item=str(item_id), **after)
    return item


async def children_of(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many active proposals are nested under each of these items."""
    rows = await session.execute(
        select(ConsolidatedItem.parent_id, func.count())
        .where(ConsolidatedItem.parent_id.in_(ids), ConsolidatedItem.status == ACTIVE)
        .group_by(ConsolidatedItem.parent_id)
    )
    return {parent: int(n) for parent, n in rows if parent is not None}


async def _no_nested(session: AsyncSession, items: Sequence[ConsolidatedItem], what: str) -> None:
    nested = await children_of(session, [i.id for i in items])
    if nested:
        raise Conflict(
            f"cannot {what} a diretriz with proposals nested under it: un-nest them first",
            items=sorted(str(i) for i in nested),
        )


async def nest(
    session: AsyncSession,
    item_ids: Sequence[uuid.UUID],
    *,
    parent_id: uuid.UUID,
    actor: str = "",
    note: str = "",
) -> list[ConsolidatedItem]:
    """Group proposals under a diretriz: another active item of the same conference and axis,
    which is itself nested under none (one level). Proposals already under another diretriz
    move; the action records where each was, for undo."""
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        raise Invalid("say which proposals to nest (item_ids)")
    if parent_id in ids:
        raise Invalid("an item cannot be nested under itself")
    parent, *items = await _active(session, [parent_id, *ids])
    if parent.parent_id is not None:
        raise Conflict("the diretriz is itself nested under another: one level only")
    axes = sorted({parent.axis, *(i.axis for i in items)})
    if len(axes) > 1:
        raise Invalid("nest within one axis: reclassify an item first", axes=axes)
    await _no_nested(session, items, "nest")
    action_id = new_id()
    before = {str(i.id): None if i.parent_id is None else str(i.parent_id) for i in items}
    await _log(
        session,
        action_id,
        parent,
        "nest",
        actor,
        note,
        {"parent": str(parent_id), "items": [str(i.id) for i in items], "from": before},
    )
    for item in items:
        item.parent_id = parent_id
    await session.flush()
    log.info("proposal.nested", action=str(action_id), parent=str(parent_id), items=len(items))
    return items


async def unnest(
    session: AsyncSession, item_ids: Sequence[uuid.UUID], *, actor: str = "", note: str = ""
) -> list[ConsolidatedItem]:
    """Take proposals out of their diretriz (they stand alone again)."""
    items = await _active(session, list(dict.fromkeys(item_ids)))
    loose = [str(i.id) for i in items if i.parent_id is None]
    if loose:
        raise Conflict(f"not nested under a diretriz: {', '.join(loose)}", items=loose)
    action_id = new_id()
    before = {str(i.id): str(i.parent_id) for i in items}
    await _log(
        session,
        action_id,
        items[0],
        "unnest",
        actor,
        note,
        {"items": [str(i.id) for i in items], "from": before},
    )
    for item in items:
        item.parent_id = None
    await session.flush()
    log.info("proposal.unnested", action=str(action_id), items=len(items))
    return items


async def _undo_nesting(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Put each proposal back where the action found it, if nothing moved it since."""
    items = await _active(session, [uuid.UUID(i) for i in payload["items"]])
    now = payload.get("parent")  # nest: the diretriz; unnest: none
    for item in items:
        current = None if item.parent_id is None else str(item.parent_id)
        if current != now:
            raise Conflict("a later action moved these proposals: undo that first")
    restored = {uuid.UUID(i): p for i, p in payload["from"].items()}
    parents = [uuid.UUID(p) for p in restored.values() if p is not None]
    if parents:
        try:
            await _active(session, parents)
        except Conflict as exc:
            raise Conflict("the diretriz they were under is no longer active") from exc
    for item in items:
        previous = restored[item.id]
        item.parent_id = None if previous is None else uuid.UUID(previous)


async def undo(session: AsyncSession, action_id: uuid.UUID) -> ConsolidationAction:
    """Reverse one action, provided what it produced has not been changed by a later one."""
    action = await session.get(ConsolidationAction, action_id, with_for_update=True)
    if action is None:
        raise NotFound(f"no action {action_id}")
    if action.undone_at is not None:
        raise Conflict("the action was already undone")
    payload = action.payload
    if action.kind in ("merge", "split"):
        created = [uuid.UUID(i) for i in payload["created"]]
        retired = [uuid.UUID(i) for i in payload["retired"]]
        await _undo_structure(session, created, retired)
    elif action.kind == "rewrite":
        await _undo_rewrite(session, payload)
    elif action.kind in ("nest", "unnest"):
        await _undo_nesting(session, payload)
    elif action.kind == "reclassify":
        (item,) = await _active(session, [uuid.UUID(payload["item"])])
        if {"axis": item.axis, "competence": item.competence} != payload["to"]:
            raise Conflict("the item was reclassified again: undo that first")
        item.axis, item.competence = payload["from"]["axis"], payload["from"]["competence"]
    else:
        raise Invalid(f"actions of kind {action.kind!r} cannot be undone")
    action.undone_at = datetime.now(UTC)
    await session.flush()
    log.info("consolidation.undone", action=str(action_id), kind=action.kind)
    return action


async def accept_review(session: AsyncSession, action_id: uuid.UUID) -> ConsolidationAction:
    """A convener accepts an automatic merge flagged for review (its item's text as it is now,
    after any rewrite): it leaves the review queue; undo stays possible."""
    action = await session.get(ConsolidationAction, action_id, with_for_update=True)
    if action is None:
        raise NotFound(f"no action {action_id}")
    if action.undone_at is not None:
        raise Conflict("the action was undone: there is nothing to accept")
    if action.payload.get("review") != "pending":
        raise Conflict("the action is not waiting for review")
    action.payload = {**action.payload, "review": "accepted"}
    await session.flush()
    log.info("consolidation.review_accepted", action=str(action_id))
    return action


async def _undo_structure(
    session: AsyncSession, created: list[uuid.UUID], retired: list[uuid.UUID]
) -> None:
    try:
        made = await _active(session, created)
    except Conflict as exc:
        raise Conflict("a later action changed the result: undo that first") from exc
    await _no_nested(session, made, "undo the action that made")
    await session.execute(
        update(ConsolidatedItem)
        .where(ConsolidatedItem.id.in_(created))
        .values(status="undone", rank=None)
    )
    await session.execute(
        update(ConsolidatedItem)
        .where(ConsolidatedItem.id.in_(retired))
        .values(status=ACTIVE, retired_by=None)
    )


async def _undo_rewrite(session: AsyncSession, payload: dict[str, Any]) -> None:
    (item,) = await _active(session, [uuid.UUID(payload["item"])])
    if item.version != payload["to_version"]:
        raise Conflict("the item was rewritten again: undo that first")
    previous = await session.scalar(
        select(ItemVersion).where(
            ItemVersion.item_id == item.id, ItemVersion.version == payload["from_version"]
        )
    )
    if previous is None:
        raise Conflict("the previous version is missing")
    item.title, item.text, item.version = previous.title, previous.text, previous.version


async def _log(
    session: AsyncSession,
    action_id: uuid.UUID,
    item: ConsolidatedItem,
    kind: str,
    actor: str,
    note: str,
    payload: dict[str, Any],
) -> None:
    await session.execute(
        insert(ConsolidationAction),
        [
            {
                "id": action_id,
                "cycle_id": item.cycle_id,
                "uf": item.uf,
                "kind": kind,
                "actor": actor,
                "note": note,
                "payload": payload,
            }
        ],
    )


def _item_row(
    item_id: uuid.UUID,
    like: ConsolidatedItem,
    action_id: uuid.UUID,
    title: str,
    text: str,
    competence: str | None,
) -> dict[str, Any]:
    return {
        "id": item_id,
        "cycle_id": like.cycle_id,
        "uf": like.uf,
        "axis": like.axis,
        "competence": competence or like.competence,
        "title": title[:300],
        "text": text,
        "made_by": action_id,
    }


async def create_items(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert new items and their first text version (set-based)."""
    if not rows:
        return
    await session.execute(insert(ConsolidatedItem), rows)
    await session.execute(
        insert(ItemVersion),
        [
            {
                "item_id": r["id"],
                "version": 1,
                "title": r["title"],
                "text": r["text"],
                "action_id": r["made_by"],
            }
            for r in rows
        ],
    )


async def retire_items(session: AsyncSession, by: dict[uuid.UUID, uuid.UUID], status: str) -> None:
    """Retire items (``{item: action}``) with one executemany UPDATE by primary key."""
    if by:
        await session.execute(
            update(ConsolidatedItem),
            [
                {"id": item, "status": status, "retired_by": action, "rank": None}
                for item, action in by.items()
            ],
        )
