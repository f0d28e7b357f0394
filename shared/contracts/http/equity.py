"""What is published of who took part and who was sent on (``shared.core.equity``): the
tables with small cells withheld (``null``), beside the cycle's targets."""

from __future__ import annotations

from typing import Literal

import msgspec


class PublishedTable(msgspec.Struct, kw_only=True):
    population: str
    tier: str
    #: ``null`` when withheld (a total below ``min_cell``).
    total: int | None
    cells: dict[str, dict[str, int | None]]


class EquityTargets(msgspec.Struct, kw_only=True):
    """The cycle's composition rules: segment shares, the women's minimum share, and the
    minimum share of the quota groups it names."""

    segments: dict[str, float]
    min_women: float
    quota_groups: list[str]
    min_quota: float
    #: The population's shares by dimension and value, where the cycle supplies them.
    population: dict[str, dict[str, float]] = msgspec.field(default_factory=dict)
    population_source: str = ""


class EquityView(msgspec.Struct, kw_only=True):
    cycle_id: str
    territory: str
    min_cell: int
    tables: list[PublishedTable]
    targets: EquityTargets


class EvaluationIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A participant's evaluation of their assembly; every question may be left out."""

    #: Did you get to speak when you wanted to?
    spoke: Literal["yes", "no", "did_not_want"] | None = None
    #: Did you understand the rules (regimento, how votes work)?
    understood_rules: Literal["yes", "partly", "no"] | None = None
    #: Would you take part in a conference again?
    would_return: Literal["yes", "maybe", "no"] | None = None


class EvaluationView(msgspec.Struct, kw_only=True):
    """The evaluation as published: counts below ``min_cell`` withheld (``null``)."""

    territory: str
    min_cell: int
    responses: int | None
    answers: dict[str, dict[str, int | None]]
