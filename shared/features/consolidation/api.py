"""HTTP endpoints common to the regional and national tiers: reports received, the ingest board,
items and lineage both ways, duplicate suggestions and convener actions, ranking, rules, closing.

Thin: each handler parses, calls one use case of ``shared.features.consolidation`` and returns its view.
At the national tier the territory of consolidation is ``BR``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy import select

from shared.contracts.messages import Mandate
from shared.core.consolidation import ConsolidationRules
from shared.features.consolidation import actions, duplicates
from shared.features.consolidation.board import ingest_board
from shared.features.consolidation.lineage import (
    action_view,
    item_lineage,
    item_view,
    list_items,
    proposal_journey,
)
from shared.features.consolidation.model import ConsolidationAction, ReceivedReport
from shared.features.consolidation.ranking import pairwise_ranking, rank_items
from shared.features.cycles.consolidation_rules import announce_cycle, rules_for, set_rules
from shared.features.reporting.tier_report import build_and_send_report
from shared.platform.web.auth import admin_guard
from shared.platform.web.paging import MAX_OFFSET

Territory = Annotated[str, msgspec.Meta(pattern=r"^([A-Z]{2})$")]
CycleId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Title = Annotated[str, msgspec.Meta(max_length=300)]
Text = Annotated[str, msgspec.Meta(max_length=20000)]
Competence = Literal["", "municipal", "state", "national"]
Threshold = Annotated[float, msgspec.Meta(ge=0, le=1)]
ACTOR = "convener"


class CloseConference(msgspec.Struct, kw_only=True):
    """Close this tier's conference for one cycle and territory and send its report up, with
    the delegates its plenary elected for the next tier."""

    cycle_id: CycleId
    uf: Territory = "BR"
    title: Title = ""
    delegates: list[Mandate] = msgspec.field(default_factory=list)


class Merge(msgspec.Struct, kw_only=True):
    item_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=2, max_length=1000)]
    title: Title = ""
    text: Text = ""
    competence: Competence = ""
    note: Text = ""


class SplitPart(msgspec.Struct, kw_only=True):
    sources: Annotated[list[str], msgspec.Meta(min_length=1)]
    title: Title = ""
    text: Text = ""


class Split(msgspec.Struct, kw_only=True):
    item_id: uuid.UUID
    parts: Annotated[list[SplitPart], msgspec.Meta(min_length=2, max_length=1000)]
    note: Text = ""


class Rewrite(msgspec.Struct, kw_only=True):
    item_id: uuid.UUID
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=20000)]
    title: Title = ""
    note: Text = ""


class Reclassify(msgspec.Struct, kw_only=True):
    item_id: uuid.UUID
    axis: Annotated[str, msgspec.Meta(max_length=64)] = ""
    competence: Competence = ""
    note: Text = ""


class Scope(msgspec.Struct, kw_only=True):
    cycle_id: CycleId
    uf: Territory = "BR"


class AutoMerge(msgspec.Struct, kw_only=True):
    cycle_id: CycleId
    uf: Territory = "BR"
    #: Defaults to the cycle's ``auto_merge_threshold``.
    threshold: Threshold | None = None


class ConsolidationController(Controller):
    path = "/api/v1"
    tags = ["consolidation"]

    @get("/reports")
    async def reports(
        self,
        request: Request[Any, Any, Any],
        cycle_id: FromQuery[str | None] = None,
        uf: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> list[dict[str, Any]]:
        """Reports received from the tier below."""
        query = select(ReceivedReport)
        if cycle_id:
            query = query.where(ReceivedReport.cycle_id == cycle_id)
        if uf:
            query = query.where(ReceivedReport.uf == uf)
        async with request.app.state.node.sessions() as session:
            rows = (
                await session.scalars(
                    query.order_by(ReceivedReport.received_at).limit(limit).offset(offset)
                )
            ).all()
        return [
            {
                "report_id": r.report_id,
                "assembly_id": r.assembly_id,
                "territory": r.territory,
                "uf": r.uf,
                "title": r.title,
                "late": r.late,
                "participants": r.participants,
                "sender": r.sender,
                "closed_at": r.closed_at.isoformat(),
                "received_at": r.received_at.isoformat(),
                "items": len(r.body.get("items", [])),
                "mandates": len(r.body.get("mandates", [])),
            }
            for r in rows
        ]

    @get("/board")
    async def board(
        self, request: Request[Any, Any, Any], cycle_id: FromQuery[str], uf: FromQuery[str] = "BR"
    ) -> dict[str, Any]:
        """Who has reported, late, missing, and the dead letters for this territory."""
        node = request.app.state.node
        async with node.sessions() as session:
            return await ingest_board(session, tier=node.settings.tier, cycle_id=cycle_id, uf=uf)

    @get("/items")
    async def items(
        self,
        request: Request[Any, Any, Any],
        cycle_id: FromQuery[str | None] = None,
        uf: FromQuery[str | None] = None,
        axis: FromQuery[str | None] = None,
        status: FromQuery[Literal["active", "merged", "split", "undone", "all"]] = "active",
        limit: Annotated[int, QueryParameter(ge=1, le=5000)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> list[dict[str, Any]]:
        """Items of this tier in ranking order per axis (active ones unless asked otherwise)."""
        async with request.app.state.node.sessions() as session:
            return await list_items(
                session,
                cycle_id=cycle_id,
                uf=uf,
                axis=axis,
                status=None if status == "all" else status,
                limit=limit,
                offset=offset,
            )

    @get("/items/{item_id:uuid}/lineage")
    async def lineage(
        self, request: Request[Any, Any, Any], item_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        """Every source item and local origin of an item, its versions, actions and answers."""
        async with request.app.state.node.sessions() as session:
            return await item_lineage(session, item_id)

    @get("/proposals/{proposal_id:str}/journey")
    async def journey(
        self, request: Request[Any, Any, Any], proposal_id: FromPath[str]
    ) -> dict[str, Any]:
        """From a local proposal up: the item that holds it here and the council's answer."""
        async with request.app.state.node.sessions() as session:
            return await proposal_journey(session, proposal_id)

    @get("/consolidation/suggestions")
    async def suggestions(
        self,
        request: Request[Any, Any, Any],
        cycle_id: FromQuery[str],
        uf: FromQuery[str] = "BR",
        axis: FromQuery[str | None] = None,
        threshold: Annotated[float | None, QueryParameter(ge=0, le=1)] = None,
    ) -> list[dict[str, Any]]:
        """Likely duplicates within each axis, with their evidence."""
        async with request.app.state.node.sessions() as session:
            rules = await rules_for(session, cycle_id)
            return await duplicates.suggest_merges(
                session,
                cycle_id=cycle_id,
                uf=uf,
                axis=axis,
                threshold=rules.suggest_threshold if threshold is None else threshold,
            )

    @post("/consolidation/merge", guards=[admin_guard], status_code=201)
    async def merge(self, request: Request[Any, Any, Any], data: JSONBody[Merge]) -> dict[str, Any]:
        async with request.app.state.node.sessions() as session, session.begin():
            item = await actions.merge(
                session,
                data.item_ids,
                title=data.title,
                text=data.text,
                competence=data.competence,
                actor=ACTOR,
                note=data.note,
            )
            return item_view(item)

    @post("/consolidation/split", guards=[admin_guard], status_code=201)
    async def split(
        self, request: Request[Any, Any, Any], data: JSONBody[Split]
    ) -> list[dict[str, Any]]:
        parts = [actions.Part(p.sources, p.title, p.text) for p in data.parts]
        async with request.app.state.node.sessions() as session, session.begin():
            items = await actions.split(session, data.item_id, parts, actor=ACTOR, note=data.note)
            return [item_view(i) for i in items]

    @post("/consolidation/rewrite", guards=[admin_guard], status_code=200)
    async def rewrite(
        self, request: Request[Any, Any, Any], data: JSONBody[Rewrite]
    ) -> dict[str, Any]:
        async with request.app.state.node.sessions() as session, session.begin():
            item = await actions.rewrite(
                session, data.item_id, title=data.title, text=data.text, actor=ACTOR, note=data.note
            )
            return item_view(item)

    @post("/consolidation/reclassify", guards=[admin_guard], status_code=200)
    async def reclassify(
        self, request: Request[Any, Any, Any], data: JSONBody[Reclassify]
    ) -> dict[str, Any]:
        async with request.app.state.node.sessions() as session, session.begin():
            item = await actions.reclassify(
                session,
                data.item_id,
                axis=data.axis,
                competence=data.competence,
                actor=ACTOR,
                note=data.note,
            )
            return item_view(item)

    @get("/consolidation/actions")
    async def action_log(
        self, request: Request[Any, Any, Any], cycle_id: FromQuery[str], uf: FromQuery[str] = "BR"
    ) -> list[dict[str, Any]]:
        """The action log, newest first (undo walks it back)."""
        async with request.app.state.node.sessions() as session:
            rows = await session.scalars(
                select(ConsolidationAction)
                .where(ConsolidationAction.cycle_id == cycle_id, ConsolidationAction.uf == uf)
                .order_by(ConsolidationAction.created_at.desc(), ConsolidationAction.id.desc())
            )
            return [action_view(a) for a in rows]

    @post("/consolidation/actions/{action_id:uuid}/undo", guards=[admin_guard], status_code=200)
    async def undo(
        self, request: Request[Any, Any, Any], action_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        async with request.app.state.node.sessions() as session, session.begin():
            return action_view(await actions.undo(session, action_id))

    @post("/consolidation/auto-merge", guards=[admin_guard], status_code=200)
    async def auto_merge(
        self, request: Request[Any, Any, Any], data: JSONBody[AutoMerge]
    ) -> dict[str, int]:
        """The automatic policy (simulations): merge every suggestion above the threshold."""
        async with request.app.state.node.sessions() as session, session.begin():
            rules = await rules_for(session, data.cycle_id)
            return await duplicates.auto_merge(
                session,
                cycle_id=data.cycle_id,
                uf=data.uf,
                threshold=rules.auto_merge_threshold if data.threshold is None else data.threshold,
            )

    @post("/ranking", guards=[admin_guard], status_code=200)
    async def rank(self, request: Request[Any, Any, Any], data: JSONBody[Scope]) -> dict[str, int]:
        """Score and rank the active items now (closing the conference also does this)."""
        async with request.app.state.node.sessions() as session, session.begin():
            rules = await rules_for(session, data.cycle_id)
            return await rank_items(session, cycle_id=data.cycle_id, uf=data.uf, rules=rules)

    @get("/ranking/pairwise")
    async def pairwise(
        self,
        request: Request[Any, Any, Any],
        cycle_id: FromQuery[str],
        axis: FromQuery[str],
        uf: FromQuery[str] = "BR",
    ) -> dict[str, Any]:
        """The axis ranked on the weighted sum of the sources' pairwise counts."""
        async with request.app.state.node.sessions() as session:
            rules = await rules_for(session, cycle_id)
            return await pairwise_ranking(session, cycle_id=cycle_id, uf=uf, axis=axis, rules=rules)

    @get("/cycles/{cycle_id:str}/consolidation-rules")
    async def get_rules(
        self, request: Request[Any, Any, Any], cycle_id: FromPath[str]
    ) -> ConsolidationRules:
        async with request.app.state.node.sessions() as session:
            return await rules_for(session, cycle_id)

    @put("/cycles/{cycle_id:str}/consolidation-rules", guards=[admin_guard])
    async def put_rules(
        self,
        request: Request[Any, Any, Any],
        cycle_id: FromPath[str],
        data: JSONBody[ConsolidationRules],
    ) -> ConsolidationRules:
        """Set this tier's rules for a cycle (weighting, caps, seats, thresholds)."""
        async with request.app.state.node.sessions() as session, session.begin():
            await set_rules(session, cycle_id, data)
        return data

    @post("/conference/close", guards=[admin_guard], status_code=202)
    async def close(
        self, request: Request[Any, Any, Any], data: JSONBody[CloseConference]
    ) -> dict[str, Any]:
        """Rank, cap and route the items and send the signed report up."""
        node = request.app.state.node
        async with node.sessions() as session, session.begin():
            report = await build_and_send_report(
                session,
                node.outbox,
                tier=node.settings.tier,
                cycle_id=data.cycle_id,
                uf=data.uf,
                assembly_id=f"{node.settings.tier}:{data.cycle_id}:{data.uf}",
                title=data.title or f"{node.settings.tier} conference {data.uf}",
                mandates=data.delegates,
            )
        node.announce()
        return {
            "report_id": report.report_id,
            "items": len(report.items),
            "mandates": len(report.mandates),
        }


class CycleText(msgspec.Struct, kw_only=True):
    rules_toml: Annotated[str, msgspec.Meta(min_length=1, max_length=200_000)]


class AnnouncementController(Controller):
    """National: announce a cycle's rules to every tier below (``CycleAnnouncement``)."""

    path = "/api/v1/cycles"
    tags = ["cycles"]

    @post("/announce", guards=[admin_guard], status_code=202)
    async def announce(
        self, request: Request[Any, Any, Any], data: JSONBody[CycleText]
    ) -> dict[str, str]:
        node = request.app.state.node
        async with node.sessions() as session, session.begin():
            cycle = await announce_cycle(session, node.outbox, data.rules_toml)
        node.announce()
        return {"cycle_id": cycle.cycle_id, "title": cycle.title}
