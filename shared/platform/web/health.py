"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Response


@get("/health/live", include_in_schema=True, tags=["health"], sync_to_thread=False)
def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@get("/health/ready", tags=["health"])
async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """Ready only when the database answers and NATS with both streams is reachable."""
    node = request.app.state.node
    checks = {
        "database": await node.database_ready(),
        "nats": await node.bus.streams_ready(),
    }
    ok = all(checks.values())
    return Response(
        {"status": "ok" if ok else "unavailable", "tier": node.settings.tier, "checks": checks},
        status_code=200 if ok else 503,
    )
