"""Closing an assembly: the signed report that goes up (docs/spec.md §5 "Close").

Which proposals go: those the plenary approved (in full or in part). An assembly that held no
decision poll at all reports what its secretary recorded (e.g. results typed in after a paper
plenary), so every submitted, non-withdrawn proposal counts as approved there.
Rank within an axis: the axis's closed priority poll, else supports, then submission order.
Competence routing, caps per assembly kind and the late policy come from the cycle's rules.
The report is signed with the assembly's own key, introduced to the regional tier at creation.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.local.assemblies import credentialed_count, get_assembly
from services.local.cycles import rules_for
from services.local.model import Assembly, Proposal
from shared.contracts.messages import (
    AssemblyReport,
    AxisPairwise,
    Mandate,
    MotionResult,
    OriginRef,
    ReportItem,
)
from shared.contracts.subjects import up_subject
from shared.core.errors import Conflict
from shared.core.forwarding import Ranked, forwarded
from shared.features.plenary import elections, motions, polls
from shared.features.plenary.model import Poll
from shared.platform.bus.outbox import Outbox
from shared.platform.bus.signing import Signer


async def close_assembly(
    session: AsyncSession, outbox: Outbox, assembly_id: uuid.UUID
) -> AssemblyReport:
    """Build the report, stage it signed by the assembly's key, and close the assembly."""
    assembly = await get_assembly(session, assembly_id, lock=True)
    if assembly.status == "closed":
        raise Conflict("the assembly is already closed", report_id=assembly.report_id)
    key = str(assembly.id)
    all_polls = (await session.scalars(select(Poll).where(Poll.assembly_id == key))).all()
    still_open = [str(p.id) for p in all_polls if p.status == "open"]
    if still_open:
        raise Conflict("close every poll before closing the assembly", open_polls=still_open)
    rules = await rules_for(session, assembly.cycle_id)
    now = datetime.now(UTC)
    late = assembly.deadline is not None and now > assembly.deadline
    assembly.late = late
    closed = [p for p in all_polls if p.status == "closed"]
    decisions = {p.subject: p for p in closed if p.kind == "decision"}
    priorities = {p.subject: p for p in closed if p.kind == "priority"}

    proposals = (
        await session.scalars(select(Proposal).where(Proposal.assembly_id == assembly.id))
    ).all()
    approved_statuses = ("approved", "approved_in_part")
    if decisions:
        approved = [p for p in proposals if p.status in approved_statuses]
    else:
        approved = [p for p in proposals if p.status not in ("withdrawn", "rejected")]

    ranked = _rank(approved, priorities)
    chosen = forwarded(
        [Ranked(str(p.id), p.axis, p.competence, r) for p, r in ranked],
        rules,
        assembly_kind=assembly.kind,
        late=late,
    )
    by_id = {str(p.id): p for p in approved}
    items: list[ReportItem] = []
    for entry in chosen:
        proposal = by_id[entry.id]
        proposal.rank = entry.rank
        proposal.forwarded = True
        poll = decisions.get(entry.id)
        counts = (poll.result or {}) if poll else {}
        priority = priorities.get(entry.axis)
        score = ((priority.result or {}).get("scores", {}) if priority else {}).get(entry.id, 0.0)
        items.append(
            ReportItem(
                item_id=entry.id,
                axis=entry.axis,
                competence=proposal.competence,  # type: ignore[arg-type]
                title=proposal.title,
                text=proposal.text,
                rank=entry.rank,
                support=proposal.support,
                score=float(score),
                origins=[
                    OriginRef(proposal_id=entry.id, assembly_id=key, territory=assembly.territory)
                ],
                decision=proposal.status if proposal.status in approved_statuses else "recorded",
                yes=int(counts.get("yes", 0)),
                no=int(counts.get("no", 0)),
                abstain=int(counts.get("abstain", 0)),
            )
        )

    participants = max(assembly.participants, await credentialed_count(session, assembly))
    pairwise = [
        AxisPairwise(
            axis=axis,
            candidates=list((poll.result or {}).get("pairwise_candidates", [])),
            matrix=list((poll.result or {}).get("pairwise", [])),
            participants=poll.ballots_total,
        )
        for axis, poll in sorted(priorities.items())
    ]
    manifests = polls.tally_manifests(closed)
    by_poll = {p.id: (p.result or {}) for p in closed}
    motion_results = [
        MotionResult(
            motion_id=str(m.id),
            kind=m.kind,
            text=m.text,
            title=m.title,
            signatures=m.signatures,
            yes=_count(by_poll, m.poll_id, "yes"),
            no=_count(by_poll, m.poll_id, "no"),
            abstain=_count(by_poll, m.poll_id, "abstain"),
            approved=m.status == "approved",
        )
        for m in await motions.list_motions(session, key)
        if m.status in ("approved", "rejected")
    ]
    notes: list[str] = []
    mandates: list[Mandate] = []
    if late and not rules.late.elects_delegates:
        notes.append("closed after its deadline: the late policy elects no delegates")
    else:
        mandates = [
            Mandate(
                mandate_id=str(m.id),
                public_name=m.public_name,
                segment=m.segment,
                role=m.role,  # type: ignore[arg-type]
                rank=m.rank,
                gender=m.gender,
                quota_groups=list(m.quota_groups),
            )
            for m in await elections.mandates(session, key)
        ]
        election = next((p for p in closed if p.kind == "election"), None)
        if election is not None:
            notes.extend((election.result or {}).get("notes", []))

    report = AssemblyReport(
        report_id=str(uuid.uuid4()),
        cycle_id=assembly.cycle_id,
        tier="local",
        assembly_id=key,
        assembly_kind=assembly.kind,
        territory=assembly.territory,
        uf=assembly.uf,
        title=assembly.title,
        closed_at=now,
        late=late,
        participants=participants,
        population=assembly.population,
        items=items,
        motions=motion_results,
        mandates=mandates,
        manifests=manifests,
        pairwise=pairwise,
        delegation_notes=notes,
        signing_key_id=assembly.key_id or "",
    )
    assembly.status = "closed"
    assembly.closed_at = now
    assembly.report_id = report.report_id
    await outbox.stage(
        session, report, up_subject("local", "report", assembly.uf), signer=_signer(assembly)
    )
    return report


