"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Request, get
from litestar.response import Response


class Alive(msgspec.Struct, kw_only=True):
    status: Literal["ok"] = "ok"


class Checks(msgspec.Struct, kw_only=True):
    database: bool
    nats: bool


class Readiness(msgspec.Struct, kw_only=True):
    status: Literal["ok", "unavailable"]
    tier: str
    checks: Checks


@get("/health/live", tags=["health"], sync_to_thread=False)
def live() -> Alive:
    """The process is up."""
    return Alive()


@get("/health/ready", tags=["health"])
async def ready(request: Request[Any, Any, Any]) -> Response[Readiness]:
    """Ready only when the database answers and NATS with both streams is reachable (503
    otherwise, so a load balancer sends nothing here yet)."""
    node = request.app.state.node
    checks = Checks(database=await node.database_ready(), nats=await node.bus.streams_ready())
    ok = checks.database and checks.nats
    return Response(
        Readiness(status="ok" if ok else "unavailable", tier=node.settings.tier, checks=checks),
        status_code=200 if ok else 503,
    )
