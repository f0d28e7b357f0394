"""Composition root of the national tier (national conference and policy councils)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession

from shared.features.allocation.api import StateAllocationController
from shared.features.consolidation.api import AnnouncementController, ConsolidationController
from shared.features.consolidation.ingest import apply_report, apply_reports
from shared.features.consolidation.open_data import CONSOLIDATION_DATASETS
from shared.features.consolidation.plenary_api import PlenaryController, TierPlenaryController
from shared.features.council.api import CouncilController
from shared.platform.bus.inbox import BatchedHandler, Delivery, Handler
from shared.platform.node import Node
from shared.platform.settings import Settings, load_settings
from shared.platform.web.app import TierSpec, create_app
from shared.platform.web.open_data import open_data_controller
from shared.platform.web.serve import configured_app


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
    """Uvicorn's factory in each serving process (see :func:`shared.platform.web.serve.serve`)."""
    return configured_app("national", SPEC)
