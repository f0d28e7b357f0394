"""Transactions for use cases: what every feature service is handed instead of a sessionmaker.

``transaction()`` opens a session, begins, commits on success and rolls back on error;
``reading()`` is a session for reads. Committing a transaction that staged outbox messages
wakes the relay (the node's sessionmaker does that), so no use case has to remember it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class Database:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session
