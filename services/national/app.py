"""Composition root of the national tier."""

from __future__ import annotations

from collections.abc import Mapping

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bus.inbox import Delivery, Handler
from shared.consolidation.ingest import apply_report
from shared.node import Node
from shared.settings import Settings, load_settings
from shared.web.app import TierSpec, create_app
from shared.web.consolidation_api import ConsolidationController


def message_handlers(node: Node) -> Mapping[str, Handler]:
    async def on_report(session: AsyncSession, delivery: Delivery) -> None:
        await apply_report(session, delivery, expected_from="regional")

    return {"report": on_report}


SPEC = TierSpec(
    title="national tier",
    route_handlers=[ConsolidationController],
    message_handlers=message_handlers,
)


def build_app(settings: Settings | None = None) -> Litestar:
    return create_app(settings or load_settings("national"), SPEC)
