"""Where a local proposal went: its texts, the plenary's decision, the report that carried it,
and every council answer that came back down through lineage (docs/spec.md §5, §6)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.local.model import Assembly, Proposal
from services.local.proposals import versions
from shared.contracts.http.local import (
    FollowUpAssembly,
    FollowUpProposal,
    JourneyAssembly,
    JourneyPlenary,
    JourneyProposal,
    JourneyReport,
    JourneyResponse,
    JourneyStateItem,
    JourneyUpstream,
    JourneyVersion,
    MunicipalityFollowUp,
    ProposalJourney,
)
from shared.contracts.messages import CouncilResponse
from shared.core.errors import NotFound
from shared.core.territory import municipality
from shared.features.plenary.model import Poll
from shared.features.plenary.polls import result_of
from shared.features.responses.model import ReceivedResponse, ResponseAttachment
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
            JourneyVersion(
                version=v.version,
                title=v.title,
                text=v.text,
                reason=v.reason,
                created_at=v.created_at,
            )
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
                state_items=_state_items(
                    bodies[r.response_id, r.version], str(proposal.id), assembly.uf
                ),
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


def _state_items(answer: CouncilResponse, proposal_id: str, uf: str) -> list[JourneyStateItem]:
    """What the proposal was merged into at its state: the source the answer says carried it,
    or (an answer from before it said so) every source of the proposal's UF."""
    via = answer.carried_by.get(proposal_id)
    carried = [s for s in answer.sources if s.item_id == via] if via else []
    return [
        JourneyStateItem(item_id=s.item_id, uf=s.territory, text=s.text, rank=s.rank)
        for s in carried or [s for s in answer.sources if s.territory == uf]
    ]


async def follow_up(
    session: AsyncSession, ibge_code: str, *, limit: int, offset: int
) -> MunicipalityFollowUp:
    """A municipality's assemblies held here (newest first) with each proposal and the
    council's latest decision on what it became."""
    town = municipality(ibge_code)
    if town is None:
        raise NotFound(f"no municipality with IBGE code {ibge_code!r}")
    total = await session.scalar(
        select(func.count()).select_from(Assembly).where(Assembly.territory == ibge_code)
    )
    rows = list(
        await session.scalars(
            select(Assembly)
            .where(Assembly.territory == ibge_code)
            .order_by(Assembly.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    proposals = list(
        await session.scalars(
            select(Proposal)
            .where(Proposal.assembly_id.in_([a.id for a in rows]))
            .order_by(Proposal.axis, Proposal.rank.nulls_last(), Proposal.id)
        )
    )
    decided: dict[str, str] = {}
    for response in await answers_for(session, [str(p.id) for p in proposals]):
        decided[str(response.response_id)] = response.decision
    decisions: dict[str, str] = {}
    attached = await _attachments(session, [str(p.id) for p in proposals])
    for proposal_id, response_id in attached:
        if response_id in decided:
            decisions[proposal_id] = decided[response_id]
    by_assembly: dict[uuid.UUID, list[FollowUpProposal]] = {}
    for p in proposals:
        by_assembly.setdefault(p.assembly_id, []).append(
            FollowUpProposal(
                id=str(p.id),
                title=p.title,
                axis=p.axis,
                competence=p.competence,
                status=p.status,
                forwarded=p.forwarded,
                rank=p.rank,
                decision=decisions.get(str(p.id)),
            )
        )
    return MunicipalityFollowUp(
        ibge_code=town.ibge_code,
        name=town.name,
        uf=town.uf,
        population_2022=town.population_2022,
        total=int(total or 0),
        limit=limit,
        offset=offset,
        assemblies=[
            FollowUpAssembly(
                id=str(a.id),
                title=a.title,
                kind=a.kind,
                status=a.status,
                closed_at=a.closed_at,
                proposals=by_assembly.get(a.id, []),
            )
            for a in rows
        ],
    )


async def _attachments(session: AsyncSession, proposal_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(proposal id, response id) of every answer attached to these proposals."""
    if not proposal_ids:
        return []
    rows = await session.execute(
        select(ResponseAttachment.proposal_id, ResponseAttachment.response_id)
        .where(ResponseAttachment.proposal_id.in_(list(proposal_ids)))
        .distinct()
    )
    return [(p, r) for p, r in rows]
