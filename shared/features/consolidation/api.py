"""HTTP edge of consolidation at the regional and national tiers: reports received, the ingest
board, items and lineage both ways, duplicate suggestions and convener actions, ranking, and
closing the conference. Each handler parses, calls one use case, and returns its view."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from shared.contracts.http.consolidation import (
    ActionView,
    AutoMerge,
    AutoMerged,
    Board,
    CloseConference,
    ConferenceClosed,
    ItemView,
    Journey,
    Lineage,
    Merge,
    Nest,
    PairwiseRanking,
    Ranked,
    ReceivedMandateView,
    ReceivedReportView,
    Reception,
    Reclassify,
    Rewrite,
    Scope,
    Split,
    StateSeats,
    Suggestion,
    Unnest,
)
from shared.core.access import Principal
from shared.features.consolidation import actions
from shared.features.consolidation.service import Consolidation
from shared.platform.web.auth import allow
from shared.platform.web.paging import MAX_OFFSET

Caller = NamedDependency[Principal]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)]


class ConsolidationController(Controller):
    path = "/api/v1"
    tags = ["consolidation"]

    @get("/reports")
    async def reports(
        self,
        consolidation: NamedDependency[Consolidation],
        cycle_id: FromQuery[str | None] = None,
        uf: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Offset = 0,
    ) -> list[ReceivedReportView]:
        """Reports received from the tier below, oldest first."""
        return await consolidation.reports(cycle_id=cycle_id, uf=uf, limit=limit, offset=offset)

    @get("/board")
    async def board(
        self,
        consolidation: NamedDependency[Consolidation],
        cycle_id: FromQuery[str],
        uf: FromQuery[str | None] = None,
    ) -> Board:
        """Who has reported, late, missing, and the dead letters of one conference: at the
        regional tier a state's (``uf`` required: 422 without it), at the national tier the
        nation's (``uf`` ignored)."""
        return await consolidation.board(cycle_id=cycle_id, uf=uf)

    @get("/board/seats", **allow("convener", "commission"))
    async def seats(
        self,
        consolidation: NamedDependency[Consolidation],
        principal: Caller,
        cycle_id: FromQuery[str],
        uf: Annotated[str, QueryParameter(pattern="^[A-Z]{2}$")],
    ) -> StateSeats:
        """The seats shared among the state's assemblies: method, figures (value, exact quota,
        seats per segment) and the assemblies that elected under an older allocation."""
        return await consolidation.state_seats(principal, cycle_id=cycle_id, uf=uf)

    @get("/mandates", **allow("commission", "convener"))
    async def mandates(
        self,
        consolidation: NamedDependency[Consolidation],
        principal: Caller,
        cycle_id: FromQuery[str],
        uf: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Offset = 0,
    ) -> list[ReceivedMandateView]:
        """The delegate mandates received in verified reports (public fields, whether each is
        credentialed here), by territory, segment, role and rank: a state's at the regional
        tier (``uf`` required), every state's at the national one."""
        return await consolidation.received_mandates(
            principal, cycle_id=cycle_id, uf=uf, limit=limit, offset=offset
        )

    @get("/board/municipalities")
    async def municipalities(
        self,
        consolidation: NamedDependency[Consolidation],
        cycle_id: FromQuery[str],
        uf: Annotated[str, QueryParameter(pattern="^[A-Z]{2}$")],
    ) -> Reception:
        """Every municipality of the state (IBGE list, convened or not) and its reporting
        status: not convened, open, reported, late or dead-lettered, with the counts."""
        return await consolidation.reception(cycle_id=cycle_id, uf=uf)

    @get("/items")
    async def items(
        self,
        consolidation: NamedDependency[Consolidation],
        cycle_id: FromQuery[str | None] = None,
        uf: FromQuery[str | None] = None,
        axis: FromQuery[str | None] = None,
        status: FromQuery[Literal["active", "merged", "split", "undone", "all"]] = "active",
        limit: Annotated[int, QueryParameter(ge=1, le=5000)] = 100,
        offset: Offset = 0,
    ) -> list[ItemView]:
        """Items of this tier in ranking order per axis (active ones unless asked otherwise)."""
        return await consolidation.items(
            cycle_id=cycle_id,
            uf=uf,
            axis=axis,
            status=None if status == "all" else status,
            limit=limit,
            offset=offset,
        )

    @get("/items/{item_id:uuid}/lineage")
    async def lineage(
        self, consolidation: NamedDependency[Consolidation], item_id: FromPath[uuid.UUID]
    ) -> Lineage:
        """Every source item and local origin of an item, its versions, actions and answers."""
        return await consolidation.lineage(item_id)

    @get("/proposals/{proposal_id:str}/journey")
    async def journey(
        self, consolidation: NamedDependency[Consolidation], proposal_id: FromPath[str]
    ) -> Journey:
        """From a local proposal up: the item that holds it here and the council's answer."""
        return await consolidation.journey(proposal_id)

    @get("/consolidation/suggestions")
    async def suggestions(
        self,
        consolidation: NamedDependency[Consolidation],
        principal: Caller,
        cycle_id: FromQuery[str],
        uf: FromQuery[str] = "BR",
        axis: FromQuery[str | None] = None,
        threshold: Annotated[float | None, QueryParameter(ge=0, le=1)] = None,
    ) -> list[Suggestion]:
        """Likely duplicates within each axis, with their evidence. Public at the cycle's
        ``suggest_threshold`` (computed once and kept); another ``threshold`` clusters the
        conference again, so only its rapporteurs, conveners and commission may ask for one
        (401 for the public, 403 for another territory)."""
        return await consolidation.suggestions(
            cycle_id=cycle_id, uf=uf, axis=axis, threshold=threshold, principal=principal
        )

    @post("/consolidation/merge", status_code=201, **allow("rapporteur", "convener", "commission"))
    async def merge(
        self,
        consolidation: NamedDependency[Consolidation],
        principal: Caller,
        data: JSONBody[Merge],
    ) -> ItemView:
        """Merge items into a new one that keeps every source; the merged ones are retired."""
        return await consolidation.merge(
            principal,
            data.item_ids,
            title=data.title,
            text=data.text,
            competence=data.competence,
            note=data.note,
        )

    @post("/consolidation/split", status_code=201, **allow("rapporteur", "convener", "commission"))
    async def split(
        self,
        consolidation: NamedDependency[Consolidation],
        principal: Caller,
        data: JSONBody[Split],
    ) -> list[ItemView]:
        """Share an item's sources out among new items, each source exactly once."""
        parts = [actions.Part(p.sources, p.title, p.text) for p in data.parts]
        return await consolidation.split(principal, data.item_id, parts, note=data.note)

    @post(
        "/consolidation/rewrite", status_code=200, **allow("rapporteur", "convener", "commission")
    )
    async def rewrite(
        self,
        consolidation: NamedDependency[Consolidation],
        principal: Caller,
        data: JSONBody[Rewrite],
    ) -> ItemView:
        """A new text version of an item; earlier versions stay readable."""
        return await consolidation.rewrite(
            principal, data.item_id, title=data.title, text=data.text, note=data.note
        )

    @post(
        "/consolidation/reclassify",
        status_code=200,
        **allow("rapporteur", "convener", "commission"),
    )
    async def reclassify(
        self,
        consolidation: NamedDependency[Consolidation],
        principal: Caller,
        data: JSONBody[Reclassify],
    ) -> ItemView:
        """Move an item to another axis or competence."""
        return await consolidation.reclassify(
            principal, data.item_id, axis=data.axis, competence=data.competence, note=data.note
        )

    @post("/consolidation/nest", status_code=200, **allow("rapporteur", "convener", "commission"))
    async def nest(
        self,
        consolidation: NamedDependency[Consolidation],
        principal: Caller,
        data: JSONBody[Nest],
    ) -> list[ItemView]:
        """Group proposals under a diretriz: another active item of the same axis, nested
        under none (one level). A diretriz cannot itself be nested, merged, split or moved to
        another axis while proposals are under it. Logged, and undone like any action."""
        return await consolidation.nest(
            principal, data.item_ids, parent_id=data.parent_id, note=data.note
        )

    @post("/consolidation/unnest", status_code=200, **allow("rapporteur", "convener", "commission"))
    async def unnest(
        self,
        consolidation: NamedDependency[Consolidation],
        principal: Caller,
        data: JSONBody[Unnest],
    ) -> list[ItemView]:
        """Take proposals out of their diretriz."""
        return await consolidation.unnest(principal, data.item_ids, note=data.note)

    @get("/consolidation/actions")
    async def action_log(
        self,
        consolidation: NamedDependency[Consolidation],
        cycle_id: FromQuery[str],
        uf: FromQuery[str] = "BR",
    ) -> list[ActionView]:
        """The action log, newest first (undo walks it back)."""
        return await consolidation.action_log(cycle_id=cycle_id, uf=uf)

    @get("/consolidation/review")
    async def review_queue(
        self,
        consolidation: NamedDependency[Consolidation],
        cycle_id: FromQuery[str],
        uf: FromQuery[str] = "BR",
    ) -> list[ActionView]:
        """Automatic merges flagged for review ("para revisão"), oldest first."""
        return await consolidation.review_queue(cycle_id=cycle_id, uf=uf)

    @post(
        "/consolidation/actions/{action_id:uuid}/accept",
        status_code=200,
        **allow("rapporteur", "convener", "commission"),
    )
    async def accept_review(
        self,
        consolidation: NamedDependency[Consolidation],
        principal: Caller,
        action_id: FromPath[uuid.UUID],
    ) -> ActionView:
        """Accept an automatic merge as its item now reads (rewrite it first to edit)."""
        return await consolidation.accept_review(principal, action_id)

    @post(
        "/consolidation/actions/{action_id:uuid}/undo",
        status_code=200,
        **allow("rapporteur", "convener", "commission"),
    )
    async def undo(
        self,
        consolidation: NamedDependency[Consolidation],
        principal: Caller,
        action_id: FromPath[uuid.UUID],
    ) -> ActionView:
        """Reverse an action whose results no later action changed."""
        return await consolidation.undo(principal, action_id)

    @post(
        "/consolidation/auto-merge",
        status_code=200,
        **allow("rapporteur", "convener", "commission"),
    )
    async def auto_merge(
        self,
        consolidation: NamedDependency[Consolidation],
        principal: Caller,
        data: JSONBody[AutoMerge],
    ) -> AutoMerged:
        """The automatic policy (simulations): merge every suggestion above the threshold."""
        return await consolidation.auto_merge(
            principal, cycle_id=data.cycle_id, uf=data.uf, threshold=data.threshold
        )

    @post("/ranking", status_code=200, **allow("rapporteur", "convener", "commission"))
    async def rank(
        self,
        consolidation: NamedDependency[Consolidation],
        principal: Caller,
        data: JSONBody[Scope],
    ) -> Ranked:
        """Score and rank the active items now (closing the conference also does this)."""
        return await consolidation.rank(principal, cycle_id=data.cycle_id, uf=data.uf)

    @get("/ranking/pairwise")
    async def pairwise(
        self,
        consolidation: NamedDependency[Consolidation],
        cycle_id: FromQuery[str],
        axis: FromQuery[str],
        uf: FromQuery[str] = "BR",
    ) -> PairwiseRanking:
        """The axis ranked on the weighted sum of the sources' pairwise counts."""
        return await consolidation.pairwise(cycle_id=cycle_id, uf=uf, axis=axis)

    @post("/conference/close", status_code=202, **allow("convener", "commission"))
    async def close(
        self,
        consolidation: NamedDependency[Consolidation],
        principal: Caller,
        data: JSONBody[CloseConference],
    ) -> ConferenceClosed:
        """Rank, route and cap the items and send the signed report up."""
        return await consolidation.close(
            principal,
            cycle_id=data.cycle_id,
            uf=data.uf,
            title=data.title,
            delegates=data.delegates,
        )
