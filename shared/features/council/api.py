"""National council endpoints: publish the consolidated mandates, issue council-member tokens,
answer items (every answer and update flows down to every origin), read the answers."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, JSONBody
from sqlalchemy import select

from shared.contracts.messages import Milestone
from shared.core.consolidation import Decision
from shared.features.consolidation.lineage import answer_view
from shared.features.council.model import CouncilAnswer
from shared.features.council.service import (
    answer_item,
    issue_member,
    member_for_token,
    publish_mandates,
)
from shared.platform.web.auth import admin_guard, bearer_token

Short = Annotated[str, msgspec.Meta(max_length=300)]


class NewMember(msgspec.Struct, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    council: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]


class Publish(msgspec.Struct, kw_only=True):
    cycle_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class Answer(msgspec.Struct, kw_only=True):
    decision: Decision
    justification: Annotated[str, msgspec.Meta(max_length=20000)] = ""
    responsible_body: Short = ""
    instrument: Short = ""
    milestones: Annotated[list[Milestone], msgspec.Meta(max_length=200)] = msgspec.field(
        default_factory=list
    )


async def council_guard(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Only a council member's token (issued by the administrator) may answer."""
    token = bearer_token(connection)
    async with connection.app.state.node.sessions() as session:
        connection.scope["council_member"] = await member_for_token(session, token)  # type: ignore[typeddict-unknown-key]


class CouncilController(Controller):
    path = "/api/v1/council"
    tags = ["council"]

    @post("/members", guards=[admin_guard], status_code=201)
    async def add_member(
        self, request: Request[Any, Any, Any], data: JSONBody[NewMember]
    ) -> dict[str, str]:
        """A council member and their token (shown only now)."""
        async with request.app.state.node.sessions() as session, session.begin():
            member, token = await issue_member(session, name=data.name, council=data.council)
            return {"id": str(member.id), "name": member.name, "token": token}

    @post("/publish", guards=[admin_guard], status_code=200)
    async def publish(
        self, request: Request[Any, Any, Any], data: JSONBody[Publish]
    ) -> dict[str, Any]:
        """The national result becomes the consolidated mandates the council must answer."""
        async with request.app.state.node.sessions() as session, session.begin():
            return await publish_mandates(session, cycle_id=data.cycle_id)

    @post("/items/{item_id:uuid}/responses", guards=[council_guard], status_code=201)
    async def answer(
        self, request: Request[Any, Any, Any], item_id: FromPath[uuid.UUID], data: JSONBody[Answer]
    ) -> dict[str, Any]:
        """Answer an item, or update the answer (a new version); it flows to every origin."""
        node = request.app.state.node
        member = request.scope["council_member"]  # type: ignore[typeddict-item]
        async with node.sessions() as session, session.begin():
            result = await answer_item(
                session,
                node.outbox,
                item_id=item_id,
                member=await session.merge(member),
                decision=data.decision,
                justification=data.justification,
                responsible_body=data.responsible_body,
                instrument=data.instrument,
                milestones=data.milestones,
            )
        node.announce()
        return result

    @get("/items/{item_id:uuid}/responses")
    async def answers(
        self, request: Request[Any, Any, Any], item_id: FromPath[uuid.UUID]
    ) -> list[dict[str, Any]]:
        """Every version of the council's answer to an item (public)."""
        async with request.app.state.node.sessions() as session:
            rows = await session.scalars(
                select(CouncilAnswer)
                .where(CouncilAnswer.item_id == item_id)
                .order_by(CouncilAnswer.version)
            )
            return [answer_view(a) for a in rows]
