"""Run one tier service with uvicorn (``python -m services.<tier>``)."""

from __future__ import annotations

import uvicorn
from litestar import Litestar

from shared.logging import configure_logging
from shared.settings import Settings


def serve(settings: Settings, app: Litestar) -> None:
    """Serve until SIGINT/SIGTERM; uvicorn then runs the lifespan shutdown (drain, finish)."""
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_s),
        lifespan="on",
    )


def configure(settings: Settings) -> None:
    configure_logging(level=settings.log_level, json=settings.log_json, tier=settings.tier)
