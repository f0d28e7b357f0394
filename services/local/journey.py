"""Where a local proposal went: its texts, the plenary's decision, the report that carried it,
and every council answer that came back down through lineage (docs/spec.md §5, §6)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.local.model import Assembly, Proposal
from services.local.proposals import versions
from shared.contracts.http.local import (
    JourneyAssembly,
    JourneyPlenary,
    JourneyProposal,
    JourneyReport,
    JourneyResponse,
    JourneyUpstream,
    JourneyVersion,
    ProposalJourney,
)
from shared.contracts.messages import CouncilResponse
from shared.core.errors import NotFound
from shared.features.plenary.model import Poll
from shared.features.plenary.polls import result_of
from shared.features.responses.model import ReceivedResponse
from shared.features.responses.service import answers_for


async def held_proposals(session: AsyncSession, proposal_ids: Sequence[str]) -> list[str]:
    """Which of these proposal ids are proposals of this tier (for attaching council answers)."""
    wanted: set[uuid.UUID] = set()
    for pid in proposal_ids:
        try:
            wanted.add(uuid.UUID(pid))
        except ValueError:
            continue
    if not wanted:
        return []
    found = await session.scalars(select(Proposal.id).where(Proposal.id.in_(wanted)))
    return [str(pid) for pid in found]


async def journey(session: AsyncSession, proposal_id: uuid.UUID) -> ProposalJourney:
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
    decided = result_of(decision) if decision is not None else None
    responses = await answers_for(session, [str(proposal.id)])
    bodies = {
        (r.response_id, r.version): msgspec.convert(r.body, CouncilResponse) for r in responses
    }
    latest: dict[str, ReceivedResponse] = {}
    for response in responses:
        latest[response.response_id] = response
    return ProposalJourney(
        proposal=JourneyProposal(
            id=str(proposal.id),
            title=proposal.title,
            text=proposal.text,
            axis=proposal.axis,
            competence=proposal.competence,
            status=proposal.status,
            version=proposal.version,
        ),
        versions=[
            JourneyVersion(version=v.version, title=v.title, text=v.text, reason=v.reason)
            for v in await versions(session, proposal)
        ],
        assembly=JourneyAssembly(
            id=str(assembly.id),
            title=assembly.title,
            territory=assembly.territory,
            status=assembly.status,
        ),
        plenary=None
        if decision is None
        else JourneyPlenary(
            poll_id=str(decision.id),
            outcome=decision.outcome,
            yes=decided.yes if decided else 0,
            no=decided.no if decided else 0,
            abstain=decided.abstain if decided else 0,
        ),
        report=JourneyReport(
            report_id=assembly.report_id,
            forwarded=proposal.forwarded,
            rank=proposal.rank,
            stayed_local=assembly.status == "closed" and not proposal.forwarded,
        ),
        upstream=[
            JourneyUpstream(
                national_item_id=r.national_item_id,
                title=bodies[r.response_id, r.version].item_title,
                text=bodies[r.response_id, r.version].item_text,
            )
            for r in latest.values()
        ],
        responses=[
            JourneyResponse(
                response_id=r.response_id,
                version=r.version,
                national_item_id=r.national_item_id,
                decision=r.decision,
                justification=bodies[r.response_id, r.version].justification,
                responsible_body=bodies[r.response_id, r.version].responsible_body,
                instrument=bodies[r.response_id, r.version].instrument,
                milestones=list(bodies[r.response_id, r.version].milestones),
                answered_at=r.answered_at,
                current=latest[r.response_id] is r,
            )
            for r in responses
        ],
    )
