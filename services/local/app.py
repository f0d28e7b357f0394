"""Composition root of the local tier."""

from __future__ import annotations

from collections.abc import Mapping

from litestar import Litestar

from services.local.api import AssemblyController
from shared.bus.inbox import Handler
from shared.node import Node
from shared.settings import Settings, load_settings
from shared.web.app import TierSpec, create_app


def message_handlers(node: Node) -> Mapping[str, Handler]:
    """Down-flowing messages the local tier applies (cycles, allocations, responses: later)."""
    return {}


SPEC = TierSpec(
    title="local tier", route_handlers=[AssemblyController], message_handlers=message_handlers
)


def build_app(settings: Settings | None = None) -> Litestar:
    return create_app(settings or load_settings("local"), SPEC)
