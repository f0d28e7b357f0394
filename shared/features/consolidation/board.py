"""The ingest board: which assemblies (or states) a tier expects, which reported, late, missing,
and what was refused on the way in.

Expectations come from what the tier knows without asking anyone: at the regional tier, the keys
its local instances introduced (one per assembly, with its territory) and the seats it allocated;
at the national tier, the 27 federative units.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.core.territory import federative_units, uf_of
from shared.features.consolidation.model import ReceivedReport, SeatAllocationRecord
from shared.platform.bus.models import DeadLetter, TrustedKey
from shared.platform.settings import Tier


async def expected_units(
    session: AsyncSession, *, tier: Tier, cycle_id: str, uf: str
) -> dict[str, str]:
    """``{unit id: territory}`` of what should report to this tier for (cycle, uf)."""
    if tier == "national":
        return {unit.uf: unit.uf for unit in federative_units()}
    expected: dict[str, str] = {}
    keys = await session.execute(
        select(TrustedKey.assembly_id, TrustedKey.territory).where(
            TrustedKey.assembly_id != "", TrustedKey.revoked_at.is_(None)
        )
    )
    for assembly_id, territory in keys:
        if uf_of(territory) == uf:
            expected[assembly_id] = territory
    allocated = await session.execute(
        select(SeatAllocationRecord.assembly_id, SeatAllocationRecord.territory).where(
            SeatAllocationRecord.direction == "sent",
            SeatAllocationRecord.cycle_id == cycle_id,
            SeatAllocationRecord.uf == uf,
            SeatAllocationRecord.assembly_id != "",
        )
    )
    for assembly_id, territory in allocated:
        expected[assembly_id] = territory
    return expected


async def ingest_board(
    session: AsyncSession, *, tier: Tier, cycle_id: str, uf: str
) -> dict[str, Any]:
    """Reported, late, missing and unexpected units, plus dead letters for this territory."""
    expected = await expected_units(session, tier=tier, cycle_id=cycle_id, uf=uf)
    query = select(ReceivedReport).where(ReceivedReport.cycle_id == cycle_id)
    if tier != "national":
        query = query.where(ReceivedReport.uf == uf)
    reports = (await session.scalars(query.order_by(ReceivedReport.received_at))).all()

    def key(report: ReceivedReport) -> str:
        return report.uf if tier == "national" else report.assembly_id

    reported = [
        {
            "unit": key(r),
            "assembly_id": r.assembly_id,
            "territory": r.territory,
            "report_id": r.report_id,
            "late": r.late,
            "participants": r.participants,
            "items": len(r.body.get("items", [])),
            "mandates": len(r.body.get("mandates", [])),
            "received_at": r.received_at.isoformat(),
        }
        for r in reports
    ]
    seen = {row["unit"] for row in reported}
    subject_suffix = "%." + ("%" if tier == "national" else uf)
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
    return {
        "cycle_id": cycle_id,
        "territory": "BR" if tier == "national" else uf,
        "expected": len(expected),
        "reported": reported,
        "late": [row for row in reported if row["late"]],
        "missing": [
            {"unit": unit, "territory": territory}
            for unit, territory in sorted(expected.items())
            if unit not in seen
        ],
        "unexpected": sorted(seen - set(expected)),
        "dead_letters": {
            "by_reason": {reason: count for reason, count in letters},
            "recent": [
                {
                    "id": str(d.id),
                    "reason": d.reason,
                    "detail": d.detail,
                    "subject": d.subject,
                    "received_at": d.created_at.isoformat(),
                }
                for d in recent
            ],
        },
    }
