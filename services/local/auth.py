"""Who is asking: the operator (admin token), an assembly's secretary, or a participant.

Tokens are random bearer secrets shown once; only their SHA-256 is stored. Every write names its
assembly, and a token only works for its own assembly (that is the territory check: an assembly
belongs to one territory, and its secretary and participants to it).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.local.model import Assembly, Participant
from shared.core.errors import Forbidden, Unauthorized

Role = Literal["admin", "secretary", "participant"]


@dataclass(frozen=True, slots=True)
class Actor:
    role: Role
    participant: Participant | None = None

    @property
    def voter_id(self) -> str:
        if self.participant is None:
            raise Forbidden("only a participant can do this")
        return str(self.participant.id)


def new_token() -> tuple[str, str]:
    """A fresh bearer token and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def authorise(
    session: AsyncSession,
    token: str | None,
    admin_token: str,
    assembly: Assembly,
    *roles: Role,
) -> Actor:
    """The actor behind ``token`` for ``assembly``; 401 for no or unknown token, 403 for a
    known token of another role or another assembly."""
    if not token:
        raise Unauthorized("a bearer token is required")
    if admin_token and hmac.compare_digest(token, admin_token):
        actor = Actor("admin")
    else:
        digest = token_hash(token)
        if assembly.secretary_token_hash and hmac.compare_digest(
            digest, assembly.secretary_token_hash
        ):
            actor = Actor("secretary")
        else:
            participant = await session.scalar(
                select(Participant).where(Participant.token_hash == digest)
            )
            if participant is None:
                other = await session.scalar(
                    select(Assembly.id).where(Assembly.secretary_token_hash == digest)
                )
                if other is not None:
                    raise Forbidden("this token belongs to another assembly")
                raise Unauthorized("unknown token")
            if participant.assembly_id != assembly.id:
                raise Forbidden("this token belongs to another assembly")
            actor = Actor("participant", participant)
    allowed = set(roles) | {"admin"}
    if "secretary" in roles:
        allowed.add("admin")
    if actor.role not in allowed:
        raise Forbidden(f"this needs the {' or '.join(roles)} role")
    return actor


def participant_uuid(actor: Actor) -> uuid.UUID | None:
    return actor.participant.id if actor.participant else None
