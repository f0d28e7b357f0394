"""National council endpoints: publishing the consolidated mandates, assigning each to its
council and a rapporteur, drafting answers (never published until the council publishes them,
one by one or in a batch), answering items (every answer and update flows down to every
origin), reading them."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from shared.contracts.http.consolidation import AnswerView
from shared.contracts.http.council import (
    Answer,
    AnswerSent,
    Assign,
    Assigned,
    DraftSave,
    DraftsPublished,
    DraftView,
    NameRapporteur,
    Publish,
    PublishDrafts,
    Published,
    RapporteurView,
)
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

    @post("/items/{item_id:uuid}/rapporteur", status_code=200, **allow("commission", "council"))
    async def name_rapporteur(
        self,
        councils: NamedDependency[Council],
        principal: Caller,
        item_id: FromPath[uuid.UUID],
        data: JSONBody[NameRapporteur],
    ) -> RapporteurView:
        """Name the item's rapporteur: an account holding the item's council grant (the
        commission, or a member of that council, names them)."""
        return await councils.name_rapporteur(principal, item_id, data.account_id)

    @get("/items/{item_id:uuid}/rapporteur", **allow("commission", "council"))
    async def rapporteur(
        self, councils: NamedDependency[Council], principal: Caller, item_id: FromPath[uuid.UUID]
    ) -> RapporteurView:
        """The item's rapporteur (the commission and the item's council)."""
        return await councils.rapporteur(principal, item_id)

    @put("/items/{item_id:uuid}/draft", status_code=200, **allow("council"))
    async def save_draft(
        self,
        councils: NamedDependency[Council],
        principal: Caller,
        item_id: FromPath[uuid.UUID],
        data: JSONBody[DraftSave],
    ) -> DraftView:
        """Save the item's draft answer (a member of its council): checked as an answer is,
        never published or sent; ``version`` must be the draft's current one (0: none yet),
        else 409."""
        return await councils.save_draft(principal, item_id, data)

    @get("/items/{item_id:uuid}/draft", **allow("commission", "council"))
    async def draft(
        self, councils: NamedDependency[Council], principal: Caller, item_id: FromPath[uuid.UUID]
    ) -> DraftView:
        """The item's draft answer (its council's members and the commission only)."""
        return await councils.draft(principal, item_id)

    @post("/drafts/publish", status_code=200, **allow("council"))
    async def publish_drafts(
        self,
        councils: NamedDependency[Council],
        principal: Caller,
        data: JSONBody[PublishDrafts],
    ) -> DraftsPublished:
        """Publish the drafts of these items, all or none: each becomes the item's next answer
        and flows to every origin; 422 lists every item without a valid draft, and why."""
        return await councils.publish_drafts(principal, data.item_ids)
