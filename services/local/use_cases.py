"""Local-tier use cases: assemblies, proposals, closing with a signed report."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bus.outbox import Outbox
from shared.db.models.local import Assembly, Proposal
from shared.domain.errors import Conflict, Invalid, NotFound
from shared.messages.subjects import up_subject
from shared.messages.wire import AssemblyReport, OriginRef, ReportItem

FORWARDED_COMPETENCES = ("state", "national")


async def get_assembly(session: AsyncSession, assembly_id: uuid.UUID) -> Assembly:
    assembly = await session.get(Assembly, assembly_id)
    if assembly is None:
        raise NotFound(f"no assembly {assembly_id}")
    return assembly


async def submit_proposal(
    session: AsyncSession,
    assembly_id: uuid.UUID,
    *,
    axis: str,
    competence: str,
    title: str,
    text: str,
    support: int = 0,
) -> Proposal:
    assembly = await get_assembly(session, assembly_id)
    if assembly.status == "closed":
        raise Conflict("the assembly is closed")
    proposal = Proposal(
        assembly_id=assembly.id,
        axis=axis,
        competence=competence,
        title=title,
        text=text,
        support=support,
    )
    session.add(proposal)
    await session.flush()
    return proposal


async def close_assembly(
    session: AsyncSession, outbox: Outbox, assembly_id: uuid.UUID
) -> AssemblyReport:
    """Rank proposals per axis, build the report, stage it signed in the outbox."""
    assembly = await session.get(Assembly, assembly_id, with_for_update=True)
    if assembly is None:
        raise NotFound(f"no assembly {assembly_id}")
    if assembly.status == "closed":
        raise Conflict("the assembly is already closed", report_id=assembly.report_id)
    proposals = (
        await session.scalars(
            select(Proposal)
            .where(Proposal.assembly_id == assembly.id, Proposal.status != "withdrawn")
            .where(Proposal.competence.in_(FORWARDED_COMPETENCES))
        )
    ).all()
    if assembly.participants < 0:
        raise Invalid("participants cannot be negative")
    by_axis: dict[str, list[Proposal]] = defaultdict(list)
    for proposal in sorted(proposals, key=lambda p: (-p.support, str(p.id))):
        by_axis[proposal.axis].append(proposal)
    now = datetime.now(UTC)
    items: list[ReportItem] = []
    for axis, ranked in sorted(by_axis.items()):
        for rank, proposal in enumerate(ranked, start=1):
            proposal.rank = rank
            items.append(
                ReportItem(
                    item_id=str(proposal.id),
                    axis=axis,
                    competence=proposal.competence,  # type: ignore[arg-type]
                    title=proposal.title,
                    text=proposal.text,
                    rank=rank,
                    support=proposal.support,
                    origins=[
                        OriginRef(
                            proposal_id=str(proposal.id),
                            assembly_id=str(assembly.id),
                            territory=assembly.territory,
                        )
                    ],
                )
            )
    report = AssemblyReport(
        report_id=str(uuid.uuid4()),
        cycle_id=assembly.cycle_id,
        tier="local",
        assembly_id=str(assembly.id),
        assembly_kind=assembly.kind,
        territory=assembly.territory,
        uf=assembly.uf,
        title=assembly.title,
        closed_at=now,
        late=assembly.deadline is not None and now > assembly.deadline,
        participants=assembly.participants,
        population=assembly.population,
        items=items,
    )
    assembly.status = "closed"
    assembly.closed_at = now
    assembly.report_id = report.report_id
    await outbox.stage(session, report, up_subject("local", "report", assembly.uf))
    return report
