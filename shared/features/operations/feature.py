"""The operations feature every tier mounts."""

from __future__ import annotations

from shared.features.operations.api import DeadLetterController, KeyController, StatsController
from shared.features.operations.service import Operations
from shared.platform.feature import Feature


def operations() -> Feature:
    return Feature(
        name="operations",
        routes=(DeadLetterController, KeyController, StatsController),
        services=lambda node: {"operations": Operations(node)},
    )
