"""Run one tier service with uvicorn (``python -m services.<tier>``)."""

from __future__ import annotations

import uvicorn
from litestar import Litestar

from shared.core.vocabulary import Tier
from shared.platform.feature import TierDefinition
from shared.platform.logging import configure_logging
from shared.platform.settings import Settings, load_settings
from shared.platform.web.app import create_app


def serve(settings: Settings) -> None:
    """Serve until SIGINT/SIGTERM; uvicorn then runs the lifespan shutdown (drain, finish).

    With ``settings.workers`` above one, uvicorn forks that many worker processes sharing the
    port; each builds its app (and node) from the environment through the tier's
    ``worker_app`` factory, as separate instances of one deployment would.
    """
    uvicorn.run(
        f"services.{settings.tier}.app:worker_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=max(1, settings.workers),
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_s),
        lifespan="on",
    )


def configure(settings: Settings) -> None:
    configure_logging(level=settings.log_level, json=settings.log_json, tier=settings.tier)


def configured_app(tier: Tier, definition: TierDefinition) -> Litestar:
    """A tier's app from the environment's settings, logging configured (one per worker)."""
    settings = load_settings(tier)
    configure(settings)
    return create_app(settings, definition)
