"""Seat allocation, sent and received, on one table at every tier.

Down the pyramid: the nation shares its delegate seats among the 27 states, each state shares
its seats among its assemblies, and each unit's seats are split by segment. The arithmetic is
``shared.core.decide`` (exact apportionment, segment split with parity) under the cycle's
``[seats.<stage>]`` rule (``shared.core.seats.stage_table``, the table ``plenaria cycle seats``
prints); this module records what was allocated and stages one
``SeatAllocation`` per unit in the same transaction. Up the other way, a tier keeps the
allocations meant for it, and a local secretary may enter one when none arrived. A newer
allocation for a unit supersedes the older one.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import structlog
from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.envelope import MessageError
from shared.contracts.http.allocation import AllocationView
from shared.contracts.messages import SeatAllocation
from shared.contracts.subjects import down_subject
from shared.core.access import Principal
from shared.core.cycle import CycleRules
from shared.core.errors import Invalid
from shared.core.seats import SeatUnit, stage_table
from shared.core.territory import uf_of
from shared.core.vocabulary import NATION
from shared.features.allocation.model import AllocationRecord
from shared.features.cycles.store import rules_for
from shared.platform.bus.inbox import Delivery, Handler
from shared.platform.bus.outbox import Outbox
from shared.platform.db.database import Database

log = structlog.get_logger(__name__)
#: The stage whose seats are shared: a state conference's (among its assemblies) or the
#: national conference's (among the states).
Stage = Literal["state", "national"]


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit seats are shared among: a state, or an assembly of a state."""

    territory: str
    assembly_id: str = ""
    population: int = 0
    participants: int = 0
    #: Municipalities the unit covers (0: the territory's own count).
    municipalities: int = 0
    #: The assembly's kind: one with a participant formula in the cycle is seated by it.
    kind: str = ""


def _seat_unit(u: Unit) -> SeatUnit:
    return SeatUnit(
        unit=u.assembly_id or u.territory,
        territory=u.territory,
        population=u.population,
        participants=u.participants,
        municipalities=u.municipalities,
        kind=u.kind,
    )


async def allocate(
    session: AsyncSession,
    outbox: Outbox,
    *,
    rules: CycleRules,
    stage: Stage,
    uf: str,
    seats: int | None,
    units: Sequence[Unit],
    alternates_per_segment: int = 0,
) -> list[AllocationRecord]:
    """Apportion ``seats`` (default: the rule's ``total``) among ``units`` by the cycle's rule
    for ``stage`` (``shared.core.seats``); record and send one allocation each, superseding what
    was sent to those units before."""
    table = stage_table(rules, stage, [_seat_unit(u) for u in units], seats)
    rule = rules.stage_seats(stage)
    await _supersede(session, "sent", rules.cycle_id, units)
    records, messages = [], []
    for u, row in zip(units, table.units, strict=True):
        body = SeatAllocation(
            allocation_id=str(uuid.uuid4()),
            cycle_id=rules.cycle_id,
            territory=u.territory,
            seats=row.seats,
            per_segment=row.per_segment,
            method=rule.method,
            assembly_id=u.assembly_id,
            basis=rule.basis,
            basis_value=row.value,
            per_sphere=row.per_sphere,
            uf=uf_of(u.territory) or uf,
            alternates_per_segment=alternates_per_segment,
        )
        records.append(AllocationRecord(**_row(body, "sent", "apportioned")))
        messages.append(outbox.prepare(body, down_subject("allocation", u.territory)))
    session.add_all(records)
    await session.flush()
    await outbox.stage_many(session, messages)
    log.info(
        "seats.allocated",
        cycle=rules.cycle_id,
        stage=stage,
        uf=uf,
        units=len(units),
        seats=table.apportioned,
    )
    return records


def _row(body: SeatAllocation, direction: str, source: str) -> dict[str, Any]:
    return {
        "allocation_id": body.allocation_id,
        "direction": direction,
        "source": source,
        "cycle_id": body.cycle_id,
        "territory": body.territory,
        "uf": body.uf or uf_of(body.territory) or "",
        "assembly_id": body.assembly_id,
        "seats": body.seats,
        "per_segment": dict(body.per_segment),
        "method": body.method,
        "basis": body.basis,
        "basis_value": body.basis_value,
        "alternates_per_segment": body.alternates_per_segment,
    }


