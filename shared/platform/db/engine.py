"""Async engines and sessions over asyncpg."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
#: Statements each connection keeps prepared (asyncpg's default of 100 is smaller than the
#: set a busy tier cycles through, so statements were being prepared again and again).
STATEMENT_CACHE = "500"
#: A pooled connection idle longer than this is pinged before it is handed out.
IDLE_PING_S = 2.0


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
    engine = create_async_engine(
        parsed.set(query=query),
        pool_size=pool_size,
        max_overflow=pool_size // 2,
        pool_recycle=1800,
        connect_args=connect_args,
    )
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Ping a connection before use only when it sat idle for a while.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout, and asyncpg's ping is three round
    trips (begin, ``;``, rollback): most of the cost of a small request. A connection that
    was in use a moment ago is as good as a ping; one idle across a PostgreSQL restart is
    caught here, and one cut while busy fails its statement, which invalidates the pool.
    """
    dialect = engine.dialect
    dbapi_error = dialect.loaded_dbapi.Error

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _idle_from(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_S:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dbapi_error as exc:
            # The pool throws this connection away and checks out another.
            raise DisconnectionError(str(exc)) from exc


def make_sessionmaker(
    engine: AsyncEngine, *, after_commit: Callable[[Session], None] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions on ``engine``; ``after_commit`` runs after every committed transaction (the node
    uses it to wake the outbox relay when the transaction staged messages)."""
    if after_commit is None:
        return async_sessionmaker(engine, expire_on_commit=False)
    session_class = type("NodeSession", (Session,), {})
    event.listen(session_class, "after_commit", after_commit)
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)
