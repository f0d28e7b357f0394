"""The representation page every tier shows (``representation.html``): its published equity
tables as bars with their figures in words, the cycle's targets, and the evaluation."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from shared.contracts.http.equity import EquityView, EvaluationView
from shared.contracts.http.lottery import LotteryView
from shared.core.cycle import CycleRules
from shared.platform.web import i18n
from shared.platform.web.i18n import N_
from shared.platform.web.labels import (
    EQUITY_DIMENSIONS,
    EQUITY_TABLES,
    EQUITY_VALUES,
    EVALUATION_ANSWERS,
    EVALUATION_QUESTIONS,
    LOTTERY_STATUSES,
)
from shared.platform.web.pages import page

TITLE = N_("Representação")


def representation_page(
    request: Request[Any, Any, Any],
    *,
    heading: str,
    rules: CycleRules,
    equity: EquityView,
    evaluation: EvaluationView | None,
    lottery: LotteryView | None = None,
    lottery_files: str = "",
) -> Template:
    return page(
        request,
        "representation.html",
        title=TITLE,
        heading=heading,
        equity=equity,
        evaluation=evaluation,
        lottery=lottery,
        lottery_files=lottery_files,
        lottery_statuses=LOTTERY_STATUSES,
        segment_titles={s.id: s.title_pt for s in rules.delegates.segments},
        quota_group_names=", ".join(
            i18n.gettext(EQUITY_VALUES.get(g, g)) for g in equity.targets.quota_groups
        ),
        tables=EQUITY_TABLES,
        dimensions=EQUITY_DIMENSIONS,
        value_labels=EQUITY_VALUES,
        questions=EVALUATION_QUESTIONS,
        answers=EVALUATION_ANSWERS,
    )
