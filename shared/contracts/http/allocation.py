"""HTTP contract of seat allocation (regional and national tiers)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from shared.contracts.fields import UF, CycleId, Id, MunicipalityCode
from shared.core.vocabulary import LocalAssemblyKind

Seats = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
Alternates = Annotated[int, msgspec.Meta(ge=0, le=100)]
Figure = Annotated[int, msgspec.Meta(ge=0, le=2_000_000_000)]


class UnitFigures(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An assembly to allocate to, with the figures the basis needs."""

    assembly_id: Id
    territory: MunicipalityCode
    population: Figure = 0
    participants: Figure = 0
    #: A kind with a participant formula in the cycle (e.g. ``free``) is seated by that formula,
    #: within the kind's overall cap; the other assemblies share the rest.
    kind: LocalAssemblyKind | None = None


class StateAllocationRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """National: share the national conference's seats among the 27 states."""

    cycle_id: CycleId
    #: Defaults to the cycle's ``[seats.national] total`` (or what its bands or table give).
    seats: Seats | None = None
    alternates_per_segment: Alternates = 0


class AssemblyAllocationRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Regional: share a state conference's seats among the state's assemblies."""

    cycle_id: CycleId
    uf: UF
    #: Defaults to the seats the national tier allocated to this state.
    seats: Seats | None = None
    #: Defaults to the assemblies this tier knows (introduced keys, reports, earlier allocations).
    units: list[UnitFigures] | None = None
    alternates_per_segment: Alternates = 0


class AllocationView(msgspec.Struct, kw_only=True):
    """One allocation, sent from here or received from above."""

    allocation_id: str
    direction: str
    source: str
    territory: str
    uf: str
    assembly_id: str
    seats: int
    per_segment: dict[str, int]
    method: str
    basis: str
    basis_value: int
    alternates_per_segment: int
