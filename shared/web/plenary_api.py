"""Credentialing at a regional or national plenary, from mandates received in reports."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post

from shared.consolidation.credentials import credential, declare_absent, list_credentials
from shared.web.auth import admin_guard

CycleId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Territory = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")]


class CredentialRequest(msgspec.Struct, kw_only=True):
    cycle_id: CycleId
    mandate_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    #: What the desk records about the person (e.g. a hash of their document).
    holder: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    uf: Territory = "BR"


class AbsenceRequest(msgspec.Struct, kw_only=True):
    cycle_id: CycleId
    mandate_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    uf: Territory = "BR"


def _scope(request: Request[Any, Any, Any], uf: str) -> str:
    """The national plenary admits delegates of every state; a state plenary only its own."""
    return "BR" if request.app.state.node.settings.tier == "national" else uf


class PlenaryController(Controller):
    path = "/api/v1/plenary"
    tags = ["plenary"]

    @post("/credentials", guards=[admin_guard], status_code=201)
    async def admit(
        self, request: Request[Any, Any, Any], data: CredentialRequest
    ) -> dict[str, Any]:
        async with request.app.state.node.sessions() as session, session.begin():
            return await credential(
                session,
                cycle_id=data.cycle_id,
                scope=_scope(request, data.uf),
                mandate_id=data.mandate_id,
                holder=data.holder,
            )

    @post("/absences", guards=[admin_guard], status_code=201)
    async def absent(self, request: Request[Any, Any, Any], data: AbsenceRequest) -> dict[str, str]:
        async with request.app.state.node.sessions() as session, session.begin():
            return await declare_absent(
                session,
                cycle_id=data.cycle_id,
                scope=_scope(request, data.uf),
                mandate_id=data.mandate_id,
            )

    @get("/credentials")
    async def credentials(
        self, request: Request[Any, Any, Any], cycle_id: str, uf: str = "BR"
    ) -> list[dict[str, Any]]:
        async with request.app.state.node.sessions() as session:
            return await list_credentials(session, cycle_id=cycle_id, scope=_scope(request, uf))
