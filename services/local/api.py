"""Local-tier HTTP API (thin: parse, call one use case, map the result)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, post
from sqlalchemy import select

from services.local import use_cases
from shared.db.models.local import Assembly, Proposal
from shared.web.auth import admin_guard

AssemblyKind = Literal["neighbourhood", "municipal", "intermunicipal", "free", "digital"]
Competence = Literal["municipal", "state", "national"]


class NewAssembly(msgspec.Struct, kw_only=True):
    cycle_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    kind: AssemblyKind
    territory: Annotated[str, msgspec.Meta(pattern=r"^\d{7}$")]
    uf: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")]
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    deadline: datetime | None = None
    participants: Annotated[int, msgspec.Meta(ge=0)] = 0
    population: Annotated[int, msgspec.Meta(ge=0)] = 0


class NewProposal(msgspec.Struct, kw_only=True):
    axis: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    competence: Competence
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
    support: Annotated[int, msgspec.Meta(ge=0)] = 0


def assembly_view(a: Assembly) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "cycle_id": a.cycle_id,
        "kind": a.kind,
        "territory": a.territory,
        "uf": a.uf,
        "title": a.title,
        "status": a.status,
        "participants": a.participants,
        "closed_at": a.closed_at.isoformat() if a.closed_at else None,
        "report_id": a.report_id,
    }


def proposal_view(p: Proposal) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "assembly_id": str(p.assembly_id),
        "axis": p.axis,
        "competence": p.competence,
        "title": p.title,
        "text": p.text,
        "status": p.status,
        "support": p.support,
        "rank": p.rank,
    }


class AssemblyController(Controller):
    path = "/api/v1/assemblies"
    tags = ["assemblies"]

    @post("/", guards=[admin_guard], status_code=201)
    async def create(self, request: Request[Any, Any, Any], data: NewAssembly) -> dict[str, Any]:
        node = request.app.state.node
        async with node.sessions() as session, session.begin():
            assembly = Assembly(
                cycle_id=data.cycle_id,
                kind=data.kind,
                territory=data.territory,
                uf=data.uf,
                title=data.title,
                deadline=data.deadline,
                participants=data.participants,
                population=data.population,
                status="open",
            )
            session.add(assembly)
            await session.flush()
            return assembly_view(assembly)

    @get("/{assembly_id:uuid}")
    async def show(self, request: Request[Any, Any, Any], assembly_id: uuid.UUID) -> dict[str, Any]:
        async with request.app.state.node.sessions() as session:
            return assembly_view(await use_cases.get_assembly(session, assembly_id))

    @post("/{assembly_id:uuid}/proposals", guards=[admin_guard], status_code=201)
    async def submit(
        self, request: Request[Any, Any, Any], assembly_id: uuid.UUID, data: NewProposal
    ) -> dict[str, Any]:
        async with request.app.state.node.sessions() as session, session.begin():
            proposal = await use_cases.submit_proposal(
                session, assembly_id, **msgspec.structs.asdict(data)
            )
            return proposal_view(proposal)

    @get("/{assembly_id:uuid}/proposals")
    async def proposals(
        self, request: Request[Any, Any, Any], assembly_id: uuid.UUID
    ) -> list[dict[str, Any]]:
        async with request.app.state.node.sessions() as session:
            rows = (
                await session.scalars(
                    select(Proposal)
                    .where(Proposal.assembly_id == assembly_id)
                    .order_by(Proposal.id)
                )
            ).all()
        return [proposal_view(p) for p in rows]

    @post("/{assembly_id:uuid}/close", guards=[admin_guard], status_code=202)
    async def close(
        self, request: Request[Any, Any, Any], assembly_id: uuid.UUID
    ) -> dict[str, Any]:
        """Close the assembly; its signed report goes up as soon as NATS accepts it."""
        node = request.app.state.node
        async with node.sessions() as session, session.begin():
            report = await use_cases.close_assembly(session, node.outbox, assembly_id)
        node.announce()
        return {"report_id": report.report_id, "items": len(report.items)}
