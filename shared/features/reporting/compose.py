"""The one close-and-report builder of every tier (docs/spec.md §5 "Close", §6).

A closing conference — a local assembly, a state or the national conference — hands over its
*candidates* (approved proposals, or active consolidated items) and what else it reports; this
module ranks them within their axes, forwards them by the cycle's one rule
(:mod:`shared.core.forwarding`), and builds the :class:`AssemblyReport` that is staged, signed,
in the same transaction as the closing itself. What differs between tiers is only where the
candidates come from.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.messages import (
    AssemblyReport,
    AuditSummary,
    AxisPairwise,
    EquityTable,
    EvaluationSummary,
    LotteryRecord,
    Mandate,
    MotionResult,
    OriginRef,
    ReportItem,
    SourceRef,
    TallyManifest,
)
from shared.contracts.subjects import direct_subject, up_subject
from shared.core.cycle import CycleRules
from shared.core.forwarding import forward, rank_within_axes
from shared.core.vocabulary import Competence, Tier
from shared.platform.bus.outbox import Outbox
from shared.platform.bus.signing import Signer


@dataclass(frozen=True, slots=True)
class Candidate:
    """An item a closing conference may forward: what it says, where it came from, and the
    tier's own order for it (``order``, used after the plenary's priority poll)."""

    id: str
    axis: str
    competence: Competence
    title: str
    text: str
    order: tuple[object, ...] = ()
    support: int = 0
    score: float = 0.0
    sources: Sequence[SourceRef] = ()
    origins: Sequence[OriginRef] = ()
    decision: str = ""
    yes: int = 0
    no: int = 0
    abstain: int = 0
    rank: int = 0
    #: The candidate's diretriz (another candidate's id), if it is nested under one.
    parent: str = ""


@dataclass(frozen=True, slots=True)
class Closing:
    """Everything a closing conference reports besides its items."""

    cycle_id: str
    tier: Tier
    assembly_id: str
    assembly_kind: str
    territory: str
    uf: str
    title: str
    closed_at: datetime
    late: bool = False
    participants: int = 0
    population: int = 0
    covers: Sequence[str] = ()
    mandates: Sequence[Mandate] = ()
    manifests: Sequence[TallyManifest] = ()
    motions: Sequence[MotionResult] = ()
    delegation_notes: Sequence[str] = ()
    signing_key_id: str = ""
    audit: AuditSummary | None = None
    lottery: LotteryRecord | None = None
    equity: Sequence[EquityTable] = ()
    evaluation: EvaluationSummary | None = None
    report_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    addendum_of: str = ""


def select(
    rules: CycleRules,
    closing: Closing,
    candidates: Sequence[Candidate],
    priority: Mapping[str, Mapping[str, int]],
) -> list[Candidate]:
    """Rank the candidates within their axes (``priority``: the plenary's closed priority
    polls, ``{axis: {item id: tie group}}``), then route and cap them: what goes up."""
    ranked = [
        replace(c, rank=rank)
        for c, rank in rank_within_axes(candidates, priority, lambda c: (*c.order, c.id))
    ]
    return forward(
        ranked, rules, tier=closing.tier, assembly_kind=closing.assembly_kind, late=closing.late
    )


def build_report(
    closing: Closing, kept: Sequence[Candidate], pairwise: Sequence[AxisPairwise] = ()
) -> AssemblyReport:
    """The report of a closing conference, its items as :func:`select` kept them (a proposal
    keeps its diretriz only when the diretriz goes up too)."""
    forwarded = {c.id for c in kept}
    return AssemblyReport(
        report_id=closing.report_id,
        cycle_id=closing.cycle_id,
        tier=closing.tier,
        assembly_id=closing.assembly_id,
        assembly_kind=closing.assembly_kind,
        territory=closing.territory,
        uf=closing.uf,
        title=closing.title,
        closed_at=closing.closed_at,
        late=closing.late,
        addendum_of=closing.addendum_of,
        participants=closing.participants,
        population=closing.population,
        covers=list(closing.covers),
        items=[
            ReportItem(
                item_id=c.id,
                axis=c.axis,
                competence=c.competence,
                title=c.title,
                text=c.text,
                rank=c.rank,
                support=c.support,
                score=c.score,
                sources=list(c.sources),
                origins=list(c.origins),
                decision=c.decision,
                yes=c.yes,
                no=c.no,
                abstain=c.abstain,
                parent_item_id=c.parent if c.parent in forwarded else "",
            )
            for c in kept
        ],
        motions=list(closing.motions),
        mandates=list(closing.mandates),
        manifests=list(closing.manifests),
        pairwise=list(pairwise),
        delegation_notes=list(closing.delegation_notes),
        signing_key_id=closing.signing_key_id,
        audit=closing.audit,
        lottery=closing.lottery,
        equity=list(closing.equity),
        evaluation=closing.evaluation,
    )


PairwiseOf = Callable[[Sequence[Candidate]], Awaitable[Sequence[AxisPairwise]]]


async def close_and_report(
    session: AsyncSession,
    outbox: Outbox,
    rules: CycleRules,
    closing: Closing,
    candidates: Sequence[Candidate],
    *,
    priority: Mapping[str, Mapping[str, int]],
    pairwise: PairwiseOf | None = None,
    signer: Signer | None = None,
) -> AssemblyReport:
    """Select what goes up, build the report (with the pairwise counts of what was kept) and
    stage it, signed, in the caller's transaction."""
    kept = select(rules, closing, candidates, priority)
    counts = await pairwise(kept) if pairwise is not None else ()
    report = build_report(closing, kept, counts)
    await outbox.stage(session, report, report_subject(rules, closing), signer=signer)
    return report


def report_subject(rules: CycleRules, closing: Closing) -> str:
    """Where a closing conference's report travels: up to the tier above, or, for a local
    assembly whose kind the cycle routes to the national stage, straight to the national tier."""
    if closing.tier == "local" and rules.reports_to(closing.assembly_kind) == "national":
        return direct_subject("report", closing.uf)
    return up_subject(closing.tier, "report", closing.uf)
