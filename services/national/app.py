"""Composition root of the national tier (national conference and policy councils)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bus.inbox import BatchedHandler, Delivery, Handler
from shared.consolidation.ingest import apply_report, apply_reports
from shared.consolidation.open_data import CONSOLIDATION_DATASETS
from shared.node import Node
from shared.settings import Settings, load_settings
from shared.web.allocation_api import StateAllocationController
from shared.web.app import TierSpec, create_app
from shared.web.consolidation_api import AnnouncementController, ConsolidationController
from shared.web.council_api import CouncilController
from shared.web.open_data import open_data_controller
from shared.web.plenary_api import PlenaryController, TierPlenaryController
from shared.web.serve import configured_app


def message_handlers(node: Node) -> Mapping[str, Handler]:
    async def on_report(session: AsyncSession, delivery: Delivery) -> None:
        await apply_report(session, delivery, expected_from="regional")

    async def on_reports(session: AsyncSession, deliveries: Sequence[Delivery]) -> None:
        await apply_reports(session, deliveries, expected_from="regional")

    return {"report": BatchedHandler(on_report, on_reports)}


SPEC = TierSpec(
    title="national tier",
    route_handlers=[
        ConsolidationController,
        AnnouncementController,
        StateAllocationController,
        PlenaryController,
        TierPlenaryController,
        CouncilController,
        open_data_controller(CONSOLIDATION_DATASETS),
    ],
    message_handlers=message_handlers,
)


def build_app(settings: Settings | None = None) -> Litestar:
    return create_app(settings or load_settings("national"), SPEC)


def worker_app() -> Litestar:
    """Uvicorn's factory in each serving process (see :func:`shared.web.serve.serve`)."""
    return configured_app("national", SPEC)
