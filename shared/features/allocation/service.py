"""Seat allocation flowing down: the nation shares its delegate seats among the 27 states, each
state shares its seats among its assemblies, and each unit's seats are split by segment.

The arithmetic is ``shared.core.decide`` (exact apportionment, segment split with parity); this module
only gathers the units, records what was allocated and stages one ``SeatAllocation`` per unit in
the same transaction. A new allocation supersedes the previous one for the same unit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.messages import SeatAllocation
from shared.contracts.subjects import down_subject
from shared.core.consolidation import ConsolidationRules
from shared.core.decide.apportionment import apportion
from shared.core.decide.delegation import split_by_segment
from shared.core.decide.errors import DecisionError
from shared.core.errors import Invalid
from shared.core.territory import federative_units, uf_of
from shared.features.consolidation.board import expected_units
from shared.features.consolidation.model import ReceivedReport, SeatAllocationRecord
from shared.platform.bus.outbox import Outbox

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit seats are shared among: a state, or an assembly of a state."""

    territory: str
    assembly_id: str = ""
    population: int = 0
    participants: int = 0


async def allocate(
    session: AsyncSession,
    outbox: Outbox,
    *,
    cycle_id: str,
    uf: str,
    seats: int,
    units: list[Unit],
    rules: ConsolidationRules,
    alternates_per_segment: int = 0,
) -> list[dict[str, Any]]:
    """Apportion ``seats`` among ``units`` by the rules, record and send one allocation each."""
    if not units:
        raise Invalid("no units to allocate seats to")
    basis = rules.apportionment.basis
    values = [u.population if basis == "population" else u.participants for u in units]
    unknown = [u.assembly_id or u.territory for u, v in zip(units, values, strict=True) if v <= 0]
    if unknown:
        raise Invalid(f"no {basis} known for some units", units=unknown[:50])
    try:
        shares = apportion(
            values,
            seats,
            rules.apportionment.method,
            minimum=rules.apportionment.minimum,
            maximum=rules.apportionment.maximum,
        )
        per_unit = [
            split_by_segment(n, rules.segment_shares(), parity_segment=rules.parity_segment)
            for n in shares
        ]
    except DecisionError as exc:
        raise Invalid(str(exc)) from exc
    states = [u.territory for u in units if not u.assembly_id]
    assemblies = [u.assembly_id for u in units if u.assembly_id]
    await session.execute(
        update(SeatAllocationRecord)
        .where(
            SeatAllocationRecord.direction == "sent",
            SeatAllocationRecord.cycle_id == cycle_id,
            or_(
                and_(
                    SeatAllocationRecord.assembly_id == "",
                    SeatAllocationRecord.territory.in_(states),
                ),
                SeatAllocationRecord.assembly_id.in_(assemblies),
            ),
        )
        .values(superseded=True)
    )
    records, messages = [], []
    for u, value, n, split in zip(units, values, shares, per_unit, strict=True):
        body = SeatAllocation(
            allocation_id=str(uuid.uuid4()),
            cycle_id=cycle_id,
            territory=u.territory,
            seats=n,
            per_segment=split,
            method=rules.apportionment.method,
            assembly_id=u.assembly_id,
            basis=basis,
            basis_value=value,
            uf=uf_of(u.territory) or uf,
            alternates_per_segment=alternates_per_segment,
        )
        records.append(_record(body, "sent"))
        messages.append(outbox.prepare(body, down_subject("allocation", u.territory)))
    session.add_all(SeatAllocationRecord(**r) for r in records)
    await session.flush()
    await outbox.stage_many(session, messages)
    log.info("seats.allocated", cycle=cycle_id, uf=uf, units=len(units), seats=seats)
    return [{k: v for k, v in r.items() if k != "direction"} for r in records]


def _record(body: SeatAllocation, direction: str) -> dict[str, Any]:
    return {
        "allocation_id": body.allocation_id,
        "direction": direction,
        "cycle_id": body.cycle_id,
        "territory": body.territory,
        "uf": body.uf or uf_of(body.territory) or "",
        "assembly_id": body.assembly_id,
        "seats": body.seats,
        "per_segment": dict(body.per_segment),
        "method": body.method,
        "basis": body.basis,
        "basis_value": body.basis_value,
    }


