"""The local plenary: which poll decides what, and what closing a poll changes.

The mechanics (secret ballots, counts, files, tallies, motions, the election) are the shared
plenary code; this module only knows local things: proposals, axes, participants.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import Integer, Table, Uuid, bindparam, column, func, insert, select, update, values
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from services.local.assemblies import (
    credentialed_count,
    get_participant,
    quota_groups,
    require_a_vote,
    require_not_closed,
    require_voting,
)
from services.local.auth import Actor
from services.local.model import Assembly, Participant, Proposal, ProposalVersion
from services.local.proposals import get_proposal
from shared.contracts.messages import SeatAllocation
from shared.core.cycle import CycleRules
from shared.core.elections import seats_by_segment
from shared.core.errors import Conflict, Forbidden, Invalid, NotFound
from shared.core.quorum import QuorumState, quorum_of
from shared.features.allocation import service as allocations
from shared.features.cycles.store import rules_for
from shared.features.plenary import elections, motions, polls
from shared.features.plenary.ballot_box import BallotBox
from shared.features.plenary.model import Candidacy, Motion, Poll

DECIDED = ("approved", "approved_in_part")

#: A priority poll's candidates: the axis's approved proposals (built once, bound per call).
_DECIDED_IN_AXIS = (
    select(Proposal.id)
    .where(
        Proposal.assembly_id == bindparam("assembly_id"),
        Proposal.axis == bindparam("axis"),
        Proposal.status.in_(DECIDED),
    )
    .order_by(Proposal.id)
)


async def open_poll(
    session: AsyncSession,
    assembly: Assembly,
    *,
    kind: str,
    mode: str,
    proposal_id: uuid.UUID | None,
    axis: str | None,
    amended_text: str | None,
    box: BallotBox,
    audit_head: str = "",
) -> Poll:
    """Decision on one proposal, priority among an axis's approved proposals, or the election;
    its roll is the participants credentialed now."""
    require_voting(assembly)
    rules = await rules_for(session, assembly.cycle_id)
    key = str(assembly.id)
    roll = await electorate(session, assembly)
    await require_quorum(session, assembly, rules, present=len(roll))
    if kind == "decision":
        if proposal_id is None:
            raise Invalid("a decision poll needs a proposal_id")
        proposal = await get_proposal(session, assembly, proposal_id)
        if proposal.status not in ("submitted", "plenary"):
            raise Conflict(f"a {proposal.status} proposal cannot be put to a vote")
        return await polls.open_poll(
            session,
            assembly_id=key,
            kind="decision",
            mode=mode,
            subject=str(proposal.id),
            title=proposal.title,
            method="plurality",
            candidates=(),
            amended_text=amended_text,
            electorate=roll,
            box=box,
            audit_head=audit_head,
        )
    if kind == "priority":
        if axis is None:
            raise Invalid("a priority poll needs an axis")
        rules.axis(axis)
        candidates = (
            await session.scalars(_DECIDED_IN_AXIS, {"assembly_id": assembly.id, "axis": axis})
        ).all()
        if not candidates:
            raise Conflict(f"no approved proposal in axis {axis} to prioritise")
        return await polls.open_poll(
            session,
            assembly_id=key,
            kind="priority",
            mode=mode,
            subject=axis,
            title=rules.axis(axis).title_pt,
            method=rules.priority.method,
            candidates=[str(c) for c in candidates],
            approvals=rules.priority.approvals,
            electorate=roll,
            box=box,
            audit_head=audit_head,
        )
    if kind == "election":
        people = await elections.candidacies(session, key)
        if not people:
            raise Conflict("nobody stands as a candidate yet")
        seats, _ = await election_seats(session, assembly, rules=rules)
        return await polls.open_poll(
            session,
            assembly_id=key,
            kind="election",
            mode=mode,
            subject="delegates",
            title="Eleição de delegados",
            method="approval",
            candidates=[str(c.id) for c in people],
            approvals=max(1, sum(seats.values())),
            electorate=roll,
            box=box,
            audit_head=audit_head,
        )
    raise Invalid(f"unknown poll kind {kind!r}")


async def quorum(
    session: AsyncSession, assembly: Assembly, rules: CycleRules, *, present: int | None = None
) -> QuorumState:
    """Credentialed voice-and-vote participants present, and how many the cycle's quorum
    needs (of those registered with a vote, when it is a share)."""
    if present is None:
        present = await credentialed_count(session, assembly, voters_only=True)
    registered = 0
    if rules.quorum is not None and rules.quorum.share is not None:
        registered = int(
            await session.scalar(
                select(func.count())
                .select_from(Participant)
                .where(Participant.assembly_id == assembly.id, Participant.voice_only.is_(False))
            )
            or 0
        )
    return quorum_of(rules.quorum, present=present, registered_voters=registered)


async def require_quorum(
    session: AsyncSession, assembly: Assembly, rules: CycleRules, *, present: int | None = None
) -> None:
    """No vote opens without the cycle's quorum: a 422 with the figures in words."""
    state = await quorum(session, assembly, rules, present=present)
    if not state.reached:
        raise Invalid(
            f"no quorum: {state.present} of the {state.needed} credentialed voters needed "
            "are present; credential more participants before opening a vote",
            present=state.present,
            needed=state.needed,
        )


