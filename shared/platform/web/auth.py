"""Who is asking, at the HTTP edge: the principal the identity feature resolved for this request,
route guards by role, and how both show in the OpenAPI document.

A route declares the roles that may use it with :func:`allow`; its guard refuses the public
(401) and anyone without one of those roles (403) before the request body is even read. The
finer check — *this* assembly, *this* territory, *this* council — is the use case's, with the
target in hand (:meth:`shared.core.access.Principal.require`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
from litestar import Litestar, Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.handlers.http_handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Reference, SecurityScheme
from litestar.types import Guard

from shared.core.access import ANONYMOUS, ROLE_INFO, Principal, Role
from shared.core.errors import Forbidden, Unauthorized
from shared.core.vocabulary import Tier

#: Where the principal of a request is kept in its ASGI scope (Litestar's ``request.user``).
USER = "user"


class Problem(msgspec.Struct, kw_only=True):
    """An RFC 9457 problem document (every error this API returns)."""

    type: str = "about:blank"
    status: int
    title: str
    detail: str = ""
    instance: str = ""


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get(USER)
    return user if isinstance(user, Principal) else ANONYMOUS


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """The ``principal`` dependency of every route."""
    return principal_of(request)


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def role_guard(roles: Iterable[Role]) -> Guard:
    wanted = tuple(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = principal_of(connection)
        if principal.anonymous:
            raise Unauthorized("sign in, or present a token, to do this")
        if not principal.roles.intersection(wanted):
            raise Forbidden(f"this needs the {' or '.join(wanted)} role")

    return guard


UNAUTHORISED = ResponseSpec(
    data_container=Problem, description="No credential, or one that is unknown, expired or revoked"
)
FORBIDDEN = ResponseSpec(
    data_container=Problem,
    description="The credential holds none of the roles named, or not for this target",
)


CONFLICT = ResponseSpec(
    data_container=Problem,
    description="The target's state does not allow this now (closed, already done, in use)",
)
UNPROCESSABLE = ResponseSpec(
    data_container=Problem,
    description="Well-formed, but the conference's rules refuse it (the detail says which)",
)
#: What every write documents besides its success (:func:`document_operations`).
WRITE_RESPONSES: dict[int, ResponseSpec] = {409: CONFLICT, 422: UNPROCESSABLE}


def allow(*roles: Role) -> dict[str, Any]:
    """Route options for an action only ``roles`` may take: the guard, the OpenAPI security
    requirement (one scheme per role) and the documented 401 and 403."""
    return {
        "guards": [role_guard(roles)],
        "security": [{role: []} for role in roles],
        "responses": {401: UNAUTHORISED, 403: FORBIDDEN},
        "opt": {"roles": roles},
    }


def with_a_code() -> dict[str, Any]:
    """Route options for a write whose credential is a one-time code in its body (a sign-in
    code, a delegate's claim): no bearer token, and the refusals it documents."""
    return {
        "security": [],
        "responses": {401: UNAUTHORISED},
        "opt": {"credential": "code"},
    }


def security_schemes(tier: Tier) -> dict[str, SecurityScheme | Reference]:
    """One bearer scheme per role that exists at ``tier`` (the API takes bearer tokens only;
    the browser session serves the pages, which are not in the API document)."""
    schemes: dict[str, SecurityScheme | Reference] = {
        role: SecurityScheme(
            type="http",
            scheme="bearer",
            description=f"{info.title_pt}: {info.does}"
            + (f" (granted by: {', '.join(info.granted_by)})" if info.granted_by else ""),
        )
        for role, info in ROLE_INFO.items()
        if tier in info.tiers
    }
    return schemes


def document_operations(app: Litestar) -> None:
    """Finish every operation's OpenAPI entry: the summary is the first sentence of the
    handler's docstring (the description is all of it), and every write documents 409 and
    422."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            doc = " ".join((handler.fn.__doc__ or "").split())
            if doc and not handler.summary:
                handler.summary = _first_sentence(doc)
            if handler.http_methods - {"GET", "HEAD", "OPTIONS"}:
                handler.responses = {**WRITE_RESPONSES, **(handler.responses or {})}


def _first_sentence(text: str, limit: int = 120) -> str:
    ends = [i for i in (text.find(e) for e in (". ", "; ", ": ")) if i > 0]
    text = text[: min(ends)] if ends else text.rstrip(".")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
