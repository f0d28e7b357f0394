"""Seat apportionment among units (municipalities, states) with per-unit minimum and maximum.

All arithmetic is exact (integers and ``Fraction``), so no floating-point rounding can decide a seat.
Results are lists of seats in the order of the input populations.

Bounds: every unit starts at its minimum and never exceeds its maximum.

- Hamilton (largest remainder): each unit's quota is ``clamp(population × t, min, max)`` with the
  single ``t`` that makes the quotas sum to the house size (with no bounds ``t = seats / total``);
  units get the floor of their quota and the seats left go to the largest fractional remainders.
- Divisor methods (D'Hondt, Sainte-Laguë, Huntington–Hill): seats are handed out one at a time,
  from every unit at its minimum, to the unit with the highest priority ``population / d(s)``
  (``d(s) = s + 1``, ``s + 1/2`` and ``sqrt(s(s + 1))`` — the geometric-mean signposts used for the
  US House) among the units still below their maximum. Handing out seats one by one makes them
  house-monotone.

Tie-break (documented, deterministic): equal remainders or priorities favour the larger population,
then the unit listed first.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from shared.core.decide.errors import ApportionmentError

Bound = int | Sequence[int]


class ApportionmentMethod(StrEnum):
    """The methods of docs/spec.md §4; the values are the CLI spellings."""

    HAMILTON = "hamilton"
    DHONDT = "dhondt"
    SAINTE_LAGUE = "sainte-lague"
    HUNTINGTON_HILL = "huntington-hill"


@dataclass(frozen=True, slots=True)
class PopulationBand:
    """Units with population up to ``up_to`` (inclusive; ``None`` = no limit) get ``seats``."""

    up_to: int | None
    seats: int


def apportion(
    populations: Sequence[int],
    seats: int,
    method: ApportionmentMethod | str,
    *,
    minimum: Bound = 0,
    maximum: Bound | None = None,
) -> list[int]:
    """Apportion ``seats`` among units by ``method``; returns seats in input order."""
    chosen = ApportionmentMethod(method)
    if chosen is ApportionmentMethod.HAMILTON:
        return hamilton(populations, seats, minimum=minimum, maximum=maximum)
    divisor = _DIVISOR_PRIORITY[chosen]
    return _divisor_method(populations, seats, divisor, minimum, maximum)


def hamilton(
    populations: Sequence[int], seats: int, *, minimum: Bound = 0, maximum: Bound | None = None
) -> list[int]:
    """Largest-remainder apportionment with bounds (see module docstring)."""
    lows, highs = _validate(populations, seats, minimum, maximum)
    quotas = bounded_quotas(populations, seats, lows, highs)
    return _round_largest_remainder(quotas, populations)


def dhondt(
    populations: Sequence[int], seats: int, *, minimum: Bound = 0, maximum: Bound | None = None
) -> list[int]:
    """D'Hondt / Jefferson: divisors 1, 2, 3, …"""
    return apportion(
        populations, seats, ApportionmentMethod.DHONDT, minimum=minimum, maximum=maximum
    )


def sainte_lague(
    populations: Sequence[int], seats: int, *, minimum: Bound = 0, maximum: Bound | None = None
) -> list[int]:
    """Sainte-Laguë / Webster: divisors 1, 3, 5, … (equivalently s + 1/2)."""
    return apportion(
        populations, seats, ApportionmentMethod.SAINTE_LAGUE, minimum=minimum, maximum=maximum
    )


def huntington_hill(
    populations: Sequence[int], seats: int, *, minimum: Bound = 0, maximum: Bound | None = None
) -> list[int]:
    """Huntington–Hill (equal proportions): signposts sqrt(s(s+1)); every unit's first seat comes
    before anyone's second, as in the US House."""
    return apportion(
        populations, seats, ApportionmentMethod.HUNTINGTON_HILL, minimum=minimum, maximum=maximum
    )


