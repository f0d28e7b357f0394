"""Which exceptions mean "the database is away right now": retry later, never give up on a loop.

SQLAlchemy wraps what a statement raises, but opening a pool connection while PostgreSQL
restarts raises asyncpg's own errors unwrapped — ``CannotConnectNowError`` while it starts up,
``ConnectionDoesNotExistError`` from the pre-ping of a connection the restart cut — and
``OSError`` while the port refuses connections.
"""

from __future__ import annotations

import asyncpg
from sqlalchemy.exc import SQLAlchemyError

DATABASE_ERRORS: tuple[type[Exception], ...] = (
    SQLAlchemyError,
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)
