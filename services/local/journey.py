"""Where a local proposal went: its texts, the plenary's decision, the report that carried it,
and every council answer that came back down through lineage (docs/spec.md §5, §6)."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.local.model import Assembly, LocalResponse, Proposal
from services.local.proposals import versions
from shared.contracts.envelope import MessageError
from shared.contracts.messages import CouncilResponse
from shared.core.errors import NotFound
from shared.features.plenary.model import Poll
from shared.platform.bus.inbox import Delivery


async def attach_response(session: AsyncSession, delivery: Delivery) -> None:
    """Bus handler for kind "response": attach it to every origin proposal held here.

    Idempotent per (response_id, version, proposal): the same answer arriving twice (or via two
    routes) is stored once; a newer version is stored beside the older ones.
    """
    body = delivery.body
    if not isinstance(body, CouncilResponse):
        raise MessageError("unexpected-body", type(body).__name__)
    wanted: set[uuid.UUID] = set()
    for origin in body.origins:
        try:
            wanted.add(uuid.UUID(origin.proposal_id))
        except ValueError:
            continue
    if not wanted:
        return
    here = (await session.scalars(select(Proposal.id).where(Proposal.id.in_(wanted)))).all()
    if not here:
        return
    await session.execute(
        insert(LocalResponse)
        .values(
            [
                {
                    "response_id": body.response_id,
                    "version": body.version,
                    "proposal_id": pid,
                    "national_item_id": body.national_item_id,
                    "decision": body.decision,
                    "body": msgspec.to_builtins(body),
                }
                for pid in here
            ]
        )
        .on_conflict_do_nothing()
    )


async def journey(session: AsyncSession, proposal_id: uuid.UUID) -> dict[str, Any]:
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(f"no proposal {proposal_id}")
    assembly = await session.get(Assembly, proposal.assembly_id)
    assert assembly is not None
    decision = await session.scalar(
        select(Poll).where(
            Poll.assembly_id == str(assembly.id),
            Poll.kind == "decision",
            Poll.subject == str(proposal.id),
            Poll.status == "closed",
        )
    )
    responses = (
        await session.scalars(
            select(LocalResponse)
            .where(LocalResponse.proposal_id == proposal.id)
            .order_by(LocalResponse.response_id, LocalResponse.version)
        )
    ).all()
    latest: dict[str, LocalResponse] = {}
    for response in responses:
        latest[response.response_id] = response
    return {
        "proposal": {
            "id": str(proposal.id),
            "title": proposal.title,
            "text": proposal.text,
            "axis": proposal.axis,
            "competence": proposal.competence,
            "status": proposal.status,
            "version": proposal.version,
        },
        "versions": [
            {"version": v.version, "title": v.title, "text": v.text, "reason": v.reason}
            for v in await versions(session, proposal)
        ],
        "assembly": {
            "id": str(assembly.id),
            "title": assembly.title,
            "territory": assembly.territory,
            "status": assembly.status,
        },
        "plenary": None
        if decision is None
        else {"poll_id": str(decision.id), "outcome": decision.outcome, **(decision.result or {})},
        "report": {
            "report_id": assembly.report_id,
            "forwarded": proposal.forwarded,
            "rank": proposal.rank,
            "stayed_local": assembly.status == "closed" and not proposal.forwarded,
        },
        "upstream": [
            {
                "national_item_id": r.national_item_id,
                "title": r.body.get("item_title", ""),
                "text": r.body.get("item_text", ""),
            }
            for r in latest.values()
        ],
        "responses": [
            {
                "response_id": r.response_id,
                "version": r.version,
                "national_item_id": r.national_item_id,
                "decision": r.decision,
                "justification": r.body.get("justification", ""),
                "responsible_body": r.body.get("responsible_body", ""),
                "instrument": r.body.get("instrument", ""),
                "milestones": r.body.get("milestones", []),
                "answered_at": r.body.get("answered_at"),
                "current": latest[r.response_id] is r,
            }
            for r in responses
        ],
    }
