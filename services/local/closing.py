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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.local import cards, equity, evaluation, lottery
from services.local.assemblies import credentialed_count, get_assembly, introduce_key
from services.local.model import Assembly, Participant, Proposal
from shared.contracts.http.plenary import DelegateClaim
from shared.contracts.messages import (
    AssemblyReport,
    AuditSummary,
    AxisPairwise,
    Mandate,
    MotionResult,
    OriginRef,
)
from shared.core.errors import Conflict
from shared.core.polls import PollResult
from shared.features.cycles.store import rules_for
from shared.features.plenary import audit, motions, polls
from shared.features.plenary.claims import elected_mandates, with_claims
from shared.features.plenary.model import Poll
from shared.features.reporting.compose import Candidate, Closing, close_and_report
from shared.platform.bus.outbox import Outbox
from shared.platform.bus.signing import Signer


@dataclass(frozen=True, slots=True)
class Closed:
    report: AssemblyReport
    #: The elected delegates' one-time claim codes (only their digests went up).
    claims: list[DelegateClaim]


async def close_assembly(session: AsyncSession, outbox: Outbox, assembly_id: uuid.UUID) -> Closed:
    """Build the report, stage it signed by the assembly's key, and close the assembly; each
    elected delegate gets a one-time claim code to redeem at the plenary above."""
    assembly = await get_assembly(session, assembly_id, lock=True)
    if assembly.status == "closed":
        raise Conflict("the assembly is already closed", report_id=assembly.report_id)
    key = str(assembly.id)
    all_polls = (await session.scalars(select(Poll).where(Poll.assembly_id == key))).all()
    still_open = [str(p.id) for p in all_polls if p.status in polls.UNFINISHED]
    if still_open:
        raise Conflict(
            "close (and have confirmed) every poll before closing the assembly",
            open_polls=still_open,
        )
    rules = await rules_for(session, assembly.cycle_id)
    drawn = await lottery.for_report(session, assembly)
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
    candidates = [_candidate(assembly, p, decisions.get(str(p.id)), priorities) for p in approved]

    participants = max(assembly.participants, await credentialed_count(session, assembly))
    by_poll = {p.id: r for p in closed if (r := polls.result_of(p)) is not None}
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
    claims: list[DelegateClaim] = []
    if late and not rules.late.elects_delegates:
        notes.append("closed after its deadline: the late policy elects no delegates")
    else:
        mandates, claims = with_claims(await elected_mandates(session, key))
        election = next((p for p in closed if p.kind == "election"), None)
        if election is not None:
            election_result = polls.result_of(election)
            notes.extend(election_result.notes if election_result else [])
    closing = Closing(
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
        covers=list(assembly.covers or []),
        mandates=mandates,
        manifests=polls.tally_manifests(closed),
        motions=motion_results,
        delegation_notes=notes,
        signing_key_id=assembly.key_id or "",
        audit=await _audit_summary(session, assembly, all_polls, notes),
        lottery=drawn if mandates else None,
        equity=await equity.tables(session, assembly, mandates),
        evaluation=await evaluation.summary(session, assembly.id),
    )

    async def pairwise(kept: Sequence[Candidate]) -> list[AxisPairwise]:
        return [
            AxisPairwise(
                axis=axis,
                candidates=result.pairwise_candidates,
                matrix=result.pairwise,
                participants=poll.ballots_total,
            )
            for axis, poll in sorted(priorities.items())
            if (result := polls.result_of(poll)) is not None
        ]

    signer = _signer(outbox, assembly)
    if signer is not None and signer.public_key != assembly.public_key:
        # Created while keys were stored, or the instance key was rotated since: the key
        # derived now replaces the one introduced, before the report it signs (the receiver
        # applies key messages before what follows them).
        await introduce_key(session, outbox, assembly)
    report = await close_and_report(
        session,
        outbox,
        rules,
        closing,
        candidates,
        priority=polls.priority_positions(closed),
        pairwise=pairwise,
        signer=signer,
    )
    by_id = {str(p.id): p for p in approved}
    for item in report.items:
        by_id[item.item_id].rank = item.rank
        by_id[item.item_id].forwarded = True
    assembly.status = "closed"
    assembly.closed_at = now
    assembly.report_id = report.report_id
    return Closed(report, claims)


async def _audit_summary(
    session: AsyncSession, assembly: Assembly, all_polls: Sequence[Poll], notes: Sequence[str]
) -> AuditSummary:
    """The desk's audit head, and what the board above flags: credentials given while a
    poll was open, counts that used up a poll's whole roll, ties an election broke."""
    key = str(assembly.id)
    head = await audit.head(session, key)
    credentialed = (
        await session.execute(
            select(Participant.id, Participant.credentialed_at).where(
                Participant.assembly_id == assembly.id, Participant.credentialed_at.is_not(None)
            )
        )
    ).all()
    now = datetime.now(UTC)
    windows = [(p.created_at, p.updated_at if p.status == "closed" else now) for p in all_polls]
    # Checked in, or handed a (new) voting card, while a poll was open.
    late = len(
        {pid for pid, at in credentialed if any(a < at < b for a, b in windows)}
        | await cards.bindings_between(session, assembly, windows)
    )
    at_limit = sum(
        1
        for p in all_polls
        if p.status == "closed"
        and p.mode in ("counts", "file")
        and p.electorate
        and p.ballots_total >= p.electorate
    )
    return AuditSummary(
        head=str(head),
        events=head.seq,
        late_credentials=late,
        counts_at_limit=at_limit,
        ties=sum(1 for n in notes if n.startswith("tie:")),
    )


def _candidate(
    assembly: Assembly, proposal: Proposal, decision: Poll | None, priorities: dict[str, Poll]
) -> Candidate:
    """An approved proposal as a report candidate: after the priority poll, more supports
    first, then submission order."""
    counts = polls.result_of(decision) if decision else None
    priority = priorities.get(proposal.axis)
    ranked = polls.result_of(priority) if priority else None
    scores = ranked.scores if ranked else {}
    pid = str(proposal.id)
    return Candidate(
        id=pid,
        axis=proposal.axis,
        competence=proposal.competence,  # type: ignore[arg-type]
        title=proposal.title,
        text=proposal.text,
        order=(-proposal.support,),
        support=proposal.support,
        score=float(scores.get(pid, 0.0)),
        origins=[
            OriginRef(proposal_id=pid, assembly_id=str(assembly.id), territory=assembly.territory)
        ],
        decision=proposal.status
        if proposal.status in ("approved", "approved_in_part")
        else "recorded",
        yes=counts.yes if counts else 0,
        no=counts.no if counts else 0,
        abstain=counts.abstain if counts else 0,
    )


def _signer(outbox: Outbox, assembly: Assembly) -> Signer | None:
    """The assembly's own key, derived again from the instance's (assemblies created before
    keys existed use the instance key, which the receiver refuses for a local report)."""
    if assembly.key_id:
        return outbox.default_signer.derive(assembly.key_id)
    return None


def _count(results: dict[uuid.UUID, PollResult], poll_id: uuid.UUID | None, choice: str) -> int:
    result = results.get(poll_id) if poll_id is not None else None
    return int(getattr(result, choice)) if result is not None else 0