async def poll_of(
    session: AsyncSession, assembly: Assembly, poll_id: uuid.UUID, *, lock: bool = False
) -> Poll:
    return await polls.get_poll(session, poll_id, assembly_id=str(assembly.id), lock=lock)


async def cast(
    session: AsyncSession,
    assembly: Assembly,
    actor: Actor,
    poll_id: uuid.UUID,
    ranking: Sequence[Sequence[str]],
    box: BallotBox,
) -> str:
    """A credentialed participant's electronic ballot, sealed; returns the receipt."""
    if actor.participant is None:
        raise Forbidden("only a participant casts an electronic ballot")
    if actor.participant.credentialed_at is None:
        raise Forbidden("only credentialed participants vote")
    require_a_vote(actor.participant, "vote")
    poll = await poll_of(session, assembly, poll_id, lock=True)
    return await polls.cast_ballot(session, poll, actor.voter_id, ranking, box)


async def enter_counts(
    session: AsyncSession,
    assembly: Assembly,
    poll_id: uuid.UUID,
    entries: Sequence[tuple[Sequence[Sequence[str]], int]],
) -> int:
    poll = await poll_of(session, assembly, poll_id, lock=True)
    return await polls.record_counts(session, poll, entries)


async def upload(
    session: AsyncSession, assembly: Assembly, poll_id: uuid.UUID, text: str, file_format: str
) -> int:
    poll = await poll_of(session, assembly, poll_id, lock=True)
    return await polls.upload_ballot_file(session, poll, text, file_format)


async def electorate(session: AsyncSession, assembly: Assembly) -> list[str]:
    """The voter ids of the participants credentialed now: a poll opened now freezes them."""
    return [
        str(i)
        for i in await session.scalars(
            select(Participant.id).where(
                Participant.assembly_id == assembly.id,
                Participant.credentialed_at.is_not(None),
                Participant.voice_only.is_(False),
            )
        )
    ]


@dataclass(frozen=True, slots=True)
class DecisionCounts:
    """One entry of an en-bloc vote: a proposal and its yes / no / abstain counts."""

    proposal_id: uuid.UUID
    yes: int = 0
    no: int = 0
    abstain: int = 0
    amended_text: str | None = None

    def entries(self) -> list[tuple[Sequence[Sequence[str]], int]]:
        """The counts as the ``(ranking, count)`` entries of the one-by-one counts path."""
        return [
            ([[choice]], n)
            for choice, n in (("yes", self.yes), ("no", self.no), ("abstain", self.abstain))
            if n
        ]