def minimum_plus_proportional(
    populations: Sequence[int], seats: int, *, minimum: Bound, maximum: Bound | None = None
) -> list[int]:
    """Every unit gets ``minimum``; the rest is shared by largest remainder on population alone
    (unlike bounded Hamilton, a small unit's minimum does not count towards its proportional part)."""
    lows, highs = _validate(populations, seats, minimum, maximum)
    rest = seats - sum(lows)
    headroom = [None if high is None else high - low for low, high in zip(lows, highs, strict=True)]
    quotas = bounded_quotas(populations, rest, [0] * len(lows), headroom)
    extra = _round_largest_remainder(quotas, populations)
    return [low + more for low, more in zip(lows, extra, strict=True)]


def by_population_bands(
    populations: Sequence[int],
    bands: Sequence[PopulationBand],
    *,
    minimum: Bound = 0,
    maximum: Bound | None = None,
) -> list[int]:
    """Seats by population band (bands in increasing ``up_to``; the last may be open), clamped to
    the per-unit bounds. The total follows from the bands rather than being fixed beforehand."""
    _check_populations(populations)
    if not bands:
        raise ApportionmentError("at least one population band is needed")
    limits = [band.up_to for band in bands]
    if any(limit is None for limit in limits[:-1]):
        raise ApportionmentError("only the last population band may be open-ended")
    closed = [limit for limit in limits if limit is not None]
    if closed != sorted(set(closed)):
        raise ApportionmentError("population bands must be in strictly increasing order")
    if any(band.seats < 0 for band in bands):
        raise ApportionmentError("a band cannot give a negative number of seats")
    lows, highs = _bounds(len(populations), minimum, maximum)
    result = []
    for index, population in enumerate(populations):
        band = next((b for b in bands if b.up_to is None or population <= b.up_to), None)
        if band is None:
            raise ApportionmentError(
                f"unit {index + 1} (population {population}) is above every population band"
            )
        high = highs[index]
        result.append(max(lows[index], band.seats if high is None else min(high, band.seats)))
    return result


def bounded_quotas(
    populations: Sequence[int], seats: int, lows: Sequence[int], highs: Sequence[int | None]
) -> list[Fraction]:
    """Exact quotas ``clamp(p × t, low, high)`` summing to ``seats``.

    The sum is a non-decreasing piecewise-linear function of ``t`` with breakpoints at
    ``low / p`` and ``high / p``; a binary search over the breakpoints finds the linear piece
    that reaches ``seats`` and ``t`` is solved on it exactly.
    """

    def quota(index: int, t: Fraction) -> Fraction:
        raw = populations[index] * t
        high = highs[index]
        if raw < lows[index]:
            return Fraction(lows[index])
        if high is not None and raw > high:
            return Fraction(high)
        return raw

    def total(t: Fraction) -> Fraction:
        return sum((quota(i, t) for i in range(len(populations))), Fraction(0))

    if not populations:
        return []
    if sum(lows) == seats:
        return [Fraction(low) for low in lows]
    points = sorted(
        {Fraction(low, p) for low, p in zip(lows, populations, strict=True)}
        | {Fraction(h, p) for h, p in zip(highs, populations, strict=True) if h is not None}
    )
    # Beyond the last breakpoint every unbounded unit grows freely: add a point that is surely high
    # enough (the whole house given to the smallest unit).
    points.append(max(points[-1], Fraction(seats, min(populations))) + 1)
    lo, hi = 0, len(points) - 1
    while lo < hi:  # smallest breakpoint whose total reaches the house size
        mid = (lo + hi) // 2
        if total(points[mid]) >= seats:
            hi = mid
        else:
            lo = mid + 1
    upper = points[lo]
    if total(upper) == seats:
        return [quota(i, upper) for i in range(len(populations))]
    lower = points[lo - 1] if lo > 0 else Fraction(0)
    middle = (lower + upper) / 2
    fixed = Fraction(0)
    free_population = 0
    for index, population in enumerate(populations):
        value = quota(index, middle)
        if value == population * middle:
            free_population += population
        else:
            fixed += value
    t = (seats - fixed) / free_population
    return [quota(i, t) for i in range(len(populations))]


# --- internals ----------------------------------------------------------------------------------

Priority = tuple[bool, Fraction]  # (finite?, value); (False, 0) stands for +infinity


def _dhondt_priority(population: int, held: int) -> Priority:
    return True, Fraction(population, held + 1)