async def _supersede(
    session: AsyncSession, direction: str, cycle_id: str, units: Sequence[Unit]
) -> None:
    whole = [u.territory for u in units if not u.assembly_id]
    assemblies = [u.assembly_id for u in units if u.assembly_id]
    await session.execute(
        update(AllocationRecord)
        .where(
            AllocationRecord.direction == direction,
            AllocationRecord.cycle_id == cycle_id,
            AllocationRecord.superseded.is_(False),
            or_(
                and_(AllocationRecord.assembly_id == "", AllocationRecord.territory.in_(whole)),
                AllocationRecord.assembly_id.in_(assemblies),
            ),
        )
        .values(superseded=True)
    )


Accepts = Callable[[SeatAllocation], bool]


async def receive(
    session: AsyncSession, body: SeatAllocation, *, accepts: Accepts, source: str = "bus"
) -> bool:
    """Keep an allocation meant for this tier (``accepts`` says which: a state's at the regional
    tier, an assembly's or a municipality's at the local tier); others on the down stream are
    skipped. The same allocation arriving again changes nothing."""
    if not accepts(body):
        return False
    seen = await session.scalar(
        select(AllocationRecord.id).where(AllocationRecord.allocation_id == body.allocation_id)
    )
    if seen is not None:
        return False
    if body.seats < 0 or any(v < 0 for v in body.per_segment.values()):
        raise Invalid("seats cannot be negative")
    if body.per_segment and sum(body.per_segment.values()) != body.seats:
        raise Invalid("the seats per segment must add up to the total")
    unit = Unit(territory=body.territory, assembly_id=body.assembly_id)
    await _supersede(session, "received", body.cycle_id, [unit])
    session.add(AllocationRecord(**_row(body, "received", source)))
    await session.flush()
    return True


def for_a_state(body: SeatAllocation) -> bool:
    """The regional tier keeps the allocations the national tier made to a state."""
    return not body.assembly_id and uf_of(body.territory) == body.territory


def for_local_assemblies(body: SeatAllocation) -> bool:
    """The local tier keeps allocations to an assembly or to a municipality's assemblies."""
    return bool(body.assembly_id) or uf_of(body.territory) not in (None, body.territory)


#: An assembly's own current allocation and its territory's (built once, bound per call).
_CURRENT_FOR_ASSEMBLY = (
    select(AllocationRecord)
    .where(
        AllocationRecord.direction == "received",
        AllocationRecord.cycle_id == bindparam("cycle_id"),
        AllocationRecord.superseded.is_(False),
        or_(
            AllocationRecord.assembly_id == bindparam("assembly_id"),
            (AllocationRecord.territory == bindparam("territory"))
            & (AllocationRecord.assembly_id == ""),
        ),
    )
    .order_by(AllocationRecord.id.desc())
)


async def current_for_assembly(
    session: AsyncSession, *, cycle_id: str, assembly_id: str, territory: str
) -> AllocationRecord | None:
    """The allocation an assembly elects within: its own, else its territory's."""
    rows = (
        await session.scalars(
            _CURRENT_FOR_ASSEMBLY,
            {"cycle_id": cycle_id, "assembly_id": assembly_id, "territory": territory},
        )
    ).all()
    own = [a for a in rows if a.assembly_id == assembly_id]
    chosen = own or list(rows)
    return chosen[0] if chosen else None


async def received_for_state(
    session: AsyncSession, *, cycle_id: str, uf: str
) -> AllocationRecord | None:
    """The seats the national tier allocated to a state, if they have arrived."""
    record: AllocationRecord | None = await session.scalar(
        select(AllocationRecord)
        .where(
            AllocationRecord.direction == "received",
            AllocationRecord.cycle_id == cycle_id,
            AllocationRecord.territory == uf,
            AllocationRecord.assembly_id == "",
            AllocationRecord.superseded.is_(False),
        )
        .order_by(AllocationRecord.id.desc())
        .limit(1)
    )
    return record


async def sent_to_assemblies(session: AsyncSession, *, cycle_id: str, uf: str) -> dict[str, str]:
    """``{assembly id: territory}`` of the assemblies this tier allocated seats to."""
    rows = await session.execute(
        select(AllocationRecord.assembly_id, AllocationRecord.territory).where(
            AllocationRecord.direction == "sent",
            AllocationRecord.cycle_id == cycle_id,
            AllocationRecord.uf == uf,
            AllocationRecord.assembly_id != "",
        )
    )
    return {assembly: territory for assembly, territory in rows}


