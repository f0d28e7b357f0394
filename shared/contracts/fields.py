"""Constrained field types shared by every HTTP and wire contract (msgspec ``Meta``), so a
cycle id, a UF or a title is checked the same way at every edge."""

from __future__ import annotations

from typing import Annotated

import msgspec

CycleId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
#: A federative unit's two letters, or ``BR`` for the nation.
UF = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")]
#: An IBGE 7-digit municipality code.
MunicipalityCode = Annotated[str, msgspec.Meta(pattern=r"^\d{7}$")]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
OptionalTitle = Annotated[str, msgspec.Meta(max_length=300)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
OptionalText = Annotated[str, msgspec.Meta(max_length=20_000)]
Short = Annotated[str, msgspec.Meta(max_length=300)]
Share = Annotated[float, msgspec.Meta(ge=0, le=1)]
#: A count of people or ballots that fits the database's integer columns.
Count = Annotated[int, msgspec.Meta(ge=0, le=2_000_000_000)]