async def decide_en_bloc(
    session: AsyncSession,
    assembly: Assembly,
    decisions: Sequence[DecisionCounts],
    counted_by: str | None = None,
) -> list[Poll]:
    """Decide many proposals at once from counts the secretary entered: for each, the same
    decision poll is opened, counted and closed as one by one, in one transaction; every entry
    is checked before anything is written, and any failure leaves nothing applied. With
    ``counted_by`` the polls are only counted, and decide nothing until a second person
    confirms them (:func:`confirm`)."""
    require_voting(assembly)
    ids = [d.proposal_id for d in decisions]
    if len(set(ids)) != len(ids):
        raise Invalid("a proposal appears more than once")
    for d in decisions:
        if min(d.yes, d.no, d.abstain) < 0:
            raise Invalid(f"counts cannot be negative (proposal {d.proposal_id})")
    found = {
        row.id: row
        for row in await session.execute(
            select(Proposal.id, Proposal.status, Proposal.title, Proposal.version)
            .where(Proposal.assembly_id == assembly.id, Proposal.id.in_(ids))
            .order_by(Proposal.id)
            .with_for_update()
        )
    }
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        raise Invalid(f"no proposal {unknown[0]} in this assembly", unknown=unknown[:20])
    for proposal in found.values():
        if proposal.status not in ("submitted", "plenary"):
            raise Invalid(
                f"a {proposal.status} proposal cannot be put to a vote (proposal {proposal.id})"
            )
    rules = await rules_for(session, assembly.cycle_id)
    await require_quorum(session, assembly, rules)
    # The band rule sent a "plenary" proposal here: the plain threshold decides it.
    plain = msgspec.structs.replace(rules.decision, bands=None)
    closed = await polls.decide_counted(
        session,
        assembly_id=str(assembly.id),
        electorate=await credentialed_count(session, assembly, voters_only=True),
        counted_by=counted_by,
        decisions=[
            polls.CountedDecision(
                subject=str(d.proposal_id),
                title=found[d.proposal_id].title,
                entries=d.entries(),
                rule=plain if found[d.proposal_id].status == "plenary" else rules.decision,
                amended_text=d.amended_text,
            )
            for d in decisions
        ],
    )
    if counted_by is None:
        await _apply_decisions(
            session, [(found[d.proposal_id], p) for d, p in zip(decisions, closed, strict=True)]
        )
    return closed


async def _apply_decisions(session: AsyncSession, decided: Sequence[tuple[Any, Poll]]) -> None:
    """What each closed decision poll decided, applied to its (locked) proposal — a row with
    ``id``, ``status``, ``title`` and ``version`` — in two statements."""
    now = datetime.now(UTC)
    changes: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    for proposal, poll in decided:
        outcome = poll.outcome or "rejected"
        change = {"pid": proposal.id, "status": outcome, "updated_at": now}
        if outcome == "approved_in_part" and poll.amended_text:
            change.update(version=proposal.version + 1, text=poll.amended_text)
            versions.append(
                {
                    "proposal_id": proposal.id,
                    "version": proposal.version + 1,
                    "title": proposal.title,
                    "text": poll.amended_text,
                    "reason": "approved in part by the plenary",
                }
            )
        changes.append(change)
    await _apply(session, [c for c in changes if "text" not in c], _SET_STATUS)
    await _apply(session, [c for c in changes if "text" in c], _SET_AMENDED)
    if versions:
        await session.execute(insert(ProposalVersion), versions)


