"""Municipalities: the real IBGE list with 2022 census populations (``shared/core/data/``).

Every simulated assembly is held by a real municipality — its IBGE code, name and 2022
population — so a simulated cycle has Brazil's own heavy tail (São Paulo's 11.45 million beside
Serra da Saudade's 833) and each state's towns sum exactly to its census total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shared.core.territory import municipalities
from shared.tools.simulation.census import FederativeUnit


@dataclass(frozen=True, slots=True)
class Municipality:
    """A municipality as the simulation uses it: IBGE 7-digit code, name, 2022 population."""

    uf: str
    territory: str
    name: str
    population: int
    capital: bool


def apportion_exact(total: int, weights: list[float], floor: int) -> list[int]:
    """Split ``total`` in proportion to ``weights``, each at least ``floor``; sums exactly."""
    count = len(weights)
    spare = total - floor * count
    if spare < 0:
        raise ValueError(f"{total} cannot give {count} parts of at least {floor}")
    scale = sum(weights)
    quotas = [spare * w / scale for w in weights]
    parts = [math.floor(q) for q in quotas]
    left = spare - sum(parts)
    by_remainder = sorted(range(count), key=lambda i: (parts[i] - quotas[i], i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return [floor + p for p in parts]


def municipalities_of(unit: FederativeUnit) -> list[Municipality]:
    """Every municipality of ``unit``, capital first, then by IBGE code."""
    towns = [
        Municipality(
            uf=town.uf,
            territory=town.ibge_code,
            name=town.name,
            population=town.population_2022,
            capital=town.name == unit.capital,
        )
        for town in municipalities(unit.uf)
    ]
    return sorted(towns, key=lambda town: (not town.capital, town.territory))
