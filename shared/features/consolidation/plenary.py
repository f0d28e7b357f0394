"""A regional or national plenary, on the shared plenary code (``shared.features.plenary``) the local tier
uses: decision and priority polls over consolidated items, and the election of delegates for the
next tier — with credentialed delegates (``credentials``) as the only voters and candidates.

The plenary is keyed like the tier's report (:attr:`Conference.key`). Closing a decision poll
acts on the item (rejected → retired from the report, approved in part → a new text version);
a closed priority poll (outcome "ranked") ranks its axis's items at once, and so orders them in
the report; the elected mandates go up with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.plenary import Elected, Standing
from shared.core.errors import Conflict, Invalid, NotFound
from shared.core.vocabulary import ACTIVE
from shared.features.allocation import service as allocations
from shared.features.consolidation import actions, members
from shared.features.consolidation.model import (
    ConsolidatedItem,
    Credential,
    PlenaryMember,
    ReceivedMandate,
)
from shared.features.consolidation.profile import Conference
from shared.features.consolidation.ranking import rank_items
from shared.features.cycles.store import rules_for
from shared.features.plenary import elections, polls
from shared.features.plenary.ballot_box import BallotBox
from shared.features.plenary.model import Poll


async def _item(session: AsyncSession, conference: Conference, item_id: str) -> ConsolidatedItem:
    try:
        key = uuid.UUID(item_id)
    except ValueError as exc:
        raise Invalid(f"{item_id!r} is not an item id") from exc
    item = await session.get(ConsolidatedItem, key, with_for_update=True)
    if item is None or item.cycle_id != conference.cycle_id or item.uf != conference.uf:
        raise NotFound(f"no item {item_id} in {conference.cycle_id}/{conference.uf}")
    if item.status != ACTIVE:
        raise Conflict(f"item {item_id} is {item.status}")
    return item


async def open_poll(
    session: AsyncSession,
    conference: Conference,
    *,
    kind: str,
    mode: str,
    subject: str,
    title: str = "",
    method: str = "borda",
    approvals: int = 1,
    amended_text: str | None = None,
    box: BallotBox | None = None,
    audit_head: str = "",
) -> Poll:
    """Decision poll on one item, priority poll on an axis's items, or the delegate election
    over the candidacies; its roll is the delegates credentialed now."""
    key = conference.key
    candidates: Sequence[str] = ()
    if kind == "decision":
        await _item(session, conference, subject)
    elif kind == "priority":
        candidates = [
            str(i)
            for i in await session.scalars(
                select(ConsolidatedItem.id)
                .where(
                    ConsolidatedItem.cycle_id == conference.cycle_id,
                    ConsolidatedItem.uf == conference.uf,
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
        electorate=await electorate(session, conference),
        box=box,
        audit_head=audit_head,
    )


async def electorate(session: AsyncSession, conference: Conference) -> list[str]:
    """The mandates of the delegates credentialed (and not revoked) now, and the ex officio
    members registered (guests and observers are on no roll)."""
    delegates = (
        await session.scalars(
            select(Credential.mandate_id).where(
                Credential.cycle_id == conference.cycle_id,
                Credential.uf == conference.uf,
                Credential.revoked_at.is_(None),
            )
        )
    ).all()
    ex_officio = await members.ex_officio_voters(
        session, cycle_id=conference.cycle_id, scope=conference.uf
    )
    return [*delegates, *ex_officio]


async def _credentialed(
    session: AsyncSession, conference: Conference, mandate_id: str, action: str = "vote"
) -> PlenaryMember | None:
    """Refuses anyone but a credentialed delegate or an ex officio member of this plenary
    (returned); a guest or observer is refused for having voice only."""
    held = await session.scalar(
        select(Credential.id).where(
            Credential.cycle_id == conference.cycle_id,
            Credential.uf == conference.uf,
            Credential.mandate_id == mandate_id,
            Credential.revoked_at.is_(None),
        )
    )
    if held is not None:
        return None
    found = await members.member(
        session, cycle_id=conference.cycle_id, scope=conference.uf, member_id=mandate_id
    )
    if found is None:
        raise Conflict(f"{mandate_id} is not a credentialed delegate of this plenary")
    members.require_a_vote(found, action)
    return found


async def cast(
    session: AsyncSession,
    conference: Conference,
    *,
    poll_id: uuid.UUID,
    mandate_id: str,
    ranking: Sequence[Sequence[str]],
    box: BallotBox,
) -> str:
    """A credentialed delegate's sealed ballot (one per poll; the sealed row does not name
    them); returns the receipt."""
    await _credentialed(session, conference, mandate_id)
    poll = await polls.get_poll(session, poll_id, assembly_id=conference.key, lock=True)
    return await polls.cast_ballot(session, poll, mandate_id, ranking, box)


async def record_counts(
    session: AsyncSession,
    conference: Conference,
    *,
    poll_id: uuid.UUID,
    entries: Sequence[tuple[Sequence[Sequence[str]], int]],
) -> int:
    poll = await polls.get_poll(session, poll_id, assembly_id=conference.key, lock=True)
    return await polls.record_counts(session, poll, entries)


async def close(
    session: AsyncSession,
    conference: Conference,
    *,
    poll_id: uuid.UUID,
    box: BallotBox | None = None,
    audit_head: str = "",
    counted_by: str | None = None,
) -> Poll:
    """Close a poll and apply a decision's outcome to its item — or, for counts the desk
    entered and ``counted_by`` who closes, only count it until someone else confirms it."""
    poll = await polls.get_poll(session, poll_id, assembly_id=conference.key, lock=True)
    rules = await rules_for(session, conference.cycle_id)
    await polls.close_poll(session, poll, rules.decision, box, audit_head, counted_by=counted_by)
    if poll.status == "closed":
        await _apply(session, conference, poll)
    await session.flush()
    return poll


async def confirm(
    session: AsyncSession,
    conference: Conference,
    *,
    poll_ids: Sequence[uuid.UUID],
    by: str,
    box: BallotBox | None,
    audit_head: str = "",
) -> list[Poll]:
    """Another person of the desk confirms counted polls: each closes and applies."""
    confirmed = []
    for poll_id in dict.fromkeys(poll_ids):
        poll = await polls.get_poll(session, poll_id, assembly_id=conference.key, lock=True)
        await polls.confirm_counted(session, poll, by, box, audit_head)
        await _apply(session, conference, poll)
        confirmed.append(poll)
    await session.flush()
    return confirmed


async def send_back(session: AsyncSession, conference: Conference, *, poll_id: uuid.UUID) -> Poll:
    poll = await polls.get_poll(session, poll_id, assembly_id=conference.key, lock=True)
    return await polls.send_back(session, poll)


@dataclass(frozen=True, slots=True)
class ItemCounts:
    """One item of a block vote and the yes / no / abstain counts it got."""

    item_id: str
    yes: int = 0
    no: int = 0
    abstain: int = 0


async def decide_en_bloc(
    session: AsyncSession,
    conference: Conference,
    decisions: Sequence[ItemCounts],
    *,
    counted_by: str,
) -> list[Poll]:
    """A block vote typed from paper: each item of the bloc gets the decision poll it would get
    one by one, opened and counted at once, all in one transaction; every item is checked
    (active, in this conference, not already being voted, once) before anything is written.
    Like any counts the desk types, they decide nothing until another person of the desk
    confirms them (:func:`confirm`)."""
    ids = [d.item_id for d in decisions]
    if len(set(ids)) != len(ids):
        raise Invalid("an item appears more than once in the bloc")
    for d in decisions:
        if min(d.yes, d.no, d.abstain) < 0:
            raise Invalid(f"counts cannot be negative (item {d.item_id})", item=d.item_id)
    items = {i: await _item(session, conference, i) for i in sorted(ids)}  # locked in id order
    rules = await rules_for(session, conference.cycle_id)
    return await polls.decide_counted(
        session,
        assembly_id=conference.key,
        electorate=len(await electorate(session, conference)),
        counted_by=counted_by,
        decisions=[
            polls.CountedDecision(
                subject=d.item_id,
                title=items[d.item_id].title or items[d.item_id].text[:300],
                entries=[
                    ([[choice]], n)
                    for choice, n in (("yes", d.yes), ("no", d.no), ("abstain", d.abstain))
                    if n
                ],
                rule=rules.decision,
            )
            for d in decisions
        ],
    )


async def _apply(session: AsyncSession, conference: Conference, poll: Poll) -> None:
    """A closed poll's outcome, applied: a decision's to its item; a priority's to the ranks
    of its conference's items (the plenary orders the axis from now on), whether it closed at
    once (electronic) or when a second person confirmed its counts."""
    if poll.kind == "priority":
        await rank_items(
            session,
            cycle_id=conference.cycle_id,
            uf=conference.uf,
            rules=await rules_for(session, conference.cycle_id),
            priority=polls.priority_positions(await closed_polls(session, conference.key)),
        )
    elif poll.kind == "decision":
        item = await _item(session, conference, poll.subject)
        if poll.outcome == "rejected":
            item.status = "rejected"
        elif poll.outcome == "approved_in_part" and poll.amended_text:
            await actions.rewrite(
                session, item.id, title="", text=poll.amended_text, actor="plenary"
            )


async def stand(session: AsyncSession, conference: Conference, *, mandate_id: str) -> Standing:
    """A credentialed delegate stands for the next tier's delegation (public fields only); an
    ex officio member only when their entry is ``eligible``; guests and observers never."""
    ex_officio = await _credentialed(session, conference, mandate_id, "stand")
    if ex_officio is not None:
        rules = await rules_for(session, conference.cycle_id)
        stage = members.stage_of(conference.profile.nationwide)
        if not members.eligible(rules, stage, ex_officio):
            raise Conflict(
                f"{ex_officio.public_name} is an ex officio member ({ex_officio.entry}), not a "
                f"candidate for the next stage: seats.{stage}.ex_officio does not make "
                "them eligible"
            )
        candidacy = await elections.stand(
            session,
            assembly_id=conference.key,
            person_id=mandate_id,
            public_name=ex_officio.public_name,
            segment=ex_officio.segment,
            gender="",
            quota_groups=[],
        )
        return Standing(candidacy_id=str(candidacy.id), mandate_id=mandate_id)
    mandate = await session.get(ReceivedMandate, mandate_id)
    assert mandate is not None
    candidacy = await elections.stand(
        session,
        assembly_id=conference.key,
        person_id=mandate_id,
        public_name=mandate.public_name,
        segment=mandate.segment,
        gender=mandate.gender,
        quota_groups=mandate.quota_groups,
    )
    return Standing(candidacy_id=str(candidacy.id), mandate_id=mandate_id)


async def elect(session: AsyncSession, conference: Conference, *, poll_id: uuid.UUID) -> Elected:
    """Elect within the seats the tier above allocated to this state, by the cycle's rules."""
    key = conference.key
    allocation = await allocations.received_for_state(
        session, cycle_id=conference.cycle_id, uf=conference.uf
    )
    seats = allocation.per_segment if allocation is not None else None
    if not seats:
        raise Conflict(f"no seat allocation received for {conference.uf}")
    poll = await polls.get_poll(session, poll_id, assembly_id=key, lock=True)
    if poll.kind != "election":
        raise Invalid("elect from an election poll")
    if poll.status != "closed":
        raise Conflict(f"the election poll is {poll.status}: close it, and have it confirmed")
    notes: list[str] = []
    outcome = await elections.run_election(
        session,
        assembly_id=key,
        rules=await rules_for(session, conference.cycle_id),
        poll=poll,
        seats=dict(seats),
        notes=notes,
    )
    return Elected(
        complete=outcome.complete, elected=len(outcome.elected), notes=list(outcome.notes)
    )


async def closed_polls(session: AsyncSession, key: str) -> list[Poll]:
    return [p for p in await polls.list_polls(session, key) if p.status == "closed"]
