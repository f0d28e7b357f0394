"""The local tier's side of identity: who its participants are (they hold a voting credential,
not an account), which territory an assembly is in, and what a principal may do in one
assembly.

A secretary's grant names one assembly; an organiser's reaches every assembly of its territory
and may do what a secretary does there. Participants act only in their own assembly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.local.model import Assembly, Participant
from shared.core.access import Grant, Principal
from shared.core.errors import Forbidden

#: What an actor does in an assembly: run it, or take part in it.
Role = Literal["secretary", "participant"]


@dataclass(frozen=True, slots=True)
class Actor:
    role: Role
    #: Who acts (an account id, or the participant's id), for the records.
    principal_id: str
    participant: Participant | None = None

    @property
    def voter_id(self) -> str:
        if self.participant is None:
            raise Forbidden("only a participant can do this")
        return str(self.participant.id)


async def participant_principal(session: AsyncSession, token_digest: str) -> Principal | None:
    """The participant a voting credential belongs to (a resolver of the identity feature)."""
    row = (
        await session.execute(
            select(Participant.id, Participant.public_name, Assembly.id, Assembly.territory)
            .join(Assembly, Assembly.id == Participant.assembly_id)
            .where(Participant.token_hash == token_digest)
        )
    ).first()
    if row is None:
        return None
    participant_id, name, assembly_id, territory = row
    return Principal(
        kind="participant",
        id=str(participant_id),
        name=name,
        grants=(Grant("participant", territory=territory, assembly_id=str(assembly_id)),),
    )


async def assembly_territory(session: AsyncSession, assembly_id: str) -> str | None:
    try:
        key = uuid.UUID(assembly_id)
    except ValueError:
        return None
    territory: str | None = await session.scalar(
        select(Assembly.territory).where(Assembly.id == key)
    )
    return territory


async def actor_in(
    session: AsyncSession, principal: Principal, assembly: Assembly, *roles: Role
) -> Actor:
    """The principal as an actor of ``assembly``: 401 for the public, 403 for anyone whose
    grant does not reach this assembly with one of ``roles``."""
    allowed: list[Literal["secretary", "organiser", "participant"]] = []
    if "secretary" in roles:
        allowed += ["secretary", "organiser"]
    if "participant" in roles:
        allowed.append("participant")
    grant = principal.require(*allowed, territory=assembly.territory, assembly_id=str(assembly.id))
    if grant.role != "participant":
        return Actor("secretary", principal.id)
    participant = await session.get(Participant, uuid.UUID(principal.id))
    if participant is None or participant.assembly_id != assembly.id:
        raise Forbidden("this credential belongs to another assembly")
    return Actor("participant", principal.id, participant)
