"""Server-side browser sessions in PostgreSQL (advanced-alchemy's backend for Litestar): the
cookie holds only a random session id; HttpOnly, SameSite=Lax, Secure unless the tier is
served over plain HTTP on loopback (development). Only the pages use it: ``/api`` takes bearer
tokens, never the cookie.

Signing in renews the id (:func:`renew`): a session id planted in a browser before sign-in
(session fixation) is worth nothing after it.
"""

from __future__ import annotations

from typing import Any

from advanced_alchemy.extensions.litestar.plugins.init import SQLAlchemyAsyncConfig
from advanced_alchemy.extensions.litestar.session import SQLAlchemyAsyncSessionBackend
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.server_side import ServerSideSessionConfig
from litestar.types import Message, ScopeSession

from shared.features.identity.model import WebSession
from shared.platform.node import Node
from shared.platform.web.pages import NOT_PAGES

COOKIE = "plenaria_session"
MAX_AGE_S = 12 * 3600  # one conference day
_RENEW = "_renew"
_RENEWED_ID = "plenaria.renewed_session_id"


def renew(request: Request[Any, Any, Any], values: dict[str, Any]) -> None:
    """Replace the request's session by ``values`` under a new id (at sign-in)."""
    request.set_session({**values, _RENEW: True})


class RenewingSessionBackend(SQLAlchemyAsyncSessionBackend):
    """advanced-alchemy's backend, plus a new id when the session asks for one."""

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        renewed = connection.scope.get(_RENEWED_ID)
        return str(renewed) if renewed else super().get_session_id(connection)

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        if isinstance(scope_session, dict) and scope_session.pop(_RENEW, False):
            old = connection.cookies.get(self.config.key)
            if old and old != "null":
                await self.delete(old, store=self.config.get_store_from_app(connection.app))
            connection.scope[_RENEWED_ID] = self.generate_session_id()  # type: ignore[literal-required]
        await super().store_in_message(scope_session, message, connection)


def session_middleware(node: Node) -> DefineMiddleware:
    config = ServerSideSessionConfig(
        key=COOKIE,
        max_age=MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=node.settings.secure_cookies,
        exclude=NOT_PAGES,
    )
    alchemy = SQLAlchemyAsyncConfig(engine_instance=node.engine, session_maker=node.sessions)
    backend = RenewingSessionBackend(config=config, alchemy_config=alchemy, model=WebSession)
    return DefineMiddleware(SessionMiddleware, backend=backend)
