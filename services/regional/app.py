"""Composition root of the regional tier (state conferences)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.envelope import MessageError
from shared.contracts.messages import CouncilResponse, CycleAnnouncement, SeatAllocation
from shared.features.allocation.api import AssemblyAllocationController
from shared.features.allocation.service import record_received
from shared.features.consolidation.api import ConsolidationController
from shared.features.consolidation.ingest import apply_report, apply_reports
from shared.features.consolidation.open_data import CONSOLIDATION_DATASETS
from shared.features.consolidation.plenary_api import PlenaryController, TierPlenaryController
from shared.features.cycles.consolidation_rules import on_cycle_announced
from shared.features.responses.service import attach_response
from shared.platform.bus.inbox import BatchedHandler, Delivery, Handler
from shared.platform.node import Node
from shared.platform.settings import Settings, load_settings
from shared.platform.web.app import TierSpec, create_app
from shared.platform.web.open_data import open_data_controller
from shared.platform.web.serve import configured_app


def message_handlers(node: Node) -> Mapping[str, Handler]:
    """Reports from local assemblies; cycles, seat allocations and council answers from above."""

    async def on_report(session: AsyncSession, delivery: Delivery) -> None:
        await apply_report(session, delivery, expected_from="local")

    async def on_reports(session: AsyncSession, deliveries: Sequence[Delivery]) -> None:
        await apply_reports(session, deliveries, expected_from="local")

    async def on_allocation(session: AsyncSession, delivery: Delivery) -> None:
        if not isinstance(delivery.body, SeatAllocation):
            raise MessageError("unexpected-body", type(delivery.body).__name__)
        await record_received(session, delivery.body)

    async def on_response(session: AsyncSession, delivery: Delivery) -> None:
        if not isinstance(delivery.body, CouncilResponse):
            raise MessageError("unexpected-body", type(delivery.body).__name__)
        await attach_response(session, delivery.body)

    async def on_cycle(session: AsyncSession, delivery: Delivery) -> None:
        if not isinstance(delivery.body, CycleAnnouncement):
            raise MessageError("unexpected-body", type(delivery.body).__name__)
        await on_cycle_announced(session, delivery.body)

    return {
        "report": BatchedHandler(on_report, on_reports),
        "allocation": on_allocation,
        "response": on_response,
        "cycle": on_cycle,
    }


SPEC = TierSpec(
    title="regional tier",
    route_handlers=[
        ConsolidationController,
        AssemblyAllocationController,
        PlenaryController,
        TierPlenaryController,
        open_data_controller(CONSOLIDATION_DATASETS),
    ],
    message_handlers=message_handlers,
)


def build_app(settings: Settings | None = None) -> Litestar:
    return create_app(settings or load_settings("regional"), SPEC)


def worker_app() -> Litestar:
    """Uvicorn's factory in each serving process (see :func:`shared.platform.web.serve.serve`)."""
    return configured_app("regional", SPEC)