def _sainte_lague_priority(population: int, held: int) -> Priority:
    return True, Fraction(population, 2 * held + 1)


def _huntington_hill_priority(population: int, held: int) -> Priority:
    # Compare squares to stay exact: (p / sqrt(s(s+1)))² = p² / (s(s+1)); s = 0 is infinite.
    if held == 0:
        return False, Fraction(0)
    return True, Fraction(population * population, held * (held + 1))


_DIVISOR_PRIORITY: dict[ApportionmentMethod, Callable[[int, int], Priority]] = {
    ApportionmentMethod.DHONDT: _dhondt_priority,
    ApportionmentMethod.SAINTE_LAGUE: _sainte_lague_priority,
    ApportionmentMethod.HUNTINGTON_HILL: _huntington_hill_priority,
}


def _divisor_method(
    populations: Sequence[int],
    seats: int,
    priority: Callable[[int, int], Priority],
    minimum: Bound,
    maximum: Bound | None,
) -> list[int]:
    lows, highs = _validate(populations, seats, minimum, maximum)
    held = list(lows)
    heap: list[tuple[bool, Fraction, int, int]] = []

    def push(index: int) -> None:
        high = highs[index]
        if high is None or held[index] < high:
            finite, value = priority(populations[index], held[index])
            heapq.heappush(heap, (finite, -value, -populations[index], index))

    for index in range(len(populations)):
        push(index)
    for _ in range(seats - sum(lows)):
        _, _, _, index = heapq.heappop(heap)
        held[index] += 1
        push(index)
    return held


def _round_largest_remainder(quotas: Sequence[Fraction], populations: Sequence[int]) -> list[int]:
    floors = [q.numerator // q.denominator for q in quotas]
    left = int(sum(quotas, Fraction(0))) - sum(floors)
    order = sorted(
        (i for i, q in enumerate(quotas) if q != floors[i]),
        key=lambda i: (-(quotas[i] - floors[i]), -populations[i], i),
    )
    for index in order[:left]:
        floors[index] += 1
    return floors


def _check_populations(populations: Sequence[int]) -> None:
    for index, population in enumerate(populations):
        if isinstance(population, bool) or not isinstance(population, int) or population <= 0:
            raise ApportionmentError(
                f"unit {index + 1}: population must be a positive integer, got {population!r}"
            )


def _bounds(
    count: int, minimum: Bound, maximum: Bound | None
) -> tuple[list[int], list[int | None]]:
    lows = [minimum] * count if isinstance(minimum, int) else list(minimum)
    highs: list[int | None]
    if maximum is None:
        highs = [None] * count
    elif isinstance(maximum, int):
        highs = [maximum] * count
    else:
        highs = list(maximum)
    if len(lows) != count or len(highs) != count:
        raise ApportionmentError("per-unit minimum and maximum must have one value per unit")
    for index, (low, high) in enumerate(zip(lows, highs, strict=True)):
        if low < 0:
            raise ApportionmentError(f"unit {index + 1}: minimum cannot be negative ({low})")
        if high is not None and high < low:
            raise ApportionmentError(
                f"unit {index + 1}: maximum ({high}) is below the minimum ({low})"
            )
    return lows, highs


def _validate(
    populations: Sequence[int], seats: int, minimum: Bound, maximum: Bound | None
) -> tuple[list[int], list[int | None]]:
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 0:
        raise ApportionmentError(f"seats must be a non-negative integer, got {seats!r}")
    _check_populations(populations)
    if not populations and seats:
        raise ApportionmentError("there are seats to apportion but no units")
    lows, highs = _bounds(len(populations), minimum, maximum)
    if sum(lows) > seats:
        what = f"min × units = {lows[0]} × {len(lows)}" if isinstance(minimum, int) else "minimums"
        raise ApportionmentError(f"{what} = {sum(lows)} exceeds the {seats} seats")
    if all(high is not None for high in highs):
        most = sum(high for high in highs if high is not None)
        if most < seats:
            what = (
                f"max × units = {maximum} × {len(highs)}"
                if isinstance(maximum, int)
                else "maximums"
            )
            raise ApportionmentError(f"{what} = {most} is less than the {seats} seats")
    return lows, highs
