"""Async engines and sessions over asyncpg."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
#: Statements each connection keeps prepared (asyncpg's default of 100 is smaller than the
#: set a busy tier cycles through, so statements were being prepared again and again).
STATEMENT_CACHE = "500"


def async_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs too and pin the asyncpg driver."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url!r}")


def make_engine(url: str, *, pool_size: int = 20) -> AsyncEngine:
    """An engine whose pool keeps ``pool_size`` connections (overflow closes its extras, and
    each new asyncpg connection costs a handshake and type introspection)."""
    parsed = make_url(async_url(url))
    query = dict(parsed.query)
    query.setdefault("prepared_statement_cache_size", STATEMENT_CACHE)
    connect_args: dict[str, Any] = {}
    if parsed.host in LOOPBACK_HOSTS and not {"ssl", "sslmode"} & set(query):
        # asyncpg's default ("prefer") tries TLS first on every connect; loopback needs none.
        connect_args["ssl"] = False
    return create_async_engine(
        parsed.set(query=query),
        pool_size=pool_size,
        max_overflow=pool_size // 2,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args=connect_args,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