def _table_of(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


_proposals = _table_of(Proposal)
#: Executemany updates by primary key (Core: no unit of work, no identity map).
_SET_STATUS = (
    update(_proposals)
    .where(_proposals.c.id == bindparam("pid"))
    .values(status=bindparam("status"), updated_at=bindparam("updated_at"))
)
_SET_AMENDED = (
    update(_proposals)
    .where(_proposals.c.id == bindparam("pid"))
    .values(
        status=bindparam("status"),
        updated_at=bindparam("updated_at"),
        version=bindparam("version"),
        text=bindparam("text"),
    )
)


async def _apply(session: AsyncSession, rows: list[dict[str, Any]], statement: Any) -> None:
    if not rows:
        return
    await session.execute(statement, rows)
    # Proposals this session already holds see the new values without a reload.
    identity = session.sync_session.identity_map
    for row in rows:
        held = identity.get(identity_key(Proposal, row["pid"]))
        if held is not None:
            for name, value in row.items():
                if name != "pid":
                    set_committed_value(held, name, value)


async def close(
    session: AsyncSession,
    assembly: Assembly,
    poll_id: uuid.UUID,
    box: BallotBox,
    audit_head: str = "",
    *,
    counted_by: str | None = None,
) -> Poll:
    """Close a poll and apply what it decided to proposals, ranks, motions or mandates — or,
    for counts the desk entered and ``counted_by`` who closes, only count it until a second
    person confirms (:func:`confirm`)."""
    require_not_closed(assembly)
    rules = await rules_for(session, assembly.cycle_id)
    poll = await poll_of(session, assembly, poll_id, lock=True)
    proposal = None
    if poll.kind == "decision":
        proposal = await get_proposal(session, assembly, uuid.UUID(poll.subject), lock=True)
    return await _settle(session, assembly, rules, poll, proposal, box, audit_head, counted_by)


async def confirm(
    session: AsyncSession,
    assembly: Assembly,
    poll_ids: Sequence[uuid.UUID],
    by: str,
    box: BallotBox,
    audit_head: str = "",
) -> list[Poll]:
    """A second person of the desk confirms counted polls: each is closed, its record signed
    naming both people, and what it decided applied."""
    require_not_closed(assembly)
    rules = await rules_for(session, assembly.cycle_id)
    confirmed = []
    for poll_id in dict.fromkeys(poll_ids):
        poll = await poll_of(session, assembly, poll_id, lock=True)
        confirmed.append(await polls.confirm_counted(session, poll, by, box, audit_head))
    decisions = {uuid.UUID(p.subject): p for p in confirmed if p.kind == "decision"}
    if decisions:
        rows = await session.execute(
            select(Proposal.id, Proposal.status, Proposal.title, Proposal.version)
            .where(Proposal.assembly_id == assembly.id, Proposal.id.in_(list(decisions)))
            .order_by(Proposal.id)
            .with_for_update()
        )
        await _apply_decisions(session, [(row, decisions[row.id]) for row in rows])
    for poll in confirmed:
        if poll.kind != "decision":
            await _effects(session, assembly, rules, poll, None)
    await session.flush()
    return confirmed


async def send_back(session: AsyncSession, assembly: Assembly, poll_id: uuid.UUID) -> Poll:
    """The second person does not confirm a counted poll: it is open again, entries kept."""
    require_not_closed(assembly)
    poll = await poll_of(session, assembly, poll_id, lock=True)
    return await polls.send_back(session, poll)


async def _settle(
    session: AsyncSession,
    assembly: Assembly,
    rules: CycleRules,
    poll: Poll,
    proposal: Proposal | None,
    box: BallotBox,
    audit_head: str,
    counted_by: str | None = None,
) -> Poll:
    """Close a locked poll (a decision's proposal locked too) and apply what it decided."""
    rule = rules.decision
    if poll.kind == "decision":
        if proposal is None:
            raise Conflict("a decision poll needs its proposal")
        if proposal.status == "plenary":  # the band rule sent it here: the plain threshold decides
            rule = msgspec.structs.replace(rule, bands=None)
    await polls.close_poll(session, poll, rule, box, audit_head, counted_by=counted_by)
    if poll.status == "closed":
        await _effects(session, assembly, rules, poll, proposal)
    await session.flush()
    return poll


async def _effects(
    session: AsyncSession,
    assembly: Assembly,
    rules: CycleRules,
    poll: Poll,
    proposal: Proposal | None,
) -> None:
    """What a closed poll decided, applied: a decision to its (locked) proposal, a priority to
    the ranks, a motion to the motion, an election to the mandates."""
    if poll.kind == "decision" and proposal is not None:
        outcome = poll.outcome or "rejected"
        proposal.status = outcome
        if outcome == "approved_in_part" and poll.amended_text:
            proposal.version += 1
            proposal.text = poll.amended_text
            await session.execute(
                insert(ProposalVersion),
                [
                    {
                        "proposal_id": proposal.id,
                        "version": proposal.version,
                        "title": proposal.title,
                        "text": poll.amended_text,
                        "reason": "approved in part by the plenary",
                    }
                ],
            )
    elif poll.kind == "priority":
        result = polls.result_of(poll)
        await _set_ranks(session, assembly, result.ranking if result else [])
    elif poll.kind == "motion":
        motion = await motions.get_motion(
            session, uuid.UUID(poll.subject), assembly_id=str(assembly.id), lock=True
        )
        motions.settle(motion, poll, rules.motions)
    elif poll.kind == "election":
        seats, notes = await election_seats(session, assembly, rules=rules)
        await elections.run_election(
            session, assembly_id=str(assembly.id), rules=rules, poll=poll, seats=seats, notes=notes
        )


async def _set_ranks(
    session: AsyncSession, assembly: Assembly, ranking: Sequence[Sequence[str]]
) -> None:
    """Ranks from a priority ranking (ties share the better rank) in one ``UPDATE … FROM
    (VALUES …)``; a ranked proposal that is not this assembly's is a 404, as one by one."""
    rows: list[tuple[uuid.UUID, int]] = []
    rank = 1
    for group in ranking:
        rows.extend((uuid.UUID(pid), rank) for pid in group)
        rank += len(group)
    if not rows:
        return
    ranks = values(column("pid", Uuid()), column("new_rank", Integer()), name="ranks").data(rows)
    now = datetime.now(UTC)
    changed = set(
        (
            await session.scalars(
                update(_proposals)
                .where(_proposals.c.id == ranks.c.pid, _proposals.c.assembly_id == assembly.id)
                .values(rank=ranks.c.new_rank, updated_at=now)
                .returning(_proposals.c.id)
            )
        ).all()
    )
    missing = [pid for pid, _ in rows if pid not in changed]
    if missing:
        raise NotFound(f"no proposal {missing[0]} in this assembly")
    identity = session.sync_session.identity_map
    for pid, new_rank in rows:
        held = identity.get(identity_key(Proposal, pid))
        if held is not None:
            set_committed_value(held, "rank", new_rank)
            set_committed_value(held, "updated_at", now)


async def election_seats(
    session: AsyncSession, assembly: Assembly, *, rules: CycleRules | None = None
) -> tuple[dict[str, int], list[str]]:
    """Seats per segment the plenary elects: the allocation's, less those the cycle's civic
    lottery draws (``rules`` when the caller already read them)."""
    if rules is None:
        rules = await rules_for(session, assembly.cycle_id)
    seats, notes = await allocated_seats(session, assembly, rules=rules)
    drawn = drawn_seats(rules, seats)
    if drawn:
        segment = rules.lottery.segment if rules.lottery else ""
        seats = {**seats, segment: seats[segment] - drawn}
        notes = [*notes, f"{drawn} seat(s) of {segment} are drawn by civic lottery"]
    return seats, notes


def drawn_seats(rules: CycleRules, seats: dict[str, int]) -> int:
    """Titular seats of the lottery's segment drawn rather than elected (none without one)."""
    if rules.lottery is None:
        return 0
    return min(rules.lottery.seats, seats.get(rules.lottery.segment, 0))


async def allocated_seats(
    session: AsyncSession, assembly: Assembly, *, rules: CycleRules
) -> tuple[dict[str, int], list[str]]:
    """Seats per segment from the allocation (received or entered) and the cycle's rules."""
    allocation = await allocations.current_for_assembly(
        session,
        cycle_id=assembly.cycle_id,
        assembly_id=str(assembly.id),
        territory=assembly.territory,
    )
    return seats_by_segment(
        rules,
        seats=allocation.seats if allocation else None,
        per_segment=allocation.per_segment if allocation else None,
        assembly_kind=assembly.kind,
        participants=max(
            assembly.participants, await credentialed_count(session, assembly, voters_only=True)
        ),
        late=assembly.late,
    )


async def enter_allocation(
    session: AsyncSession, assembly: Assembly, *, seats: int, per_segment: dict[str, int]
) -> tuple[dict[str, int], list[str]]:
    """The secretary enters the allocation when none arrived from above (tests, demo)."""
    require_not_closed(assembly)
    rules = await rules_for(session, assembly.cycle_id)
    unknown = set(per_segment) - set(rules.segment_ids())
    if unknown:
        raise Invalid(f"unknown segments {sorted(unknown)}")
    entered = SeatAllocation(
        allocation_id=f"entered-{uuid.uuid4()}",
        cycle_id=assembly.cycle_id,
        territory=assembly.territory,
        assembly_id=str(assembly.id),
        seats=seats,
        per_segment=per_segment,
        method="entered",
        uf=assembly.uf,
    )
    await allocations.receive(session, entered, accepts=lambda _: True, source="entered")
    return await election_seats(session, assembly, rules=rules)


async def stand(
    session: AsyncSession, assembly: Assembly, actor: Actor, participant_id: uuid.UUID
) -> Candidacy:
    """A credentialed participant stands (or the secretary registers them) as delegate."""
    require_not_closed(assembly)
    if actor.role == "participant" and (
        actor.participant is None or actor.participant.id != participant_id
    ):
        raise Forbidden("a participant can only put themselves forward")
    person = await get_participant(session, assembly, participant_id)
    return (await _stand(session, assembly, [person]))[0]


async def stand_many(
    session: AsyncSession, assembly: Assembly, participant_ids: Sequence[uuid.UUID]
) -> list[Candidacy]:
    """The secretary registers many candidacies at once (input order); an unknown participant
    is a 422, and any refused entry leaves nothing written."""
    require_not_closed(assembly)
    found = {
        p.id: p
        for p in await session.scalars(
            select(Participant).where(
                Participant.assembly_id == assembly.id, Participant.id.in_(participant_ids)
            )
        )
    }
    unknown = [str(i) for i in participant_ids if i not in found]
    if unknown:
        raise Invalid(f"no participant {unknown[0]} in this assembly", unknown=unknown[:20])
    return await _stand(session, assembly, [found[i] for i in participant_ids])


async def _stand(
    session: AsyncSession, assembly: Assembly, people: Sequence[Participant]
) -> list[Candidacy]:
    for person in people:
        if person.credentialed_at is None:
            raise Conflict("only credentialed participants may stand")
        if person.voice_only:
            raise Conflict(f"{person.public_name} has voice only, and cannot stand")
    return await elections.stand_many(
        session,
        assembly_id=str(assembly.id),
        people=[
            elections.Standing(
                str(p.id), p.public_name, p.segment, p.gender, tuple(quota_groups(p))
            )
            for p in people
        ],
    )


async def propose_motion(
    session: AsyncSession, assembly: Assembly, *, kind: str, title: str, text: str
) -> Motion:
    require_not_closed(assembly)
    rules = await rules_for(session, assembly.cycle_id)
    return await motions.propose(
        session,
        assembly_id=str(assembly.id),
        kind=kind,
        title=title,
        text=text,
        rule=rules.motions,
        credentialed=await credentialed_count(session, assembly, voters_only=True),
    )


async def sign_motion(
    session: AsyncSession, assembly: Assembly, actor: Actor, motion_id: uuid.UUID
) -> Motion:
    require_not_closed(assembly)
    if actor.participant is None or actor.participant.credentialed_at is None:
        raise Forbidden("only credentialed participants sign motions")
    require_a_vote(actor.participant, "sign motions")
    motion = await motions.get_motion(session, motion_id, assembly_id=str(assembly.id), lock=True)
    rules = await rules_for(session, assembly.cycle_id)
    return await motions.sign(
        session,
        motion,
        actor.voter_id,
        rule=rules.motions,
        credentialed=await credentialed_count(session, assembly, voters_only=True),
    )


async def current_motions(session: AsyncSession, assembly: Assembly) -> list[Motion]:
    """The assembly's motions, each with the status and threshold of the delegates present
    now (read only: nothing is written)."""
    rules = await rules_for(session, assembly.cycle_id)
    present = await credentialed_count(session, assembly, voters_only=True)
    listed = list(await motions.list_motions(session, str(assembly.id)))
    for motion in listed:
        status, needed = motions.standing(motion, rules.motions, present)
        set_committed_value(motion, "status", status)
        set_committed_value(motion, "needed", needed)
    return listed


async def vote_motion(
    session: AsyncSession,
    assembly: Assembly,
    motion_id: uuid.UUID,
    mode: str,
    box: BallotBox,
    audit_head: str = "",
) -> Poll:
    require_voting(assembly)
    motion = await motions.get_motion(session, motion_id, assembly_id=str(assembly.id), lock=True)
    roll = await electorate(session, assembly)
    rules = await rules_for(session, assembly.cycle_id)
    await require_quorum(session, assembly, rules, present=len(roll))
    return await motions.put_to_vote(
        session,
        motion,
        mode=mode,
        rule=rules.motions,
        credentialed=len(roll),
        electorate=roll,
        box=box,
        audit_head=audit_head,
    )
