"""Who was in the room, who was sent on, and who arrived: counts by segment, gender and quota
group that add up across tiers, published with small cells suppressed (issue 20).

A *table* counts one population — ``participants`` credentialed at assemblies, ``delegates``
they sent up (elected or drawn titulars), delegates ``credentialed`` at the tier above, and the
``ex_officio`` members a state or the national plenary seats by office beside them — along
three dimensions: ``segment``, ``gender`` (self-declared, IBGE vocabulary) and ``group`` (the
quota groups of ``shared.core.participants``; a person may be in several, or none). These are
the attributes that travel with a mandate, so every tier's tables use the same cells and a
state's are the sums of its assemblies'.

Between tiers the counts are exact (they are sums, and institutions must be able to add them
up); whatever is *published* — pages and open data — goes through :func:`suppress`: a count
below the threshold is withheld, and so is the next smallest of its dimension when one alone
would be withheld (else the total minus the others would reveal it). A table whose total is
below the threshold is withheld whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

DIMENSIONS: Final[tuple[str, ...]] = ("segment", "gender", "group")
#: Dimensions only the participants' tables have: their self-declared IBGE race/colour and age
#: band, which stay at the local tier for individuals (a mandate carries only the quota groups)
#: and travel up only as these sums.
PARTICIPANT_DIMENSIONS: Final[tuple[str, ...]] = ("race_colour", "age_band")
POPULATIONS: Final[tuple[str, ...]] = ("participants", "delegates", "credentialed", "ex_officio")
#: The smallest count a published cell may show.
MIN_CELL: Final[int] = 5

Cells = dict[str, dict[str, int]]


def count(people: Iterable[tuple[str, str, Iterable[str], int]]) -> tuple[int, Cells]:
    """``(segment, gender, groups, n)`` rows → the total and the cells."""
    return count_with((segment, gender, groups, {}, n) for segment, gender, groups, n in people)


def count_with(
    people: Iterable[tuple[str, str, Iterable[str], Mapping[str, str], int]],
) -> tuple[int, Cells]:
    """Rows that also carry exclusive dimensions of their own (a participant's
    ``race_colour`` and ``age_band``, known only where they registered) → total and cells."""
    total = 0
    cells: Cells = {d: {} for d in DIMENSIONS}
    for segment, gender, groups, extra, n in people:
        if n <= 0:
            continue
        total += n
        _bump(cells["segment"], segment or "undeclared", n)
        _bump(cells["gender"], gender or "undeclared", n)
        for group in groups:
            _bump(cells["group"], group, n)
        for dimension, value in extra.items():
            _bump(cells.setdefault(dimension, {}), value or "undeclared", n)
    return total, cells


def add(tables: Iterable[tuple[int, Mapping[str, Mapping[str, int]]]]) -> tuple[int, Cells]:
    """The sum of several tables of one population (a state's, from its assemblies')."""
    total = 0
    cells: Cells = {d: {} for d in DIMENSIONS}
    for table_total, table_cells in tables:
        total += table_total
        for dimension, values in table_cells.items():
            for value, n in values.items():
                _bump(cells.setdefault(dimension, {}), value, n)
    return total, cells


def suppress(
    total: int, cells: Mapping[str, Mapping[str, int]], min_cell: int = MIN_CELL
) -> tuple[int | None, dict[str, dict[str, int | None]]]:
    """What may be published of a table: ``None`` for every withheld number."""
    if 0 < total < min_cell:
        return None, {d: dict.fromkeys(values) for d, values in cells.items()}
    shown: dict[str, dict[str, int | None]] = {}
    for dimension, values in cells.items():
        withheld = {v for v, n in values.items() if 0 < n < min_cell}
        if len(withheld) == 1 and dimension != "group":
            # One withheld cell of an exclusive dimension is the total minus the others:
            # withhold the next smallest too.
            others = sorted((n, v) for v, n in values.items() if v not in withheld and n > 0)
            if others:
                withheld.add(others[0][1])
        shown[dimension] = {v: (None if v in withheld else n) for v, n in values.items()}
    return total, shown


def _bump(values: dict[str, int], key: str, n: int) -> None:
    values[key] = values.get(key, 0) + n
