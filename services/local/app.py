"""Composition root of the local tier."""

from __future__ import annotations

from collections.abc import Mapping

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession

from services.local.api import ROUTES
from services.local.cycles import apply_announcement
from services.local.journey import attach_response
from shared.contracts.envelope import MessageError
from shared.contracts.messages import SeatAllocation
from shared.core.errors import Invalid
from shared.features.plenary.elections import record_allocation
from shared.platform.bus.inbox import Delivery, Handler
from shared.platform.node import Node
from shared.platform.settings import Settings, load_settings
from shared.platform.web.app import TierSpec, create_app
from shared.platform.web.serve import configured_app


async def apply_allocation(session: AsyncSession, delivery: Delivery) -> None:
    """Seats from above for an assembly (or every assembly of a territory)."""
    body = delivery.body
    if not isinstance(body, SeatAllocation):
        raise MessageError("unexpected-body", type(body).__name__)
    try:
        await record_allocation(
            session,
            allocation_id=body.allocation_id,
            cycle_id=body.cycle_id,
            territory=body.territory,
            assembly_id=body.assembly_id,
            seats=body.seats,
            per_segment=dict(body.per_segment),
            method=body.method,
            source="bus",
        )
    except Invalid as exc:
        raise MessageError("invalid-allocation", exc.detail) from exc


def message_handlers(node: Node) -> Mapping[str, Handler]:
    """Down-flowing messages the local tier applies: cycles, allocations, council responses."""
    return {
        "cycle": apply_announcement,
        "allocation": apply_allocation,
        "response": attach_response,
    }


SPEC = TierSpec(title="local tier", route_handlers=ROUTES, message_handlers=message_handlers)


def build_app(settings: Settings | None = None) -> Litestar:
    return create_app(settings or load_settings("local"), SPEC)


def worker_app() -> Litestar:
    """Uvicorn's factory in each serving process (see :func:`shared.platform.web.serve.serve`)."""
    return configured_app("local", SPEC)
