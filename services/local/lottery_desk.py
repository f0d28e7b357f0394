"""The civic lottery's use cases as the HTTP edge and the desk's screen call them: each opens
its transaction through the assembly desk (the caller checked against the assembly) and runs
one step of :mod:`services.local.lottery`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from services.local import lottery
from services.local.auth import Actor
from services.local.desk import AssemblyDesk
from services.local.model import LotteryVolunteer, Participant
from shared.contracts.http.lottery import LotteryView
from shared.core.access import Principal
from shared.core.errors import Forbidden
from shared.core.sortition import pseudonym
from shared.features.cycles.store import rules_for


@dataclass(frozen=True, slots=True)
class PoolEntry:
    """A volunteer as the desk sees them (the published pool shows the pseudonym only)."""

    pseudonym: str
    participant_id: str
    public_name: str


class LotteryDesk:
    def __init__(self, desk: AssemblyDesk) -> None:
        self.desk = desk

    async def show(self, assembly_id: uuid.UUID) -> LotteryView:
        async with self.desk.reading(assembly_id) as s:
            return await lottery.view(s.session, s.assembly)

    async def volunteer(
        self, principal: Principal, assembly_id: uuid.UUID, participant_id: uuid.UUID
    ) -> str:
        async with self.desk.acting(principal, assembly_id, "secretary", "participant") as s:
            if s.actor.role == "participant" and s.actor.voter_id != str(participant_id):
                raise Forbidden("a participant may volunteer only themselves")
            return await lottery.volunteer(
                s.session, s.assembly, participant_id, actor=_who(s.actor)
            )

    async def withdraw(
        self, principal: Principal, assembly_id: uuid.UUID, participant_id: uuid.UUID
    ) -> None:
        async with self.desk.acting(principal, assembly_id, "secretary", "participant") as s:
            if s.actor.role == "participant" and s.actor.voter_id != str(participant_id):
                raise Forbidden("a participant may withdraw only themselves")
            await lottery.withdraw(s.session, s.assembly, participant_id, actor=_who(s.actor))

    async def commit(
        self, principal: Principal, assembly_id: uuid.UUID, commitment: str
    ) -> LotteryView:
        async with self.desk.acting(principal, assembly_id, "secretary", lock=True) as s:
            await lottery.commit(s.session, s.assembly, commitment, actor=_who(s.actor))
            return await lottery.view(s.session, s.assembly)

    async def close_pool(self, principal: Principal, assembly_id: uuid.UUID) -> LotteryView:
        async with self.desk.acting(principal, assembly_id, "secretary", lock=True) as s:
            await lottery.close_pool(s.session, s.assembly, actor=_who(s.actor))
            return await lottery.view(s.session, s.assembly)

    async def reveal(
        self, principal: Principal, assembly_id: uuid.UUID, secret: str, public_value: str
    ) -> LotteryView:
        async with self.desk.acting(principal, assembly_id, "secretary", lock=True) as s:
            await lottery.reveal(s.session, s.assembly, secret, public_value, actor=_who(s.actor))
            return await lottery.view(s.session, s.assembly)

    async def pool(
        self, principal: Principal, assembly_id: uuid.UUID
    ) -> tuple[list[PoolEntry], list[Participant]]:
        """The volunteers with their names, and who else may still volunteer (credentialed
        voters of the lottery's segment) — for the desk only."""
        async with self.desk.acting(principal, assembly_id, "secretary") as s:
            rules = lottery.lottery_of(await rules_for(s.session, s.assembly.cycle_id))
            rows = (
                await s.session.execute(
                    select(LotteryVolunteer.number, Participant)
                    .join(Participant, Participant.id == LotteryVolunteer.participant_id)
                    .where(LotteryVolunteer.assembly_id == s.assembly.id)
                    .order_by(LotteryVolunteer.number)
                )
            ).all()
            entries = [PoolEntry(pseudonym(n), str(p.id), p.public_name) for n, p in rows]
            taken = {e.participant_id for e in entries}
            others = (
                await s.session.scalars(
                    select(Participant)
                    .where(
                        Participant.assembly_id == s.assembly.id,
                        Participant.segment == rules.segment,
                        Participant.credentialed_at.is_not(None),
                        Participant.voice_only.is_(False),
                    )
                    .order_by(Participant.public_name)
                )
            ).all()
            return entries, [p for p in others if str(p.id) not in taken]


def _who(actor: Actor) -> str:
    return f"{actor.role}:{actor.principal_id}"
