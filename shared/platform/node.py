"""The running parts of one tier process, built once by its composition root.

A node owns the database engine, the NATS bus, the outbox relay and the durable consumers, and
starts and stops them in order so shutdown drains NATS and finishes in-flight work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import text
from sqlalchemy.orm import Session

from shared.contracts.subjects import subscriptions
from shared.platform.bus.connection import Bus
from shared.platform.bus.consumer import ConsumerLoop
from shared.platform.bus.errors import DATABASE_ERRORS
from shared.platform.bus.inbox import Handler, Receiver, prune_inbox
from shared.platform.bus.keys import TrustedInstance, TrustStore, read_trusted_file
from shared.platform.bus.outbox import Outbox, staged_in
from shared.platform.bus.relay import OutboxRelay
from shared.platform.bus.signing import Signer, ensure_keypair
from shared.platform.db.database import Database
from shared.platform.db.engine import make_engine, make_sessionmaker
from shared.platform.settings import Settings

if TYPE_CHECKING:
    from shared.platform.feature import BackgroundLoop

log = structlog.get_logger(__name__)

HandlerFactory = Callable[["Node"], Mapping[str, Handler]]


def signing_seed(settings: Settings) -> str:
    """The configured seed, or the one stored under the data directory (created once)."""
    if settings.signing_key:
        return settings.signing_key
    if settings.signing_key_file:
        return Path(settings.signing_key_file).read_text().strip()
    seed, _ = ensure_keypair(Path(settings.data_dir) / "keys" / f"{settings.sender_id}.seed")
    return seed


class Node:
    """Engine, bus, outbox, relay, receiver and consumers of one tier process."""

    def __init__(self, settings: Settings, handlers: HandlerFactory | None = None) -> None:
        if not settings.database_url:
            raise ValueError(
                f"no database configured: set PLENARIA_{settings.tier.upper()}_DATABASE_URL "
                "or PLENARIA_DATABASE_URL"
            )
        self.settings = settings
        self.engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
        self.sessions = make_sessionmaker(self.engine, after_commit=self._after_commit)
        self.db = Database(self.sessions)
        #: The features' services by name, once the tier's app has built them.
        self.services: dict[str, Any] = {}
        self.signer = Signer(settings.sender_id, signing_seed(settings))
        instances = read_trusted_file(settings.trusted_keys_file)
        instances.setdefault(
            self.signer.key_id,
            TrustedInstance(public_key=self.signer.public_key, tier=settings.tier),
        )
        self.trust = TrustStore(instances)
        self.bus = Bus(settings)
        self.outbox = Outbox(self.signer)
        self.relay = OutboxRelay(settings, self.bus, self.sessions)
        self.receiver = Receiver(
            self.sessions,
            self.trust,
            (handlers or (lambda _: {}))(self),
            max_message_bytes=settings.max_message_bytes,
        )
        self.consumers = [
            ConsumerLoop(settings, self.bus, self.receiver, sub)
            for sub in subscriptions(settings.tier, settings.sender_id)
        ]
        self._tasks: list[asyncio.Task[None]] = []
        self._loops: list[BackgroundLoop] = []
        self._stopping = False

    async def start(self) -> None:
        try:
            async with self.sessions() as session:
                await self.trust.reload(session)
        except DATABASE_ERRORS as exc:
            # The receiver reloads keys on the first unknown sender, so this is not fatal.
            log.warning("node.keys_not_loaded", error=str(exc))
        self.bus.start()
        # Supervised: a loop that dies of an error nobody foresaw would otherwise leave a
        # process that looks ready but never relays or consumes again.
        self._spawn("outbox-relay", self.relay.run)
        self._spawn("inbox-pruning", self._prune_inbox)
        for consumer in self.consumers:
            self._spawn(f"consumer-{consumer.subscription.durable}", consumer.run)
        log.info("node.started", consumers=[c.subscription.durable for c in self.consumers])

    async def _prune_inbox(self) -> None:
        """Every ``inbox_prune_interval_s``, forget inbox rows older than the retention (the
        inbox would otherwise grow with every message ever applied)."""
        while not self._stopping:
            older_than = datetime.now(UTC) - timedelta(seconds=self.settings.inbox_retention_s)
            try:
                async with self.db.transaction() as session:
                    pruned = await prune_inbox(session, older_than=older_than)
                if pruned:
                    log.info("inbox.pruned", rows=pruned)
            except DATABASE_ERRORS as exc:
                log.warning("inbox.prune_failed", error=str(exc))
            step, slept = min(1.0, self.settings.inbox_prune_interval_s), 0.0
            while slept < self.settings.inbox_prune_interval_s and not self._stopping:
                await asyncio.sleep(step)
                slept += step

    def run_loop(self, loop: BackgroundLoop) -> None:
        """Supervise a feature's background loop until the node stops (then ``loop.stop()``)."""
        self._loops.append(loop)
        self._spawn(loop.name, loop.run)

    def _spawn(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        """Run a background loop; if it ever crashes, log the traceback and start it again."""

        async def supervised() -> None:
            while not self._stopping:
                try:
                    await run()
                    return
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("node.task_crashed", task=name)
                    await asyncio.sleep(1.0)

        self._tasks.append(asyncio.create_task(supervised(), name=name))

    async def stop(self) -> None:
        """Stop taking work, let the message in hand finish, relay what is committed, drain."""
        self._stopping = True
        for loop in self._loops:
            loop.stop()
        for consumer in self.consumers:
            consumer.stop()
        deadline = asyncio.get_running_loop().time() + self.settings.shutdown_grace_s
        while any(c.in_flight for c in self.consumers):
            if asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.05)
        self.relay.stop()
        _done, pending = await asyncio.wait(self._tasks, timeout=self.settings.shutdown_grace_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await self.bus.close()
        await self.engine.dispose()
        log.info("node.stopped", unfinished=len(pending))

    async def database_ready(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except DATABASE_ERRORS:
            return False
        return True

    def _after_commit(self, session: Session) -> None:
        """A committed transaction that staged messages wakes the relay at once."""
        if staged_in(session):
            self.relay.wake()
