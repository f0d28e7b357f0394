"""RFC 9457 problem details for every error the API returns; never a bare 500 page."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import (
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import Send
from sqlalchemy.exc import DBAPIError, InterfaceError

from shared.core.errors import DomainError

log = structlog.get_logger(__name__)
PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_S = 5
#: Raised (unwrapped, or as a DBAPIError's cause) while PostgreSQL is restarting or unreachable.
DATABASE_AWAY = (
    ConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.ConnectionFailureError,
    asyncpg.exceptions.AdminShutdownError,
)


def problem(
    status: int, title: str, detail: str = "", instance: str = "", **extra: Any
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"type": "about:blank", "status": status, "title": title}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    headers = (
        {"Retry-After": str(RETRY_AFTER_S)} if status == HTTP_503_SERVICE_UNAVAILABLE else None
    )
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def problem_bytes(send: Send, error: DomainError, *, path: str = "") -> None:
    """Answer a domain refusal straight from ASGI middleware (before any route runs)."""
    body: dict[str, Any] = {"type": "about:blank", "status": error.status, "title": error.title}
    if error.detail:
        body["detail"] = error.detail
    if path:
        body["instance"] = path
    payload = msgspec.json.encode({**body, **error.extra})
    start: Any = {
        "type": "http.response.start",
        "status": error.status,
        "headers": [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(payload)).encode()),
        ],
    }
    await send(start)
    body_event: Any = {"type": "http.response.body", "body": payload}
    await send(body_event)


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return problem(exc.status, exc.title, exc.detail, request.url.path, **exc.extra)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code >= HTTP_500_INTERNAL_SERVER_ERROR:
        # A framework-level failure (e.g. a response that cannot be encoded) is our bug.
        log.exception("request.failed", path=request.url.path, error=str(exc))
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationException) and exc.extra:
        extra["errors"] = exc.extra
    title = {
        400: "Bad request",
        401: "Authentication required",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        409: "Conflict",
        413: "Payload too large",
        415: "Unsupported media type",
    }.get(exc.status_code, "Request failed")
    return problem(exc.status_code, title, str(exc.detail), request.url.path, **extra)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Last resort: log the traceback with the request id, answer a problem document."""
    log.exception("request.failed", path=request.url.path, error=str(exc))
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR, "Internal error", "the error was logged", request.url.path
    )


#: SQLSTATEs PostgreSQL answers when a value the client sent cannot be stored or compared:
#: the request is at fault (and its transaction rolled back), so it gets a 4xx. Anything else
#: from the database (a NOT NULL violation, a lost connection, a syntax error) is our bug or
#: outage and stays a logged 500.
BAD_INPUT_SQLSTATES: dict[str, tuple[int, str]] = {
    "22001": (HTTP_422_UNPROCESSABLE_ENTITY, "a text value is too long"),
    "22003": (HTTP_422_UNPROCESSABLE_ENTITY, "a number is out of range"),
    "22007": (HTTP_422_UNPROCESSABLE_ENTITY, "a date or time is malformed"),
    "22008": (HTTP_422_UNPROCESSABLE_ENTITY, "a date or time is out of range"),
    "22021": (
        HTTP_422_UNPROCESSABLE_ENTITY,
        "a text value holds a character that cannot be stored (e.g. NUL)",
    ),
    "22P02": (HTTP_422_UNPROCESSABLE_ENTITY, "a value is malformed"),
    "22P05": (
        HTTP_422_UNPROCESSABLE_ENTITY,
        "a text value holds a character that cannot be stored",
    ),
    "23503": (HTTP_409_CONFLICT, "the request refers to a record that does not exist"),
    "23505": (HTTP_409_CONFLICT, "a record with the same identity already exists"),
    "23514": (HTTP_409_CONFLICT, "the request breaks a rule of the stored data"),
}


def database_away_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The database is restarting or unreachable: say so (503, Retry-After), not a 500."""
    log.warning("request.database_unavailable", path=request.url.path, error=repr(exc))
    return problem(
        HTTP_503_SERVICE_UNAVAILABLE,
        "Service unavailable",
        "the database cannot be reached right now; nothing was changed, try again shortly",
        request.url.path,
    )


def database_error_handler(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    """A value the database refused is the client's error; any other database error is ours."""
    cause = getattr(exc.orig, "__cause__", None)
    if (
        exc.connection_invalidated
        or isinstance(exc, InterfaceError)
        or isinstance(exc.orig, DATABASE_AWAY)
        or isinstance(cause, DATABASE_AWAY)
    ):
        return database_away_handler(request, exc)
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    known = BAD_INPUT_SQLSTATES.get(str(sqlstate))
    if known is None:
        return internal_error_handler(request, exc)
    status, detail = known
    log.warning("request.refused_by_database", path=request.url.path, sqlstate=sqlstate)
    title = "Conflict" if status == HTTP_409_CONFLICT else "Invalid input"
    return problem(status, title, detail, request.url.path)


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    DBAPIError: database_error_handler,
    **dict.fromkeys(DATABASE_AWAY, database_away_handler),
    Exception: internal_error_handler,
}
