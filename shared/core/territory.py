"""Brazil's federative units (27 UFs) and IBGE territory codes, from the packaged reference table.

The national tier apportions its seats among the UFs by their 2022 census population and expects
one report from each; the regional tier maps a municipality's IBGE code (its first two digits are
the UF's code) to its state. Data only, read from ``shared/core/data/br_ufs.csv`` (see its README).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_UF = re.compile(r"^[A-Z]{2}$")
_MUNICIPALITY = re.compile(r"^\d{7}$")


@dataclass(frozen=True, slots=True)
class FederativeUnit:
    uf: str
    ibge_code: str
    name: str
    region: str
    population_2022: int
    municipalities: int


@cache
def federative_units() -> tuple[FederativeUnit, ...]:
    """The 27 UFs in file order (alphabetical by abbreviation)."""
    text = resources.files("shared.core.data").joinpath("br_ufs.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return tuple(
        FederativeUnit(
            uf=row["uf"],
            ibge_code=row["ibge_code"],
            name=row["name"],
            region=row["region"],
            population_2022=int(row["population_2022"]),
            municipalities=int(row["municipalities"]),
        )
        for row in rows
    )


@cache
def _by_uf() -> dict[str, FederativeUnit]:
    return {unit.uf: unit for unit in federative_units()}


@cache
def _by_code() -> dict[str, FederativeUnit]:
    return {unit.ibge_code: unit for unit in federative_units()}


def unit(uf: str) -> FederativeUnit | None:
    return _by_uf().get(uf)


def is_uf(territory: str) -> bool:
    return bool(_UF.match(territory)) and territory in _by_uf()


def is_municipality(territory: str) -> bool:
    return bool(_MUNICIPALITY.match(territory)) and territory[:2] in _by_code()


def uf_of(territory: str) -> str | None:
    """The UF a territory belongs to: itself for a UF, by IBGE prefix for a municipality."""
    if is_uf(territory):
        return territory
    if is_municipality(territory):
        return _by_code()[territory[:2]].uf
    return None
