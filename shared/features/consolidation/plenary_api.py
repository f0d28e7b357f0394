"""Credentialing at a regional or national plenary, from mandates received in reports."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from shared.features.consolidation import plenary
from shared.features.consolidation.credentials import (
    Admission,
    credential,
    credential_many,
    declare_absent,
    list_credentials,
)
from shared.platform.web.auth import admin_guard

CycleId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Territory = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")]


class CredentialRequest(msgspec.Struct, kw_only=True):
    cycle_id: CycleId
    mandate_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    #: What the desk records about the person (e.g. a hash of their document).
    holder: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    uf: Territory = "BR"


class CredentialBatch(msgspec.Struct, kw_only=True):
    """A credentialing desk's check-in list: admitted all together, or not at all."""

    entries: Annotated[list[CredentialRequest], msgspec.Meta(min_length=1, max_length=5000)]


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
        self, request: Request[Any, Any, Any], data: JSONBody[CredentialRequest]
    ) -> dict[str, Any]:
        async with request.app.state.node.sessions() as session, session.begin():
            return await credential(
                session,
                cycle_id=data.cycle_id,
                scope=_scope(request, data.uf),
                mandate_id=data.mandate_id,
                holder=data.holder,
            )

    @post("/credentials/bulk", guards=[admin_guard], status_code=201)
    async def admit_many(
        self, request: Request[Any, Any, Any], data: JSONBody[CredentialBatch]
    ) -> list[dict[str, Any]]:
        """Admit a check-in list with the single-entry rules, in its order; the first entry
        refused (named by ``entry``) refuses the whole list and nothing is written."""
        entries = [
            Admission(
                cycle_id=e.cycle_id,
                scope=_scope(request, e.uf),
                mandate_id=e.mandate_id,
                holder=e.holder,
            )
            for e in data.entries
        ]
        async with request.app.state.node.sessions() as session, session.begin():
            return await credential_many(session, entries)

    @post("/absences", guards=[admin_guard], status_code=201)
    async def absent(
        self, request: Request[Any, Any, Any], data: JSONBody[AbsenceRequest]
    ) -> dict[str, str]:
        async with request.app.state.node.sessions() as session, session.begin():
            return await declare_absent(
                session,
                cycle_id=data.cycle_id,
                scope=_scope(request, data.uf),
                mandate_id=data.mandate_id,
            )

    @get("/credentials")
    async def credentials(
        self, request: Request[Any, Any, Any], cycle_id: FromQuery[str], uf: FromQuery[str] = "BR"
    ) -> list[dict[str, Any]]:
        async with request.app.state.node.sessions() as session:
            return await list_credentials(session, cycle_id=cycle_id, scope=_scope(request, uf))


class NewPoll(msgspec.Struct, kw_only=True):
    """``decision`` on one item (subject = item id), ``priority`` on an axis (subject = axis),
    or the ``election`` of delegates for the next tier (over the candidacies)."""

    cycle_id: CycleId
    kind: Literal["decision", "priority", "election"]
    subject: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    mode: Literal["electronic", "counts"] = "counts"
    method: Literal["borda", "schulze", "approval", "copeland", "plurality"] = "borda"
    approvals: Annotated[int, msgspec.Meta(ge=1, le=500)] = 1
    title: Annotated[str, msgspec.Meta(max_length=300)] = ""
    amended_text: Annotated[str, msgspec.Meta(max_length=20000)] | None = None
    uf: Territory = "BR"


class Vote(msgspec.Struct, kw_only=True):
    cycle_id: CycleId
    mandate_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    ranking: Annotated[list[list[str]], msgspec.Meta(min_length=1, max_length=500)]
    uf: Territory = "BR"


class CountEntry(msgspec.Struct, kw_only=True):
    ranking: Annotated[list[list[str]], msgspec.Meta(min_length=1, max_length=500)]
    count: Annotated[int, msgspec.Meta(ge=0)]


class Counts(msgspec.Struct, kw_only=True):
    cycle_id: CycleId
    entries: Annotated[list[CountEntry], msgspec.Meta(min_length=1, max_length=10_000)]
    uf: Territory = "BR"