async def recorded_basis(session: AsyncSession, *, cycle_id: str, uf: str) -> dict[str, int]:
    """The basis value each assembly was last allocated on (a fallback for its figures)."""
    rows = await session.execute(
        select(AllocationRecord.assembly_id, AllocationRecord.basis_value).where(
            AllocationRecord.cycle_id == cycle_id,
            AllocationRecord.uf == uf,
            AllocationRecord.assembly_id != "",
            AllocationRecord.superseded.is_(False),
        )
    )
    return {assembly: value for assembly, value in rows}


async def list_current(
    session: AsyncSession, *, cycle_id: str, uf: str | None, direction: str | None
) -> list[AllocationRecord]:
    query = select(AllocationRecord).where(
        AllocationRecord.cycle_id == cycle_id, AllocationRecord.superseded.is_(False)
    )
    if uf:
        query = query.where(AllocationRecord.uf == uf)
    if direction:
        query = query.where(AllocationRecord.direction == direction)
    return list((await session.scalars(query.order_by(AllocationRecord.territory))).all())


def allocation_view(record: AllocationRecord) -> AllocationView:
    return AllocationView(
        allocation_id=record.allocation_id,
        direction=record.direction,
        source=record.source,
        territory=record.territory,
        uf=record.uf,
        assembly_id=record.assembly_id,
        seats=record.seats,
        per_segment=dict(record.per_segment),
        method=record.method,
        basis=record.basis,
        basis_value=record.basis_value,
        alternates_per_segment=record.alternates_per_segment,
    )


def allocation_handler(accepts: Accepts) -> Handler:
    """The bus handler for kind ``allocation`` at a tier that keeps what ``accepts`` says."""

    async def on_allocation(session: AsyncSession, delivery: Delivery) -> None:
        if not isinstance(delivery.body, SeatAllocation):
            raise MessageError("unexpected-body", type(delivery.body).__name__)
        try:
            await receive(session, delivery.body, accepts=accepts)
        except Invalid as exc:
            raise MessageError("invalid-allocation", exc.detail) from exc

    return on_allocation


#: The units a tier shares its stage's seats among (the states, or a state's assemblies).
UnitsOf = Callable[[AsyncSession, str, str], Awaitable[list[Unit]]]


class Allocations:
    """Apportion this tier's stage's seats and list allocations (regional and national)."""

    def __init__(self, db: Database, outbox: Outbox, *, stage: Stage, units: UnitsOf) -> None:
        self.db = db
        self.outbox = outbox
        self.stage: Stage = stage
        self.units = units

    async def current(
        self, *, cycle_id: str, uf: str | None, direction: str | None
    ) -> list[AllocationView]:
        async with self.db.reading() as session:
            rows = await list_current(session, cycle_id=cycle_id, uf=uf, direction=direction)
        return [allocation_view(r) for r in rows]

    async def allocate(
        self,
        principal: Principal,
        *,
        cycle_id: str,
        uf: str,
        seats: int | None,
        units: Sequence[Unit] | None,
        alternates_per_segment: int,
    ) -> list[AllocationView]:
        """Share ``seats`` (default: what this state received from above) among ``units``
        (default: the units this tier knows) by the cycle's rule for this stage. The national
        commission shares the national seats; a state's convener shares the state's."""
        if self.stage == "national":
            principal.require("commission", territory=NATION)
        else:
            principal.require("convener", territory=uf)
        async with self.db.transaction() as session:
            rules = await rules_for(session, cycle_id)
            rule = rules.stage_seats(self.stage)
            if seats is None and self.stage != "national" and rule.total is None:
                received = await received_for_state(session, cycle_id=cycle_id, uf=uf)
                if received is None:
                    raise Invalid(f"no allocation received for {uf} yet: give the seats")
                seats = received.seats
            chosen = list(units) if units is not None else await self.units(session, cycle_id, uf)
            records = await allocate(
                session,
                self.outbox,
                rules=rules,
                stage=self.stage,
                uf=uf,
                seats=seats,
                units=chosen,
                alternates_per_segment=alternates_per_segment,
            )
            return [allocation_view(r) for r in records]