def state_units() -> list[Unit]:
    """The 27 UFs with their 2022 census population (the national tier's units)."""
    return [Unit(territory=u.uf, population=u.population_2022) for u in federative_units()]


async def assembly_units(session: AsyncSession, *, cycle_id: str, uf: str) -> list[Unit]:
    """A state's known assemblies with the latest population and participants they reported."""
    expected = await expected_units(session, tier="regional", cycle_id=cycle_id, uf=uf)
    figures = {
        assembly: (population, participants)
        for assembly, population, participants in await session.execute(
            select(
                ReceivedReport.assembly_id,
                func.max(ReceivedReport.population),
                func.max(ReceivedReport.participants),
            )
            .where(ReceivedReport.cycle_id == cycle_id, ReceivedReport.uf == uf)
            .group_by(ReceivedReport.assembly_id)
        )
    }
    recorded = {
        assembly: value
        for assembly, value in await session.execute(
            select(SeatAllocationRecord.assembly_id, SeatAllocationRecord.basis_value).where(
                SeatAllocationRecord.cycle_id == cycle_id,
                SeatAllocationRecord.uf == uf,
                SeatAllocationRecord.assembly_id != "",
                SeatAllocationRecord.superseded.is_(False),
            )
        )
    }
    units = []
    for assembly, territory in sorted(expected.items()):
        population, participants = figures.get(assembly, (0, 0))
        fallback = recorded.get(assembly, 0)
        units.append(
            Unit(
                territory=territory,
                assembly_id=assembly,
                population=population or fallback,
                participants=participants or fallback,
            )
        )
    return units


async def received_seats(session: AsyncSession, *, cycle_id: str, uf: str) -> int | None:
    """Seats the tier above allocated to this state, if its allocation has arrived."""
    seats: int | None = await session.scalar(
        select(SeatAllocationRecord.seats)
        .where(
            SeatAllocationRecord.direction == "received",
            SeatAllocationRecord.cycle_id == cycle_id,
            SeatAllocationRecord.territory == uf,
            SeatAllocationRecord.superseded.is_(False),
        )
        .order_by(SeatAllocationRecord.created_at.desc())
        .limit(1)
    )
    return seats


async def record_received(session: AsyncSession, body: SeatAllocation) -> bool:
    """Keep a state's allocation from the national tier; other allocations on the down stream
    (this tier's own, meant for local assemblies) are not for this tier and are skipped."""
    if body.assembly_id or uf_of(body.territory) != body.territory:
        return False
    await session.execute(
        update(SeatAllocationRecord)
        .where(
            SeatAllocationRecord.direction == "received",
            SeatAllocationRecord.cycle_id == body.cycle_id,
            SeatAllocationRecord.territory == body.territory,
        )
        .values(superseded=True)
    )
    session.add(SeatAllocationRecord(**_record(body, "received")))
    await session.flush()
    return True


async def list_allocations(
    session: AsyncSession, *, cycle_id: str, uf: str | None, direction: str | None
) -> list[dict[str, Any]]:
    query = select(SeatAllocationRecord).where(
        SeatAllocationRecord.cycle_id == cycle_id, SeatAllocationRecord.superseded.is_(False)
    )
    if uf:
        query = query.where(SeatAllocationRecord.uf == uf)
    if direction:
        query = query.where(SeatAllocationRecord.direction == direction)
    rows = (await session.scalars(query.order_by(SeatAllocationRecord.territory))).all()
    return [
        {
            "allocation_id": r.allocation_id,
            "direction": r.direction,
            "territory": r.territory,
            "uf": r.uf,
            "assembly_id": r.assembly_id,
            "seats": r.seats,
            "per_segment": r.per_segment,
            "method": r.method,
            "basis": r.basis,
            "basis_value": r.basis_value,
        }
        for r in rows
    ]
