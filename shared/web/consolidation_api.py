"""HTTP endpoints common to the regional and national tiers: received reports, items, lineage."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import Parameter
from sqlalchemy import select

from shared.consolidation.lineage import item_lineage, list_items
from shared.consolidation.report import build_and_send_report
from shared.db.models.consolidation import ReceivedReport
from shared.web.auth import admin_guard


class CloseConference(msgspec.Struct, kw_only=True):
    """Close this tier's conference for one cycle and territory and send its report up."""

    cycle_id: str
    uf: str = msgspec.field(default="BR")
    title: str = ""


class ConsolidationController(Controller):
    path = "/api/v1"
    tags = ["consolidation"]

    @get("/reports")
    async def reports(
        self,
        request: Request[Any, Any, Any],
        cycle_id: str | None = None,
        uf: str | None = None,
        limit: int = Parameter(default=100, ge=1, le=1000),
        offset: int = Parameter(default=0, ge=0),
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
            }
            for r in rows
        ]

    @get("/items")
    async def items(
        self,
        request: Request[Any, Any, Any],
        cycle_id: str | None = None,
        uf: str | None = None,
        limit: int = Parameter(default=100, ge=1, le=5000),
        offset: int = Parameter(default=0, ge=0),
    ) -> list[dict[str, Any]]:
        async with request.app.state.node.sessions() as session:
            return await list_items(session, cycle_id=cycle_id, uf=uf, limit=limit, offset=offset)

    @get("/items/{item_id:uuid}/lineage")
    async def lineage(self, request: Request[Any, Any, Any], item_id: uuid.UUID) -> dict[str, Any]:
        """Every source item and every local origin proposal of an item."""
        async with request.app.state.node.sessions() as session:
            return await item_lineage(session, item_id)

    @post("/conference/close", guards=[admin_guard], status_code=202)
    async def close(self, request: Request[Any, Any, Any], data: CloseConference) -> dict[str, Any]:
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
            )
        node.announce()
        return {"report_id": report.report_id, "items": len(report.items)}
