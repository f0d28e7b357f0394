"""Delegate election: candidacies, and the election itself, run on the result of an ordinary
poll over the candidacies (the seats come from the allocation feature)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.core.cycle import CycleRules
from shared.core.decide.delegation import Candidate
from shared.core.elections import WOMAN, ElectionOutcome, break_ties, elect
from shared.core.errors import Conflict
from shared.core.polls import CompositionFinding
from shared.features.plenary.model import Candidacy, Mandate, Poll
from shared.features.plenary.polls import result_of, set_result


async def stand(
    session: AsyncSession,
    *,
    assembly_id: str,
    person_id: str,
    public_name: str,
    segment: str,
    gender: str,
    quota_groups: Sequence[str],
) -> Candidacy:
    person = Standing(person_id, public_name, segment, gender, tuple(quota_groups))
    return (await stand_many(session, assembly_id=assembly_id, people=[person]))[0]


@dataclass(frozen=True, slots=True)
class Standing:
    """The public fields of a person who stands: what a candidacy and a mandate carry."""

    person_id: str
    public_name: str
    segment: str
    gender: str
    quota_groups: tuple[str, ...]


async def stand_many(
    session: AsyncSession, *, assembly_id: str, people: Sequence[Standing]
) -> list[Candidacy]:
    """Candidacies in input order, one executemany insert; a person standing twice (here or
    already) is a conflict and nothing is written."""
    ids = [p.person_id for p in people]
    if len(set(ids)) != len(ids):
        raise Conflict("a person appears more than once")
    exists = await session.scalar(
        select(Candidacy.id).where(
            Candidacy.assembly_id == assembly_id, Candidacy.person_id.in_(ids)
        )
    )
    if exists is not None:
        raise Conflict("this person already stands as a candidate", candidacy_id=str(exists))
    rows = [
        {
            "assembly_id": assembly_id,
            "person_id": p.person_id,
            "public_name": p.public_name,
            "segment": p.segment,
            "gender": p.gender,
            "quota_groups": sorted(set(p.quota_groups)),
        }
        for p in people
    ]
    created = await session.scalars(
        insert(Candidacy).returning(Candidacy, sort_by_parameter_order=True), rows
    )
    return list(created.all())


async def candidacies(session: AsyncSession, assembly_id: str) -> Sequence[Candidacy]:
    return (
        await session.scalars(
            select(Candidacy).where(Candidacy.assembly_id == assembly_id).order_by(Candidacy.id)
        )
    ).all()


async def mandates(session: AsyncSession, assembly_id: str) -> Sequence[Mandate]:
    return (
        await session.scalars(
            select(Mandate)
            .where(Mandate.assembly_id == assembly_id)
            .order_by(Mandate.segment, Mandate.role.desc(), Mandate.rank)
        )
    ).all()


#: An assembly's first closed election poll (built once, bound per call).
_CLOSED_ELECTION = (
    select(Poll)
    .where(
        Poll.assembly_id == bindparam("assembly_id"),
        Poll.kind == "election",
        Poll.status == "closed",
    )
    .order_by(Poll.id)
    .limit(1)
)


async def closed_election(session: AsyncSession, assembly_id: str) -> Poll | None:
    """The assembly's first (by id) closed election poll, if any."""
    poll: Poll | None = await session.scalar(_CLOSED_ELECTION, {"assembly_id": assembly_id})
    return poll


async def run_election(
    session: AsyncSession,
    *,
    assembly_id: str,
    rules: CycleRules,
    poll: Poll,
    seats: dict[str, int],
    notes: list[str],
) -> ElectionOutcome:
    """Rank candidacies by the closed poll's result, elect, and replace the mandates."""
    result = result_of(poll) if poll.status == "closed" else None
    if result is None:
        raise Conflict("close the election poll first")
    people = {str(c.id): c for c in await candidacies(session, assembly_id)}
    order, ties = break_ties(
        result.ranking,
        scores=result.scores,
        names={cid: c.public_name for cid, c in people.items()},
        standing_order=list(poll.candidates),
    )
    notes = [*notes, *ties]
    ranked = [
        Candidate(
            id=cid,
            segment=people[cid].segment,
            woman=people[cid].gender == WOMAN,
            groups=frozenset(people[cid].quota_groups),
        )
        for cid in order
    ]
    outcome = elect(rules, ranked, seats, notes)
    # Seats a civic lottery drew are not the election's to replace.
    await session.execute(
        delete(Mandate).where(Mandate.assembly_id == assembly_id, Mandate.selection == "elected")
    )
    rows: list[dict[str, Any]] = [
        {
            "id": uuid.uuid4(),
            "assembly_id": assembly_id,
            "candidacy_id": uuid.UUID(e.candidate_id),
            "public_name": people[e.candidate_id].public_name,
            "segment": e.segment,
            "role": e.role,
            "rank": e.rank,
            "gender": people[e.candidate_id].gender,
            "quota_groups": people[e.candidate_id].quota_groups,
        }
        for e in outcome.elected
    ]
    if rows:
        await session.execute(insert(Mandate), rows)
    poll.outcome = "complete" if outcome.complete else "incomplete"
    set_result(
        poll,
        msgspec.structs.replace(
            result,
            seats=dict(outcome.seats),
            notes=list(outcome.notes),
            findings=[
                CompositionFinding(
                    rule=f.rule,
                    segment=f.segment,
                    required=f.required,
                    actual=f.actual,
                    satisfied=f.satisfied,
                    explanation=f.explanation,
                )
                for f in outcome.findings
            ],
        ),
    )
    return outcome
