"""A regional or national plenary, on the shared plenary code (``shared.features.plenary``) the local tier
uses: decision and priority polls over consolidated items, and the election of delegates for the
next tier — with credentialed delegates (``credentials``) as the only voters and candidates.

The plenary is keyed like the tier's report (``<tier>:<cycle>:<uf>``). Closing a decision poll
acts on the item (rejected → retired from the report, approved in part → a new text version);
a closed priority poll orders its axis in the report; the elected mandates go up with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.messages import Mandate
from shared.core.cycle import PRESETS, CycleRules, load_rules, preset
from shared.core.errors import Conflict, Invalid, NotFound
from shared.core.territory import NATION
from shared.features.consolidation import actions
from shared.features.consolidation.actions import ACTIVE
from shared.features.consolidation.model import (
    ConsolidatedItem,
    Credential,
    ReceivedMandate,
    SeatAllocationRecord,
)
from shared.features.cycles.model import CycleRecord
from shared.features.plenary import elections, polls
from shared.features.plenary.model import Poll
from shared.platform.settings import Tier


def plenary_key(tier: Tier, cycle_id: str, uf: str) -> str:
    return f"{tier}:{cycle_id}:{uf}"


async def cycle_rules(session: AsyncSession, cycle_id: str) -> CycleRules:
    """The announced cycle (stored by the cycle handler), else a packaged preset of that id."""
    record = await session.get(CycleRecord, cycle_id)
    if record is not None:
        return load_rules(record.rules_toml)
    for name in PRESETS:
        rules = preset(name)
        if rules.cycle_id == cycle_id:
            return rules
    raise NotFound(f"cycle {cycle_id} was not announced here")


async def _item(session: AsyncSession, cycle_id: str, uf: str, item_id: str) -> ConsolidatedItem:
    try:
        key = uuid.UUID(item_id)
    except ValueError as exc:
        raise Invalid(f"{item_id!r} is not an item id") from exc
    item = await session.get(ConsolidatedItem, key, with_for_update=True)
    if item is None or item.cycle_id != cycle_id or item.uf != uf:
        raise NotFound(f"no item {item_id} in {cycle_id}/{uf}")
    if item.status != ACTIVE:
        raise Conflict(f"item {item_id} is {item.status}")
    return item


async def open_poll(
    session: AsyncSession,
    *,
    tier: Tier,
    cycle_id: str,
    uf: str,
    kind: str,
    mode: str,
    subject: str,
    title: str = "",
    method: str = "borda",
    approvals: int = 1,
    amended_text: str | None = None,
) -> Poll:
    """Decision poll on one item, priority poll on an axis's items, or the delegate election
    over the candidacies."""
    key = plenary_key(tier, cycle_id, uf)
    candidates: Sequence[str] = ()
    if kind == "decision":
        await _item(session, cycle_id, uf, subject)
    elif kind == "priority":
        candidates = [
            str(i)
            for i in await session.scalars(
                select(ConsolidatedItem.id)
                .where(
                    ConsolidatedItem.cycle_id == cycle_id,
                    ConsolidatedItem.uf == uf,
                    ConsolidatedItem.axis == subject,
                    ConsolidatedItem.status == ACTIVE,
                )
                .order_by(ConsolidatedItem.rank.nulls_last(), ConsolidatedItem.id)
            )
        ]
    elif kind == "election":
        candidates = [str(c.id) for c in await elections.candidacies(session, key)]
    else:
        raise Invalid(f"unknown poll kind {kind!r}")
    return await polls.open_poll(
        session,
        assembly_id=key,
        kind=kind,
        mode=mode,
        subject=subject,
        title=title or f"{kind} {subject}",
        method=method,
        candidates=candidates,
        approvals=approvals,
        amended_text=amended_text,
    )


async def _credentialed(session: AsyncSession, cycle_id: str, scope: str, mandate_id: str) -> None:
    held = await session.scalar(
        select(Credential.id).where(
            Credential.cycle_id == cycle_id,
            Credential.uf == scope,
            Credential.mandate_id == mandate_id,
            Credential.revoked_at.is_(None),
        )
    )
    if held is None:
        raise Conflict(f"{mandate_id} is not a credentialed delegate of this plenary")


def _scope(tier: Tier, uf: str) -> str:
    return NATION if tier == "national" else uf


async def cast(
    session: AsyncSession,
    *,
    tier: Tier,
    cycle_id: str,
    uf: str,
    poll_id: uuid.UUID,
    mandate_id: str,
    ranking: Sequence[Sequence[str]],
) -> None:
    """A credentialed delegate's ballot (one per poll; the ballot row does not name them)."""
    await _credentialed(session, cycle_id, _scope(tier, uf), mandate_id)
    poll = await polls.get_poll(
        session, poll_id, assembly_id=plenary_key(tier, cycle_id, uf), lock=True
    )
    await polls.cast_ballot(session, poll, mandate_id, ranking)


