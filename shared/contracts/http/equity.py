"""What is published of who took part and who was sent on (``shared.core.equity``): the
tables with small cells withheld (``null``), beside the cycle's targets."""

from __future__ import annotations

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


class EquityView(msgspec.Struct, kw_only=True):
    cycle_id: str
    territory: str
    min_cell: int
    tables: list[PublishedTable]
    targets: EquityTargets
