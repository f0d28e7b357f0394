"""National council endpoints: members, publishing the consolidated mandates, answering items
(every answer and update flows down to every origin), reading the answers."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, JSONBody

from shared.contracts.http.consolidation import AnswerView
from shared.contracts.http.council import (
    Answer,
    AnswerSent,
    MemberIssued,
    NewMember,
    Publish,
    Published,
)
from shared.features.council.service import Council
from shared.platform.web.auth import admin_guard, bearer_token

MEMBER = "council_member"


async def council_guard(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Only a council member's token (issued by the administrator) may answer."""
    councils: Council = connection.app.state.services["councils"]
    connection.scope[MEMBER] = await councils.member(bearer_token(connection))  # type: ignore[literal-required]


class CouncilController(Controller):
    path = "/api/v1/council"
    tags = ["council"]

    @post("/members", guards=[admin_guard], status_code=201)
    async def add_member(
        self, councils: NamedDependency[Council], data: JSONBody[NewMember]
    ) -> MemberIssued:
        """A council member and their token (shown only now)."""
        return await councils.add_member(name=data.name, council=data.council)

    @post("/publish", guards=[admin_guard], status_code=200)
    async def publish(
        self, councils: NamedDependency[Council], data: JSONBody[Publish]
    ) -> Published:
        """The national result becomes the consolidated mandates the council must answer."""
        return await councils.publish(cycle_id=data.cycle_id)

    @post("/items/{item_id:uuid}/responses", guards=[council_guard], status_code=201)
    async def answer(
        self,
        councils: NamedDependency[Council],
        request: Request[Any, Any, Any],
        item_id: FromPath[uuid.UUID],
        data: JSONBody[Answer],
    ) -> AnswerSent:
        """Answer an item, or update the answer (a new version); it flows to every origin."""
        return await councils.answer(item_id, request.scope[MEMBER], data)  # type: ignore[literal-required]

    @get("/items/{item_id:uuid}/responses")
    async def answers(
        self, councils: NamedDependency[Council], item_id: FromPath[uuid.UUID]
    ) -> list[AnswerView]:
        """Every version of the council's answer to an item (public)."""
        return await councils.answers(item_id)
