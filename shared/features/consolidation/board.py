"""The ingest board: which assemblies (or states) a tier expects, which reported, late, missing,
and what was refused on the way in.

Expectations come from what the tier knows without asking anyone: at the regional tier, the keys
its local instances introduced (one per assembly, with its territory) and the seats it allocated;
at the national tier, the 27 federative units.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.consolidation import (
    Board,
    BoardDeadLetters,
    BoardRow,
    DeadLetterBrief,
    MissingUnit,
)
from shared.core.territory import federative_units, uf_of
from shared.core.vocabulary import NATION
from shared.features.allocation import service as allocations
from shared.features.allocation.service import Unit
from shared.features.consolidation.model import ReceivedReport
from shared.features.consolidation.profile import Conference
from shared.features.consolidation.ranking import report_scope
from shared.platform.bus.models import DeadLetter, TrustedKey


async def the_states(session: AsyncSession, cycle_id: str, uf: str) -> dict[str, str]:
    """The national conference expects a report from each of the 27 federative units."""
    return {unit.uf: unit.uf for unit in federative_units()}


async def assemblies_of_state(session: AsyncSession, cycle_id: str, uf: str) -> dict[str, str]:
    """A state conference expects a report from each assembly its local instances introduced
    (one key per assembly, with its territory) and each it allocated seats to."""
    expected: dict[str, str] = {}
    keys = await session.execute(
        select(TrustedKey.assembly_id, TrustedKey.territory).where(
            TrustedKey.assembly_id != "", TrustedKey.revoked_at.is_(None)
        )
    )
    for assembly_id, territory in keys:
        if uf_of(territory) == uf:
            expected[assembly_id] = territory
    expected.update(await allocations.sent_to_assemblies(session, cycle_id=cycle_id, uf=uf))
    return expected


def state_units() -> list[Unit]:
    """The 27 UFs with their 2022 census population (the national tier's units)."""
    return [Unit(territory=u.uf, population=u.population_2022) for u in federative_units()]


async def assembly_units(session: AsyncSession, *, cycle_id: str, uf: str) -> list[Unit]:
    """A state's known assemblies with the latest population and participants they reported
    (else the figure they were last allocated on)."""
    expected = await assemblies_of_state(session, cycle_id, uf)
    figures = {
        assembly: (population, participants, kind)
        for assembly, population, participants, kind in await session.execute(
            select(
                ReceivedReport.assembly_id,
                func.max(ReceivedReport.population),
                func.max(ReceivedReport.participants),
                func.max(ReceivedReport.assembly_kind),
            )
            .where(ReceivedReport.cycle_id == cycle_id, ReceivedReport.uf == uf)
            .group_by(ReceivedReport.assembly_id)
        )
    }
    recorded = await allocations.recorded_basis(session, cycle_id=cycle_id, uf=uf)
    units = []
    for assembly, territory in sorted(expected.items()):
        population, participants, kind = figures.get(assembly, (0, 0, ""))
        fallback = recorded.get(assembly, 0)
        units.append(
            Unit(
                territory=territory,
                assembly_id=assembly,
                population=population or fallback,
                participants=participants or fallback,
                kind=kind,
            )
        )
    return units


async def ingest_board(session: AsyncSession, conference: Conference) -> Board:
    """Reported, late, missing and unexpected units, plus dead letters for this territory."""
    cycle_id, uf = conference.cycle_id, conference.uf
    expected = await conference.profile.expected(session, cycle_id, uf)
    reports = (
        await session.scalars(
            select(ReceivedReport)
            .where(ReceivedReport.cycle_id == cycle_id, report_scope(uf))
            .order_by(ReceivedReport.received_at)
        )
    ).all()

    def key(report: ReceivedReport) -> str:
        return conference.profile.unit_of(report.assembly_id, report.uf, report.tier)

    # Every audit head this tier received from each assembly, in the order they came.
    heads: dict[str, list[str]] = {}
    for r in reports:
        head = (r.body.get("audit") or {}).get("head")
        if head:
            heads.setdefault(r.assembly_id, []).append(str(head))

    reported = [
        BoardRow(
            unit=key(r),
            assembly_id=r.assembly_id,
            territory=r.territory,
            report_id=r.report_id,
            late=r.late,
            late_reason=r.late_reason,
            participants=r.participants,
            items=len(r.body.get("items", [])),
            mandates=len(r.body.get("mandates", [])),
            received_at=r.received_at,
            audit_head=str((r.body.get("audit") or {}).get("head", "")),
            flags=flags_of(r.body, heads.get(r.assembly_id, [])),
        )
        for r in reports
    ]
    seen = {row.unit for row in reported}
    subject_suffix = "%." + ("%" if uf == NATION else uf)
    letters = (
        await session.execute(
            select(DeadLetter.reason, func.count())
            .where(DeadLetter.subject.like(subject_suffix))
            .group_by(DeadLetter.reason)
        )
    ).all()
    recent = (
        await session.scalars(
            select(DeadLetter)
            .where(DeadLetter.subject.like(subject_suffix))
            .order_by(DeadLetter.created_at.desc())
            .limit(50)
        )
    ).all()
    return Board(
        cycle_id=cycle_id,
        territory=uf,
        expected=len(expected),
        reported=reported,
        late=[row for row in reported if row.late],
        missing=[
            MissingUnit(unit=unit, territory=territory)
            for unit, territory in sorted(expected.items())
            if unit not in seen
        ],
        unexpected=sorted(seen - set(expected)),
        flagged=[row for row in reported if row.flags],
        dead_letters=BoardDeadLetters(
            by_reason={reason: count for reason, count in letters},
            recent=[
                DeadLetterBrief(
                    id=str(d.id),
                    reason=d.reason,
                    detail=d.detail,
                    subject=d.subject,
                    received_at=d.created_at,
                )
                for d in recent
            ],
        ),
    )


def flags_of(body: dict[str, Any], heads: Sequence[str]) -> list[str]:
    """What a report's audit summary, and the heads received before from the same unit, show."""
    summary = body.get("audit") or {}
    flags = []
    if summary.get("late_credentials"):
        flags.append(f"{summary['late_credentials']} credentials given while a poll was open")
    if summary.get("counts_at_limit"):
        flags.append(f"{summary['counts_at_limit']} counted polls at their roll's limit")
    if summary.get("ties"):
        flags.append(f"{summary['ties']} election ties broken")
    seqs = [(int(h.split(":", 1)[0]), h) for h in heads if ":" in h]
    for (seq_a, a), (seq_b, b) in pairwise(seqs):
        if seq_b < seq_a or (seq_b == seq_a and a != b):
            flags.append("the audit chain does not extend the head received before")
            break
    return flags


async def national_units(session: AsyncSession, cycle_id: str, uf: str) -> list[Unit]:
    """What the national tier shares its seats among: the states."""
    return state_units()


async def state_assembly_units(session: AsyncSession, cycle_id: str, uf: str) -> list[Unit]:
    """What a state conference shares its seats among: its assemblies."""
    return await assembly_units(session, cycle_id=cycle_id, uf=uf)
