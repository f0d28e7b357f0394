"""Municipal populations: heavy-tailed like Brazil's, summing exactly to each state's census total.

Brazil's municipalities are close to log-normal in size (median about 11 thousand people, a few
million-plus cities), and each capital holds its own share of its state (Boa Vista ~65 % of Roraima, São Paulo ~26 %,
Belo Horizonte ~11 % of Minas Gerais: the census figure, with a little noise). We draw both, then
apportion the census total by largest remainder so the sum is exact, never approximate.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from shared.tools.simulation.census import CAPITAL_POPULATIONS, FederativeUnit

#: The smallest Brazilian municipality (Serra da Saudade, MG) has about 830 inhabitants.
SMALLEST_MUNICIPALITY = 800
#: Log-normal spread of non-capital municipalities (IBGE 2022: median ~11.7 thousand, about
#: 1,250 under 5 thousand and 320 over 100 thousand).
SIZE_SIGMA = 1.25

_PREFIXES = (
    "São", "Santa", "Santo", "Nova", "Novo", "Bom Jesus", "Porto", "Campo", "Vila", "Barra",
    "Boa Vista", "Lagoa", "Serra", "Rio", "Monte", "Palmeira", "Alto", "Ribeirão", "Cachoeira",
    "Pedra", "Água", "Morro", "Conceição", "Riacho", "Cruz",
)  # fmt: skip
_CORES = (
    "José", "João", "Francisco", "Pedro", "Antônio", "Luzia", "Rita", "Helena", "Bárbara",
    "Grande", "Alegre", "Bonito", "Verde", "Branco", "Azul", "Formoso", "Dourado", "Esperança",
    "Fé", "Paz", "Vitória", "Aurora", "Ipê", "Jatobá", "Buriti", "Cedro", "Itapuã", "Jacaré",
)  # fmt: skip
_SUFFIXES = (
    "", "", "", "do Sul", "do Norte", "da Serra", "do Oeste", "dos Campos", "do Rio", "das Flores",
    "do Piauí", "de Minas", "da Mata", "do Sertão", "Paulista", "do Araguaia",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Municipality:
    """A synthetic municipality: IBGE-like 7-digit code, a plausible name, its population."""

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


def capital_share(unit: FederativeUnit, rng: random.Random) -> float:
    """Share of the state living in its capital: the census share with ±5 % noise."""
    if unit.municipalities == 1:
        return 1.0
    census = CAPITAL_POPULATIONS[unit.uf] / unit.population
    return min(0.8, census * rng.uniform(0.95, 1.05))


def municipalities_of(unit: FederativeUnit, seed: int) -> list[Municipality]:
    """Every municipality of ``unit``, capital first; populations sum to the census total."""
    rng = random.Random(f"{seed}:population:{unit.uf}")
    count = unit.municipalities
    share = capital_share(unit, rng)
    others = [rng.lognormvariate(0.0, SIZE_SIGMA) for _ in range(count - 1)]
    # The capital's weight is set so that it takes ``share`` of the total.
    weights = [share / (1 - share) * sum(others) if others else 1.0, *others]
    populations = apportion_exact(unit.population, weights, SMALLEST_MUNICIPALITY)
    names = _names(unit, count, rng)
    return [
        Municipality(
            uf=unit.uf,
            territory=f"{unit.ibge_code:02d}{index * 10:05d}",
            name=names[index],
            population=population,
            capital=index == 0,
        )
        for index, population in enumerate(populations)
    ]


def _names(unit: FederativeUnit, count: int, rng: random.Random) -> list[str]:
    """Unique plausible names; the capital keeps its real one."""
    names = [unit.capital]
    seen = {unit.capital}
    while len(names) < count:
        name = " ".join(
            part
            for part in (rng.choice(_PREFIXES), rng.choice(_CORES), rng.choice(_SUFFIXES))
            if part
        )
        if name in seen:
            name = f"{name} {len(names)}"
        seen.add(name)
        names.append(name)
    return names
