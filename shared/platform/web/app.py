"""The one Litestar app factory every tier service is built with."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Receive, Scope, Send

from shared.platform.feature import TierDefinition
from shared.platform.node import Node, signing_seed
from shared.platform.settings import Settings
from shared.platform.web.auth import document_operations, provide_principal, security_schemes
from shared.platform.web.health import live, ready
from shared.platform.web.i18n import LanguageMiddleware
from shared.platform.web.limits import MAX_BODY_BYTES, body_limits_middleware
from shared.platform.web.open_data import open_data_controller
from shared.platform.web.pages import (
    TIER_NAMES,
    accessibility,
    contrast,
    csrf_config,
    home,
    template_config,
)
from shared.platform.web.problems import EXCEPTION_HANDLERS

REQUEST_ID_HEADER = "x-request-id"
STATIC_PATH = "/static"
STATIC_DIR = Path(__file__).parent / "static"
SWAGGER = f"{STATIC_PATH}/vendor/swagger-ui"


def api_explorer() -> SwaggerRenderPlugin:
    """Swagger UI served from this service's own vendored copy (no CDN: venues go offline)."""
    return SwaggerRenderPlugin(
        js_url=f"{SWAGGER}/swagger-ui-bundle.js",
        css_url=f"{SWAGGER}/swagger-ui.css",
        standalone_preset_js_url=f"{SWAGGER}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{SWAGGER}/favicon-32x32.png'>",
        path="/",
    )


def _constant(value: Any) -> Callable[[], Any]:
    def provide() -> Any:
        return value

    return provide


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Bind a request id (from ``X-Request-ID`` or new) to every log event of the request."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        request_id = headers.get(b"x-request-id", b"").decode("latin-1") or uuid.uuid4().hex
        with structlog.contextvars.bound_contextvars(request_id=request_id):

            async def send_with_id(message: Any) -> None:
                if message["type"] == "http.response.start":
                    message.setdefault("headers", [])
                    message["headers"] = [
                        *message["headers"],
                        (REQUEST_ID_HEADER.encode(), request_id.encode("latin-1")),
                    ]
                await send(message)

            await app(scope, receive, send_with_id)

    return middleware


class MetricsController(PrometheusController):
    path = "/metrics"
    include_in_schema = False


def create_app(settings: Settings, tier: TierDefinition, node: Node | None = None) -> Litestar:
    """Build a tier's app: health, metrics, static assets and the API explorer, plus the routes,
    services and bus handlers of the tier's features."""
    node = node or Node(settings, tier.handlers)
    services = {"db": node.db, **tier.services(node)}
    dependencies = {
        name: Provide(_constant(service), use_cache=True, sync_to_thread=False)
        for name, service in services.items()
    }
    dependencies["principal"] = Provide(provide_principal, sync_to_thread=False)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await node.start()
        for loop in tier.loops(node):
            node.run_loop(loop)
        try:
            yield
        finally:
            await node.stop()

    prometheus = PrometheusConfig(
        app_name=f"plenaria_{settings.tier}",
        prefix="plenaria_http",
        group_path=True,
        exclude=["/metrics", "/health"],
    )
    app = Litestar(
        route_handlers=[
            live,
            ready,
            home,
            accessibility,
            contrast,
            MetricsController,
            create_static_files_router(
                path=STATIC_PATH, directories=[STATIC_DIR], include_in_schema=False
            ),
            *(route for feature in tier.features for route in feature.routes),
            *([open_data_controller(datasets)] if (datasets := tier.datasets()) else []),
        ],
        lifespan=[lifespan],
        state=State(
            {
                "node": node,
                "settings": settings,
                "services": services,
                "tier_title": TIER_NAMES[settings.tier],
                "front_links": [link for f in tier.features for link in f.front_links],
            }
        ),
        middleware=[
            request_id_middleware,
            LanguageMiddleware(secure=settings.secure_cookies),
            body_limits_middleware,
            *(m for feature in tier.features for m in feature.middleware(node)),
            prometheus.middleware,
        ],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        template_config=template_config(tier.template_folders()),
        csrf_config=csrf_config(settings, signing_seed(settings)),
        dependencies=dependencies,
        openapi_config=OpenAPIConfig(
            title=f"Plenária — {tier.title}",
            version="1",
            path="/schema",
            render_plugins=[api_explorer()],
            use_handler_docstrings=True,
            components=Components(security_schemes=security_schemes(settings.tier)),
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=2048),
        request_max_body_size=MAX_BODY_BYTES,
        debug=False,
        logging_config=None,
    )
    document_operations(app)
    return app
