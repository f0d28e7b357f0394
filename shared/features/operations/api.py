"""Dead-letter list and replay, and key registration: the same on every tier."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from shared.contracts.messages import KeyIntroduction, KeyRevocation
from shared.core.errors import NotFound
from shared.platform.bus.dead_letters import dead_letter_view, list_dead_letters, mark_replayed
from shared.platform.bus.models import DeadLetter
from shared.platform.web.auth import admin_guard
from shared.platform.web.paging import MAX_OFFSET

#: Base64 of an Ed25519 public key (32 bytes), as ``shared.platform.bus.signing`` writes it.
PublicKey = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9+/]{43}=$")]
KeyId = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]


class KeyIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A key to trust; checked here, so a malformed one is a 4xx and never reaches the ring."""

    key_id: KeyId
    public_key: PublicKey
    assembly_id: Annotated[str, msgspec.Meta(max_length=64)] = ""
    territory: Annotated[str, msgspec.Meta(max_length=16)] = ""


class RevocationIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    key_id: KeyId
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class ReplayResult(msgspec.Struct):
    id: str
    outcome: str
    reason: str = ""


class DeadLetterController(Controller):
    path = "/api/v1/dead-letters"
    tags = ["messaging"]

    @get("/")
    async def list_letters(
        self,
        request: Request[Any, Any, Any],
        reason: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> dict[str, Any]:
        """Messages this tier refused, with the reason and raw bytes."""
        async with request.app.state.node.sessions() as session:
            rows, total = await list_dead_letters(
                session, limit=limit, offset=offset, reason=reason
            )
        return {"total": total, "items": [dead_letter_view(r) for r in rows]}

    @post("/{letter_id:uuid}/replay", guards=[admin_guard], status_code=200)
    async def replay(
        self, request: Request[Any, Any, Any], letter_id: FromPath[uuid.UUID]
    ) -> ReplayResult:
        """Run a stored message through verification and apply again (after a fix)."""
        node = request.app.state.node
        async with node.sessions() as session:
            letter = await session.get(DeadLetter, letter_id)
            if letter is None:
                raise NotFound(f"no dead letter {letter_id}")
            subject, data, headers = letter.subject, letter.data, dict(letter.headers)
        outcome, reason = await node.receiver.receive(subject, data, headers)
        async with node.sessions() as session, session.begin():
            await mark_replayed(session, letter_id, f"{outcome.value} {reason}".strip())
        node.announce()
        return ReplayResult(id=str(letter_id), outcome=outcome.value, reason=reason)


class KeyController(Controller):
    path = "/api/v1/keys"
    tags = ["messaging"]
    guards = [admin_guard]

    @post("/", status_code=201)
    async def register(
        self, request: Request[Any, Any, Any], data: JSONBody[KeyIn]
    ) -> dict[str, str]:
        """Trust a sender's public key (an operator's out-of-band registration)."""
        node = request.app.state.node
        key = KeyIntroduction(**msgspec.structs.asdict(data))
        async with node.sessions() as session, session.begin():
            await node.trust.register(session, key, introduced_by="admin")
        return {"key_id": data.key_id, "status": "trusted"}

    @post("/revoke", status_code=200)
    async def revoke(
        self, request: Request[Any, Any, Any], data: JSONBody[RevocationIn]
    ) -> dict[str, str]:
        node = request.app.state.node
        revocation = KeyRevocation(**msgspec.structs.asdict(data))
        async with node.sessions() as session, session.begin():
            await node.trust.revoke(session, revocation)
        return {"key_id": data.key_id, "status": "revoked"}
