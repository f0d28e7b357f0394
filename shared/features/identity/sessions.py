"""Server-side browser sessions in PostgreSQL (advanced-alchemy's backend for Litestar): the
cookie holds only a random session id; HttpOnly, SameSite=Lax, Secure unless the tier is
served over plain HTTP on loopback (development)."""

from __future__ import annotations

from advanced_alchemy.extensions.litestar.plugins.init import SQLAlchemyAsyncConfig
from advanced_alchemy.extensions.litestar.session import SQLAlchemyAsyncSessionBackend
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.server_side import ServerSideSessionConfig

from shared.features.identity.model import WebSession
from shared.platform.node import Node

COOKIE = "plenaria_session"
MAX_AGE_S = 12 * 3600  # one conference day


def session_middleware(node: Node) -> DefineMiddleware:
    loopback = node.settings.host in ("127.0.0.1", "localhost", "::1")
    config = ServerSideSessionConfig(
        key=COOKIE,
        max_age=MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=not loopback,
        exclude=["^/static/", "^/health/", "^/metrics"],
    )
    alchemy = SQLAlchemyAsyncConfig(engine_instance=node.engine, session_maker=node.sessions)
    backend = SQLAlchemyAsyncSessionBackend(config=config, alchemy_config=alchemy, model=WebSession)
    return DefineMiddleware(SessionMiddleware, backend=backend)
