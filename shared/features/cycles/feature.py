"""The cycles feature: every tier reads rules from the one cycle store."""

from __future__ import annotations

from shared.features.cycles.api import CycleAnnounceController, CycleController, CycleLoadController
from shared.features.cycles.service import Cycles
from shared.features.cycles.store import apply_announcement
from shared.platform.feature import Feature


def cycles(*, announces: bool) -> Feature:
    """The national tier (``announces``) stores and announces cycles; the tiers below store
    the announcements that arrive, or what their operator loads."""
    if announces:
        return Feature(
            name="cycles",
            routes=(CycleController, CycleAnnounceController),
            services=lambda node: {"cycles": Cycles(node.db, node.outbox)},
        )
    return Feature(
        name="cycles",
        routes=(CycleController, CycleLoadController),
        services=lambda node: {"cycles": Cycles(node.db, node.outbox)},
        handlers=lambda node: {"cycle": apply_announcement},
    )
