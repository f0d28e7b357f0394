"""Seat allocation endpoints: the national tier shares seats among the states, the regional tier
among its assemblies; both send ``SeatAllocation`` messages down."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromQuery, JSONBody

from shared.core.errors import Invalid
from shared.features.allocation.service import (
    Unit,
    allocate,
    assembly_units,
    list_allocations,
    received_seats,
    state_units,
)
from shared.features.cycles.consolidation_rules import rules_for
from shared.platform.web.auth import admin_guard

Seats = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
CycleId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class UnitFigures(msgspec.Struct, kw_only=True):
    """An assembly to allocate to, with the figures the basis needs."""

    assembly_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    territory: Annotated[str, msgspec.Meta(pattern=r"^\d{7}$")]
    population: Annotated[int, msgspec.Meta(ge=0)] = 0
    participants: Annotated[int, msgspec.Meta(ge=0)] = 0


class StateAllocationRequest(msgspec.Struct, kw_only=True):
    cycle_id: CycleId
    seats: Seats
    alternates_per_segment: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0


class AssemblyAllocationRequest(msgspec.Struct, kw_only=True):
    cycle_id: CycleId
    uf: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")]
    #: Defaults to the seats the national tier allocated to this state.
    seats: Seats | None = None
    #: Defaults to the assemblies this tier knows (introduced keys, reports, earlier allocations).
    units: list[UnitFigures] | None = None
    alternates_per_segment: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0


class AllocationController(Controller):
    path = "/api/v1/allocations"
    tags = ["allocation"]

    @get("/")
    async def list_all(
        self,
        request: Request[Any, Any, Any],
        cycle_id: FromQuery[str],
        uf: FromQuery[str | None] = None,
        direction: FromQuery[Literal["sent", "received"] | None] = None,
    ) -> list[dict[str, Any]]:
        async with request.app.state.node.sessions() as session:
            return await list_allocations(session, cycle_id=cycle_id, uf=uf, direction=direction)


class StateAllocationController(AllocationController):
    """National: apportion the national delegate seats among the 27 UFs (2022 populations)."""

    @post("/states", guards=[admin_guard], status_code=201)
    async def allocate_states(
        self, request: Request[Any, Any, Any], data: JSONBody[StateAllocationRequest]
    ) -> list[dict[str, Any]]:
        node = request.app.state.node
        async with node.sessions() as session, session.begin():
            rules = await rules_for(session, data.cycle_id)
            result = await allocate(
                session,
                node.outbox,
                cycle_id=data.cycle_id,
                uf="BR",
                seats=data.seats,
                units=state_units(),
                rules=rules,
                alternates_per_segment=data.alternates_per_segment,
            )
        node.announce()
        return result


class AssemblyAllocationController(AllocationController):
    """Regional: apportion a state's seats among its assemblies."""

    @post("/assemblies", guards=[admin_guard], status_code=201)
    async def allocate_assemblies(
        self, request: Request[Any, Any, Any], data: JSONBody[AssemblyAllocationRequest]
    ) -> list[dict[str, Any]]:
        node = request.app.state.node
        async with node.sessions() as session, session.begin():
            rules = await rules_for(session, data.cycle_id)
            seats = data.seats
            if seats is None:
                seats = await received_seats(session, cycle_id=data.cycle_id, uf=data.uf)
                if seats is None:
                    raise Invalid(f"no allocation received for {data.uf} yet: give the seats")
            units = (
                [Unit(u.territory, u.assembly_id, u.population, u.participants) for u in data.units]
                if data.units is not None
                else await assembly_units(session, cycle_id=data.cycle_id, uf=data.uf)
            )
            result = await allocate(
                session,
                node.outbox,
                cycle_id=data.cycle_id,
                uf=data.uf,
                seats=seats,
                units=units,
                rules=rules,
                alternates_per_segment=data.alternates_per_segment,
            )
        node.announce()
        return result
