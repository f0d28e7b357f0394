"""Brazil's federative units (27 UFs), its 5,570 municipalities and IBGE territory codes, from the
packaged reference tables.

The national tier apportions its seats among the UFs by the census the cycle names and expects one
report from each; the regional tier maps a municipality's IBGE code (its first two digits are the
UF's code) to its state. Data only, read from ``shared/core/data/``: ``br_ufs.csv`` (27 UFs, Censo
2022 first results), ``br_ufs_2010.csv`` (UF populations of the 2010 census) and
``br_municipalities_2022.csv`` (every municipality with its IBGE code, name and 2022 population,
summing exactly to the UF totals); each file names its sources.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

#: The censuses whose populations ship with Plenária.
Census = Literal["2022", "2010"]
CENSUSES: tuple[Census, ...] = ("2022", "2010")

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
    rows = _rows("br_ufs.csv")
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


@dataclass(frozen=True, slots=True)
class Municipality:
    """A municipality-level unit of the 2022 territorial division (DF and Fernando de Noronha
    included), with its IBGE 7-digit code and 2022 census population."""

    ibge_code: str
    name: str
    uf: str
    population_2022: int


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("shared.core.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


@cache
def _municipalities() -> tuple[Municipality, ...]:
    return tuple(
        Municipality(
            ibge_code=row["ibge_code"],
            name=row["name"],
            uf=row["uf"],
            population_2022=int(row["population_2022"]),
        )
        for row in _rows("br_municipalities_2022.csv")
    )


@cache
def _municipalities_by_uf() -> dict[str, tuple[Municipality, ...]]:
    grouped: dict[str, list[Municipality]] = {}
    for town in _municipalities():
        grouped.setdefault(town.uf, []).append(town)
    return {uf: tuple(towns) for uf, towns in grouped.items()}


@cache
def _municipality_by_code() -> dict[str, Municipality]:
    return {town.ibge_code: town for town in _municipalities()}


def municipalities(uf: str | None = None) -> tuple[Municipality, ...]:
    """Every municipality (by IBGE code), or those of one UF; an unknown UF has none."""
    if uf is None:
        return _municipalities()
    return _municipalities_by_uf().get(uf, ())


def municipality(code: str) -> Municipality | None:
    """The municipality with IBGE code ``code``, if it is one of the 5,570."""
    return _municipality_by_code().get(code)


@cache
def uf_populations(census: Census = "2022") -> dict[str, int]:
    """Each UF's resident population at ``census`` (file order of ``br_ufs.csv``)."""
    if census == "2022":
        return {unit.uf: unit.population_2022 for unit in federative_units()}
    if census == "2010":
        by_uf = {row["uf"]: int(row["population_2010"]) for row in _rows("br_ufs_2010.csv")}
        return {unit.uf: by_uf[unit.uf] for unit in federative_units()}
    raise ValueError(f"no census {census!r}; known: {', '.join(CENSUSES)}")


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


def _folded(text: str) -> str:
    """``text`` for comparing names: accents removed, case folded, spaces and hyphens as one."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(bare.replace("-", " ").replace("'", " ").split())


@cache
def _folded_names() -> tuple[tuple[str, Municipality], ...]:
    return tuple((_folded(town.name), town) for town in _municipalities())


def find_municipalities(
    query: str, *, uf: str | None = None, limit: int = 20
) -> list[Municipality]:
    """Municipalities whose name contains ``query``, ignoring accents, case and hyphens (so
    "ji parana" finds Ji-Paraná): exact names first, then names that start with
    it, then the rest; larger towns first within each; at most ``limit``. A query naming an
    IBGE code finds that municipality."""
    query = query.strip()
    if _MUNICIPALITY.match(query):
        found = municipality(query)
        return [found] if found is not None else []
    needle = _folded(query)
    if len(needle) < 2:
        return []
    ranked: list[tuple[int, int, str, Municipality]] = []
    for name, town in _folded_names():
        if uf is not None and town.uf != uf:
            continue
        if needle not in name:
            continue
        closeness = 0 if name == needle else 1 if name.startswith(needle) else 2
        ranked.append((closeness, -town.population_2022, town.ibge_code, town))
    ranked.sort(key=lambda row: row[:3])
    return [row[3] for row in ranked[:limit]]