async def record_counts(
    session: AsyncSession,
    *,
    tier: Tier,
    cycle_id: str,
    uf: str,
    poll_id: uuid.UUID,
    entries: Sequence[tuple[Sequence[Sequence[str]], int]],
) -> int:
    poll = await polls.get_poll(
        session, poll_id, assembly_id=plenary_key(tier, cycle_id, uf), lock=True
    )
    return await polls.record_counts(session, poll, entries)


async def close(
    session: AsyncSession, *, tier: Tier, cycle_id: str, uf: str, poll_id: uuid.UUID
) -> Poll:
    """Close a poll and apply a decision's outcome to its item."""
    poll = await polls.get_poll(
        session, poll_id, assembly_id=plenary_key(tier, cycle_id, uf), lock=True
    )
    rules = await cycle_rules(session, cycle_id)
    await polls.close_poll(session, poll, rules.decision)
    if poll.kind == "decision":
        item = await _item(session, cycle_id, uf, poll.subject)
        if poll.outcome == "rejected":
            item.status = "rejected"
        elif poll.outcome == "approved_in_part" and poll.amended_text:
            await actions.rewrite(
                session, item.id, title="", text=poll.amended_text, actor="plenary"
            )
    await session.flush()
    return poll


async def stand(
    session: AsyncSession, *, tier: Tier, cycle_id: str, uf: str, mandate_id: str
) -> dict[str, Any]:
    """A credentialed delegate stands for the next tier's delegation (public fields only)."""
    await _credentialed(session, cycle_id, _scope(tier, uf), mandate_id)
    mandate = await session.get(ReceivedMandate, mandate_id)
    assert mandate is not None
    candidacy = await elections.stand(
        session,
        assembly_id=plenary_key(tier, cycle_id, uf),
        person_id=mandate_id,
        public_name=mandate.public_name,
        segment=mandate.segment,
        gender=mandate.gender,
        quota_groups=mandate.quota_groups,
    )
    return {"candidacy_id": str(candidacy.id), "mandate_id": mandate_id}


async def elect(
    session: AsyncSession, *, tier: Tier, cycle_id: str, uf: str, poll_id: uuid.UUID
) -> dict[str, Any]:
    """Elect within the seats the tier above allocated to this state, by the cycle's rules."""
    key = plenary_key(tier, cycle_id, uf)
    seats = await session.scalar(
        select(SeatAllocationRecord.per_segment)
        .where(
            SeatAllocationRecord.direction == "received",
            SeatAllocationRecord.cycle_id == cycle_id,
            SeatAllocationRecord.territory == uf,
            SeatAllocationRecord.superseded.is_(False),
        )
        .order_by(SeatAllocationRecord.created_at.desc())
        .limit(1)
    )
    if not seats:
        raise Conflict(f"no seat allocation received for {uf}")
    poll = await polls.get_poll(session, poll_id, assembly_id=key, lock=True)
    if poll.kind != "election":
        raise Invalid("elect from an election poll")
    notes: list[str] = []
    outcome = await elections.run_election(
        session,
        assembly_id=key,
        rules=await cycle_rules(session, cycle_id),
        poll=poll,
        seats=dict(seats),
        notes=notes,
    )
    return {"complete": outcome.complete, "elected": len(outcome.elected), "notes": notes}


async def elected_mandates(session: AsyncSession, key: str) -> list[Mandate]:
    return [
        Mandate(
            mandate_id=str(m.id),
            public_name=m.public_name,
            segment=m.segment,
            role=m.role,  # type: ignore[arg-type]
            rank=m.rank,
            gender=m.gender,
            quota_groups=list(m.quota_groups),
        )
        for m in await elections.mandates(session, key)
    ]


async def closed_polls(session: AsyncSession, key: str) -> list[Poll]:
    return [p for p in await polls.list_polls(session, key) if p.status == "closed"]


def priority_order(closed: Sequence[Poll]) -> dict[str, dict[str, int]]:
    """``{axis: {item id: position}}`` from the latest closed priority poll of each axis."""
    order: dict[str, dict[str, int]] = {}
    for poll in closed:
        if poll.kind == "priority":
            groups = (poll.result or {}).get("ranking", [])
            order[poll.subject] = {
                item: position for position, group in enumerate(groups) for item in group
            }
    return order


def poll_view(p: Poll) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "kind": p.kind,
        "mode": p.mode,
        "subject": p.subject,
        "title": p.title,
        "method": p.method,
        "candidates": p.candidates,
        "status": p.status,
        "outcome": p.outcome,
        "result": p.result,
        "ballots": p.ballots_total,
        "ballots_sha256": p.export_sha256,
    }
