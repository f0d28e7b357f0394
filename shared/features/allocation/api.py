"""Seat allocation endpoints: the national tier shares its seats among the states, the regional
tier a state's seats among its assemblies; both send ``SeatAllocation`` messages down."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody

from shared.contracts.http.allocation import (
    AllocationView,
    AssemblyAllocationRequest,
    StateAllocationRequest,
)
from shared.core.access import Principal
from shared.core.vocabulary import NATION
from shared.features.allocation.service import Allocations, Unit
from shared.platform.web.auth import allow


class AllocationController(Controller):
    path = "/api/v1/allocations"
    tags = ["allocation"]

    @get("/")
    async def list_all(
        self,
        allocations: NamedDependency[Allocations],
        cycle_id: FromQuery[str],
        uf: FromQuery[str | None] = None,
        direction: FromQuery[Literal["sent", "received"] | None] = None,
    ) -> list[AllocationView]:
        """The current allocations this tier sent or received (public)."""
        return await allocations.current(cycle_id=cycle_id, uf=uf, direction=direction)


class StateAllocationController(Controller):
    """National: apportion the national conference's seats among the 27 UFs."""

    path = "/api/v1/allocations"
    tags = ["allocation"]

    @post("/states", status_code=201, **allow("commission"))
    async def allocate_states(
        self,
        allocations: NamedDependency[Allocations],
        principal: NamedDependency[Principal],
        data: JSONBody[StateAllocationRequest],
    ) -> list[AllocationView]:
        """Share the seats among the states by the cycle's ``[seats.national]`` rule."""
        return await allocations.allocate(
            principal,
            cycle_id=data.cycle_id,
            uf=NATION,
            seats=data.seats,
            units=None,
            alternates_per_segment=data.alternates_per_segment,
        )


class AssemblyAllocationController(Controller):
    """Regional: apportion a state conference's seats among the state's assemblies."""

    path = "/api/v1/allocations"
    tags = ["allocation"]

    @post("/assemblies", status_code=201, **allow("convener"))
    async def allocate_assemblies(
        self,
        allocations: NamedDependency[Allocations],
        principal: NamedDependency[Principal],
        data: JSONBody[AssemblyAllocationRequest],
    ) -> list[AllocationView]:
        """Share the state's seats among its assemblies by the cycle's ``[seats.state]`` rule."""
        units = (
            [
                Unit(
                    u.territory,
                    u.assembly_id,
                    u.population,
                    u.participants,
                    kind=u.kind or "",
                )
                for u in data.units
            ]
            if data.units is not None
            else None
        )
        return await allocations.allocate(
            principal,
            cycle_id=data.cycle_id,
            uf=data.uf,
            seats=data.seats,
            units=units,
            alternates_per_segment=data.alternates_per_segment,
        )
