"""Outbox relay: publishes unsent rows to JetStream with ``Nats-Msg-Id`` and marks them sent.

Rows are claimed with ``FOR UPDATE SKIP LOCKED`` so several instances share the work. A relay
that dies after publishing but before marking republishes the same ids later: JetStream's
duplicate window drops them, and the receivers' inbox ignores any that slip past the window.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import nats
import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.platform.bus.connection import Bus, BusUnavailable
from shared.platform.bus.errors import DATABASE_ERRORS
from shared.platform.bus.metrics import OUTBOX_FAILURES, OUTBOX_PUBLISHED
from shared.platform.bus.models import OutboxEntry
from shared.platform.settings import Settings

log = structlog.get_logger(__name__)
PUBLISH_ACK_TIMEOUT_S = 15.0
#: NATS or PostgreSQL away: back off and try the same rows again.
RETRYABLE: tuple[type[Exception], ...] = (
    BusUnavailable,
    nats.errors.Error,
    TimeoutError,
    *DATABASE_ERRORS,
)


class OutboxRelay:
    """Background task moving committed outbox rows onto JetStream."""

    def __init__(
        self, settings: Settings, bus: Bus, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        self.settings = settings
        self.bus = bus
        self.sessions = sessions
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        """Ask for an immediate pass (called after a use case committed outbox rows)."""
        self._wake.set()

    async def run(self) -> None:
        backoff = 0.2
        while not self._stopping:
            try:
                sent = await self.relay_once()
            except RETRYABLE as exc:
                OUTBOX_FAILURES.inc()
                log.warning("outbox.relay_failed", error=str(exc), retry_in=backoff)
                # A plain sleep: new commits must not cut the backoff short during an outage.
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.settings.relay_max_backoff_s)
                continue
            backoff = 0.2
            if sent < self.settings.relay_batch:
                await self._sleep(self.settings.relay_idle_s)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows were published and marked sent."""
        async with self.sessions() as session, session.begin():
            rows = (
                await session.execute(
                    select(
                        OutboxEntry.id, OutboxEntry.subject, OutboxEntry.data, OutboxEntry.headers
                    )
                    .where(OutboxEntry.sent_at.is_(None))
                    .order_by(OutboxEntry.seq)
                    .limit(self.settings.relay_batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            published = await self.publish(rows)
            acked = set(published)
            failed = [row.id for row in rows if row.id not in acked]
            if failed:
                await session.execute(
                    update(OutboxEntry)
                    .where(OutboxEntry.id.in_(failed))
                    .values(attempts=OutboxEntry.attempts + 1)
                )
            await self.mark_sent(session, published)
        OUTBOX_PUBLISHED.inc(len(published))
        if len(published) < len(rows):
            raise BusUnavailable(f"{len(rows) - len(published)} publishes not acknowledged")
        return len(published)

    async def publish(self, rows: Sequence[Any]) -> list[str]:
        """Pipeline the publishes and wait for every acknowledgement; return acked ids."""
        js = self.bus.js
        futures = [
            await js.publish_async(row.subject, row.data, headers=dict(row.headers)) for row in rows
        ]
        try:
            results = await asyncio.wait_for(
                asyncio.gather(*futures, return_exceptions=True), PUBLISH_ACK_TIMEOUT_S
            )
        except TimeoutError:
            for future in futures:
                future.cancel()
            log.warning("outbox.acks_timed_out", pending=len(futures))
            return []
        acked: list[str] = []
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                log.warning("outbox.publish_failed", message_id=row.id, error=str(result))
            else:
                acked.append(row.id)
        return acked

    @staticmethod
    async def mark_sent(session: AsyncSession, ids: Sequence[str]) -> None:
        if ids:
            await session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id.in_(list(ids)))
                .values(sent_at=datetime.now(UTC), last_error=None)
            )

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
