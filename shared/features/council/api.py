"""National council endpoints: publishing the consolidated mandates, assigning each to its
council, answering items (every answer and update flows down to every origin), reading them."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from shared.contracts.http.consolidation import AnswerView
from shared.contracts.http.council import Answer, AnswerSent, Assign, Assigned, Publish, Published
from shared.core.access import Principal
from shared.features.council.service import Council
from shared.platform.web.auth import allow

Caller = NamedDependency[Principal]


class CouncilController(Controller):
    path = "/api/v1/council"
    tags = ["council"]

    @post("/publish", status_code=200, **allow("commission"))
    async def publish(
        self, councils: NamedDependency[Council], principal: Caller, data: JSONBody[Publish]
    ) -> Published:
        """The national result becomes the consolidated mandates the council must answer."""
        return await councils.publish(principal, cycle_id=data.cycle_id, council=data.council)

    @post("/items/{item_id:uuid}/assignment", status_code=200, **allow("commission"))
    async def assign(
        self,
        councils: NamedDependency[Council],
        principal: Caller,
        item_id: FromPath[uuid.UUID],
        data: JSONBody[Assign],
    ) -> Assigned:
        """Assign a published item to the council that must answer it."""
        return await councils.assign(principal, item_id, data.council)

    @post("/items/{item_id:uuid}/responses", status_code=201, **allow("council"))
    async def answer(
        self,
        councils: NamedDependency[Council],
        principal: Caller,
        item_id: FromPath[uuid.UUID],
        data: JSONBody[Answer],
    ) -> AnswerSent:
        """Answer an item of your council, or update the answer (a new version); it flows to
        every origin."""
        return await councils.answer(principal, item_id, data)

    @get("/items/{item_id:uuid}/responses")
    async def answers(
        self, councils: NamedDependency[Council], item_id: FromPath[uuid.UUID]
    ) -> list[AnswerView]:
        """Every version of the council's answer to an item (public)."""
        return await councils.answers(item_id)
