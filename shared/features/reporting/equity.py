"""Equity tables as tiers count, forward and publish them (``shared.core.equity``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import msgspec

from shared.contracts.http.equity import (
    EquityTargets,
    EquityView,
    EvaluationView,
    PublishedTable,
)
from shared.contracts.messages import EquityTable, EvaluationSummary, Mandate
from shared.core import equity, evaluation
from shared.core.cycle import CycleRules
from shared.core.vocabulary import Tier


def table(
    population: str, tier: Tier, rows: Iterable[tuple[str, str, Iterable[str], int]]
) -> EquityTable:
    total, cells = equity.count(rows)
    return EquityTable(population=population, tier=tier, total=total, cells=cells)  # type: ignore[arg-type]


def of_mandates(population: str, tier: Tier, mandates: Sequence[Mandate]) -> EquityTable:
    """The titulars among ``mandates`` (alternates are not sent on unless they replace one)."""
    return table(
        population,
        tier,
        ((m.segment, m.gender, m.quota_groups, 1) for m in mandates if m.role == "titular"),
    )


def summed(tables: Iterable[EquityTable | Mapping[str, Any]]) -> list[EquityTable]:
    """Tables of the same population and tier added up (received reports' tables are
    decoded from their stored JSON bodies)."""
    groups: dict[tuple[str, str], list[tuple[int, Mapping[str, Mapping[str, int]]]]] = {}
    for t in tables:
        found = t if isinstance(t, EquityTable) else msgspec.convert(t, EquityTable)
        groups.setdefault((found.population, found.tier), []).append((found.total, found.cells))
    out = []
    for (population, tier), parts in sorted(groups.items(), key=_order):
        total, cells = equity.add(parts)
        out.append(EquityTable(population=population, tier=tier, total=total, cells=cells))  # type: ignore[arg-type]
    return out


_TIERS = {"local": 0, "regional": 1, "national": 2}
_POPULATIONS = {p: i for i, p in enumerate(equity.POPULATIONS)}


def _order(item: tuple[tuple[str, str], object]) -> tuple[int, int]:
    (population, tier), _ = item
    return _TIERS.get(tier, 9), _POPULATIONS.get(population, 9)


def published(rules: CycleRules, territory: str, tables: Sequence[EquityTable]) -> EquityView:
    """The tables as anyone may see them: small cells withheld, with the cycle's targets."""
    shown = []
    for t in summed(tables):
        total, cells = equity.suppress(t.total, t.cells)
        shown.append(PublishedTable(population=t.population, tier=t.tier, total=total, cells=cells))
    delegates = rules.delegates
    return EquityView(
        cycle_id=rules.cycle_id,
        territory=territory,
        min_cell=equity.MIN_CELL,
        tables=shown,
        targets=EquityTargets(
            segments={s.id: s.share for s in delegates.segments},
            min_women=delegates.min_women,
            quota_groups=list(delegates.quota_groups),
            min_quota=delegates.min_quota,
            population={d: dict(v) for d, v in rules.equity.population.items()},
            population_source=rules.equity.source,
        ),
    )


#: The open-data columns of a published equity table (``count`` empty when withheld; one row
#: per cell, and a ``total`` row per table).
EQUITY_COLUMNS = ("cycle_id", "territory", "population", "tier", "dimension", "value", "count")


def rows(view: EquityView) -> Iterator[dict[str, Any]]:
    """A published view as open-data rows (withheld numbers stay withheld)."""
    for shown in view.tables:
        base = {
            "cycle_id": view.cycle_id,
            "territory": view.territory,
            "population": shown.population,
            "tier": shown.tier,
        }
        yield {**base, "dimension": "total", "value": "", "count": shown.total}
        for dimension, values in shown.cells.items():
            for value, n in sorted(values.items()):
                yield {**base, "dimension": dimension, "value": value, "count": n}


def evaluation_summed(parts: Iterable[EvaluationSummary | Mapping[str, Any]]) -> EvaluationSummary:
    """Several assemblies' (or states') evaluations added up."""
    found = [
        p if isinstance(p, EvaluationSummary) else msgspec.convert(p, EvaluationSummary)
        for p in parts
    ]
    responses, answers = evaluation.add((p.responses, p.answers) for p in found)
    return EvaluationSummary(responses=responses, answers=answers)


def evaluation_published(territory: str, summary: EvaluationSummary) -> EvaluationView:
    responses, answers = equity.suppress(summary.responses, summary.answers)
    return EvaluationView(
        territory=territory, min_cell=equity.MIN_CELL, responses=responses, answers=answers
    )