class PollRef(msgspec.Struct, kw_only=True):
    cycle_id: CycleId
    uf: Territory = "BR"


class Candidacy(msgspec.Struct, kw_only=True):
    cycle_id: CycleId
    mandate_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    uf: Territory = "BR"


class TierPlenaryController(Controller):
    """Polls and the delegate election of this tier's plenary (shared plenary code)."""

    path = "/api/v1/plenary"
    tags = ["plenary"]

    @post("/polls", guards=[admin_guard], status_code=201)
    async def open_poll(
        self, request: Request[Any, Any, Any], data: JSONBody[NewPoll]
    ) -> dict[str, Any]:
        tier = request.app.state.node.settings.tier
        async with request.app.state.node.sessions() as session, session.begin():
            poll = await plenary.open_poll(
                session,
                tier=tier,
                cycle_id=data.cycle_id,
                uf=_scope(request, data.uf),
                kind=data.kind,
                mode=data.mode,
                subject=data.subject,
                title=data.title,
                method=data.method,
                approvals=data.approvals,
                amended_text=data.amended_text,
            )
            return plenary.poll_view(poll)

    @post("/polls/{poll_id:uuid}/ballots", guards=[admin_guard], status_code=201)
    async def vote(
        self, request: Request[Any, Any, Any], poll_id: FromPath[uuid.UUID], data: JSONBody[Vote]
    ) -> dict[str, str]:
        """A credentialed delegate's ballot, cast at the plenary's voting desk."""
        tier = request.app.state.node.settings.tier
        async with request.app.state.node.sessions() as session, session.begin():
            await plenary.cast(
                session,
                tier=tier,
                cycle_id=data.cycle_id,
                uf=_scope(request, data.uf),
                poll_id=poll_id,
                mandate_id=data.mandate_id,
                ranking=data.ranking,
            )
        return {"status": "recorded"}

    @post("/polls/{poll_id:uuid}/counts", guards=[admin_guard], status_code=201)
    async def counts(
        self, request: Request[Any, Any, Any], poll_id: FromPath[uuid.UUID], data: JSONBody[Counts]
    ) -> dict[str, int]:
        tier = request.app.state.node.settings.tier
        async with request.app.state.node.sessions() as session, session.begin():
            added = await plenary.record_counts(
                session,
                tier=tier,
                cycle_id=data.cycle_id,
                uf=_scope(request, data.uf),
                poll_id=poll_id,
                entries=[(e.ranking, e.count) for e in data.entries],
            )
        return {"ballots": added}

    @post("/polls/{poll_id:uuid}/close", guards=[admin_guard], status_code=200)
    async def close_poll(
        self, request: Request[Any, Any, Any], poll_id: FromPath[uuid.UUID], data: JSONBody[PollRef]
    ) -> dict[str, Any]:
        tier = request.app.state.node.settings.tier
        async with request.app.state.node.sessions() as session, session.begin():
            poll = await plenary.close(
                session,
                tier=tier,
                cycle_id=data.cycle_id,
                uf=_scope(request, data.uf),
                poll_id=poll_id,
            )
            return plenary.poll_view(poll)

    @post("/candidacies", guards=[admin_guard], status_code=201)
    async def stand(
        self, request: Request[Any, Any, Any], data: JSONBody[Candidacy]
    ) -> dict[str, Any]:
        tier = request.app.state.node.settings.tier
        async with request.app.state.node.sessions() as session, session.begin():
            return await plenary.stand(
                session,
                tier=tier,
                cycle_id=data.cycle_id,
                uf=_scope(request, data.uf),
                mandate_id=data.mandate_id,
            )

    @post("/polls/{poll_id:uuid}/elect", guards=[admin_guard], status_code=200)
    async def elect(
        self, request: Request[Any, Any, Any], poll_id: FromPath[uuid.UUID], data: JSONBody[PollRef]
    ) -> dict[str, Any]:
        """Elect the delegation within the seats allocated from above."""
        tier = request.app.state.node.settings.tier
        async with request.app.state.node.sessions() as session, session.begin():
            return await plenary.elect(
                session,
                tier=tier,
                cycle_id=data.cycle_id,
                uf=_scope(request, data.uf),
                poll_id=poll_id,
            )
