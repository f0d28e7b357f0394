"""Domain errors: raised by pure rules and use cases, mapped to problem details at the edge."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the domain refuses; ``status`` is the HTTP status the web edge should use."""

    status = 400
    title = "Invalid request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class Invalid(DomainError):
    status = 422
    title = "Invalid input"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Unauthorized(DomainError):
    status = 401
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
