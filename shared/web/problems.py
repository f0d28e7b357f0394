"""RFC 9457 problem details for every error the API returns; never a bare 500 page."""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from shared.domain.errors import DomainError

log = structlog.get_logger(__name__)
PROBLEM_JSON = "application/problem+json"


def problem(
    status: int, title: str, detail: str = "", instance: str = "", **extra: Any
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"type": "about:blank", "status": status, "title": title}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return problem(exc.status, exc.title, exc.detail, request.url.path, **exc.extra)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
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


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
