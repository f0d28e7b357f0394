"""Bearer-token checks shared by the tiers (administrative endpoints)."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from shared.core.errors import Forbidden, Unauthorized


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("a bearer token is required")
    return token.strip()


def admin_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Allow only the operator's admin token (``PLENARIA_ADMIN_TOKEN``)."""
    expected = connection.app.state.node.settings.admin_token
    token = bearer_token(connection)
    if not expected or not hmac.compare_digest(token, expected):
        raise Forbidden("this endpoint needs the administrator token")


def presented_token(request: Request[Any, Any, Any]) -> str | None:
    """The bearer token a request presents, if any (a dependency: ``token``)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
