"""An assembly's working groups (the cycle's ``[working_groups]``): the desk places each
participant in one group of an axis, within the group's places for the participant's segment
(``shared.core.working_groups``). The caller holds the assembly's row lock, so two desks cannot
both take a group's last place."""

from __future__ import annotations

import uuid
from collections import Counter

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.local.model import Assembly, Participant, WorkingGroupMember
from shared.contracts.http.local import SegmentPlaces, WorkingGroupSeat, WorkingGroupView
from shared.core.cycle import CycleRules
from shared.core.errors import Conflict, NotFound
from shared.core.working_groups import check_group, check_place, rule_of

log = structlog.get_logger(__name__)


async def place(
    session: AsyncSession,
    assembly: Assembly,
    rules: CycleRules,
    *,
    participant_id: uuid.UUID,
    axis: str,
    number: int,
) -> WorkingGroupView:
    """Place the participant in group ``number`` of ``axis``; 409 with the figures when that
    group is full for their segment (nothing changes then)."""
    check_group(rules, axis, number)
    participant = await session.get(Participant, participant_id)
    if participant is None or participant.assembly_id != assembly.id:
        raise NotFound(f"no participant {participant_id} in this assembly")
    if participant.voice_only:
        raise Conflict(
            f"{participant.public_name} has voice only and takes no working group's place"
        )
    current = await session.get(WorkingGroupMember, participant_id)
    if current is None or (current.axis, current.number) != (axis, number):
        taken = await _taken(session, assembly.id, axis, number)
        check_place(rules, axis, number, participant.segment, taken)
        if current is None:
            session.add(
                WorkingGroupMember(
                    participant_id=participant_id,
                    assembly_id=assembly.id,
                    axis=axis,
                    number=number,
                    segment=participant.segment,
                )
            )
        else:
            current.axis, current.number, current.segment = axis, number, participant.segment
        await session.flush()
        log.info("working_group.placed", assembly=str(assembly.id), axis=axis, number=number)
    groups = await groups_of(session, assembly, rules)
    return next(g for g in groups if (g.axis, g.number) == (axis, number))


async def _taken(
    session: AsyncSession, assembly_id: uuid.UUID, axis: str, number: int
) -> Counter[str]:
    segments = await session.scalars(
        select(WorkingGroupMember.segment).where(
            WorkingGroupMember.assembly_id == assembly_id,
            WorkingGroupMember.axis == axis,
            WorkingGroupMember.number == number,
        )
    )
    return Counter(segments)


async def groups_of(
    session: AsyncSession, assembly: Assembly, rules: CycleRules
) -> list[WorkingGroupView]:
    """Every group of the assembly (each axis × ``per_axis``), with places and members."""
    rule = rule_of(rules)
    rows = await session.execute(
        select(WorkingGroupMember, Participant.public_name)
        .join(Participant, Participant.id == WorkingGroupMember.participant_id)
        .where(WorkingGroupMember.assembly_id == assembly.id)
        .order_by(WorkingGroupMember.placed_at, Participant.public_name)
    )
    members: dict[tuple[str, int], list[WorkingGroupSeat]] = {}
    for seat, name in rows:
        members.setdefault((seat.axis, seat.number), []).append(
            WorkingGroupSeat(
                participant_id=str(seat.participant_id), public_name=name, segment=seat.segment
            )
        )
    views = []
    for axis in rules.axes:
        for number in range(1, rule.per_axis + 1):
            seated = members.get((axis.id, number), [])
            taken = Counter(s.segment for s in seated)
            views.append(
                WorkingGroupView(
                    axis=axis.id,
                    number=number,
                    places={
                        segment: SegmentPlaces(taken=taken.get(segment, 0), places=places)
                        for segment, places in rule.per_segment.items()
                    },
                    members=seated,
                )
            )
    return views
