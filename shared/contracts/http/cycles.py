"""HTTP contract of the cycle store (the rules themselves are ``shared.core.cycle.CycleRules``)."""

from __future__ import annotations

from typing import Annotated

import msgspec


class CycleText(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A cycle's rules as TOML (see the packaged presets)."""

    rules_toml: Annotated[str, msgspec.Meta(min_length=1, max_length=200_000)]


class CycleAnnounced(msgspec.Struct, kw_only=True):
    cycle_id: str
    title: str
