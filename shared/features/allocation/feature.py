"""The allocation feature, configured per tier: which stage's seats it apportions (and among
which units), and which allocations from above it keeps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.features.allocation.api import (
    AllocationController,
    AssemblyAllocationController,
    StateAllocationController,
)
from shared.features.allocation.service import (
    Accepts,
    Allocations,
    Stage,
    UnitsOf,
    allocation_handler,
)
from shared.platform.bus.inbox import Handler
from shared.platform.feature import Feature
from shared.platform.node import Node


def allocation(
    *, apportions: Stage | None = None, units: UnitsOf | None = None, keeps: Accepts | None = None
) -> Feature:
    """``apportions``: the stage whose seats this tier shares among ``units``; ``keeps``: which
    allocations arriving from above this tier stores."""
    routes: tuple[type, ...] = ()
    if apportions is not None:
        routes = (
            AllocationController,
            StateAllocationController if apportions == "national" else AssemblyAllocationController,
        )

    def services(node: Node) -> Mapping[str, Any]:
        if apportions is None or units is None:
            return {}
        return {"allocations": Allocations(node.db, node.outbox, stage=apportions, units=units)}

    def handlers(node: Node) -> Mapping[str, Handler]:
        return {"allocation": allocation_handler(keeps)} if keeps is not None else {}

    return Feature(name="allocation", routes=routes, services=services, handlers=handlers)