def _signer(assembly: Assembly) -> Signer | None:
    """The assembly's own key (assemblies created before keys existed use the instance key)."""
    if assembly.signing_seed and assembly.key_id:
        return Signer(assembly.key_id, assembly.signing_seed)
    return None


def _rank(approved: list[Proposal], priorities: dict[str, Poll]) -> list[tuple[Proposal, int]]:
    """Rank within each axis: priority poll order first (ties share the better rank), then the
    rest by supports and submission order."""
    by_axis: dict[str, list[Proposal]] = defaultdict(list)
    for proposal in approved:
        by_axis[proposal.axis].append(proposal)
    ranked: list[tuple[Proposal, int]] = []
    for axis, members in by_axis.items():
        poll = priorities.get(axis)
        position: dict[str, int] = {}
        if poll is not None:
            rank = 1
            for group in (poll.result or {}).get("ranking", []):
                for pid in group:
                    position[pid] = rank
                rank += len(group)
        in_poll = sorted(
            (p for p in members if str(p.id) in position),
            key=lambda p: (position[str(p.id)], str(p.id)),
        )
        rest = sorted(
            (p for p in members if str(p.id) not in position), key=lambda p: (-p.support, str(p.id))
        )
        next_rank = len(in_poll) + 1
        for proposal in in_poll:
            ranked.append((proposal, position[str(proposal.id)]))
        for offset, proposal in enumerate(rest):
            ranked.append((proposal, next_rank + offset))
    return ranked


def _count(results: dict[uuid.UUID, dict[str, Any]], poll_id: uuid.UUID | None, choice: str) -> int:
    return int(results.get(poll_id, {}).get(choice, 0)) if poll_id is not None else 0
