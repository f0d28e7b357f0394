"""One NATS connection per process, connected in the background and retried while NATS is away."""

from __future__ import annotations

import asyncio
import contextlib

import nats
import structlog
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from shared.contracts.subjects import STREAM_SUBJECTS
from shared.platform.bus.metrics import BUS_CONNECTED
from shared.platform.settings import Settings

log = structlog.get_logger(__name__)


class BusUnavailable(Exception):
    """NATS is not connected right now; the caller should retry later."""


class Bus:
    """Owns the NATS client: connects with retries, declares streams, reports readiness."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def js(self) -> JetStreamContext:
        if self._js is None or self._nc is None or not self._nc.is_connected:
            raise BusUnavailable("NATS is not connected")
        return self._js

    @property
    def is_connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    async def wait_connected(self) -> None:
        await self._connected.wait()

    def start(self) -> None:
        """Begin connecting in the background; the service starts even while NATS is down."""
        self._task = asyncio.create_task(self._connect_forever(), name="bus-connect")

    async def _connect_forever(self) -> None:
        delay = 0.2
        while True:
            try:
                nc = await nats.connect(
                    servers=[url.strip() for url in self.settings.nats_url.split(",")],
                    name=f"plenaria-{self.settings.sender_id}",
                    user=self.settings.nats_user or None,
                    password=self.settings.nats_password or None,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=1,
                    connect_timeout=2,
                    drain_timeout=5,
                    disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnected,
                    error_cb=self._on_error,
                )
            except (OSError, TimeoutError, nats.errors.Error) as exc:
                log.warning("bus.connect_failed", error=str(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            self._nc = nc
            self._js = nc.jetstream(timeout=10)
            break
        await self._declare_streams_until_done()

    async def _declare_streams_until_done(self) -> None:
        delay = 0.2
        while True:
            try:
                await self.declare_streams()
            except (nats.errors.Error, TimeoutError, BusUnavailable) as exc:
                log.warning("bus.streams_failed", error=str(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            self._connected.set()
            BUS_CONNECTED.set(1)
            log.info("bus.connected", url=self.settings.nats_url)
            return

    async def declare_streams(self) -> None:
        """Create (or update) the up and down streams with the configured duplicate window,
        or, where an administrator provisions them, check that they exist."""
        if self.settings.declare_streams:
            await declare_streams(self.js, self.settings)
            return
        for name in STREAM_SUBJECTS:
            await self.js.stream_info(name)  # NotFoundError (a nats error): retried

    async def streams_ready(self) -> bool:
        """True when connected and every stream answers (used by /health/ready)."""
        if not self._connected.is_set() or not self.is_connected:
            return False
        try:
            for name in STREAM_SUBJECTS:
                await self.js.stream_info(name)
        except (nats.errors.Error, TimeoutError, BusUnavailable):
            return False
        return True

    async def _on_disconnected(self) -> None:
        BUS_CONNECTED.set(0)
        log.warning("bus.disconnected")

    async def _on_reconnected(self) -> None:
        BUS_CONNECTED.set(1)
        log.info("bus.reconnected")
        # A restarted single node may have lost nothing, but declaring is idempotent and cheap.
        with contextlib.suppress(nats.errors.Error, TimeoutError, BusUnavailable):
            await self.declare_streams()

    async def _on_error(self, exc: Exception) -> None:
        log.warning("bus.error", error=str(exc))

    async def close(self) -> None:
        """Drain: finish in-flight publishes and acks, then close."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._nc is not None and not self._nc.is_closed:
            with contextlib.suppress(nats.errors.Error, TimeoutError):
                await self._nc.drain()
        BUS_CONNECTED.set(0)


async def declare_streams(js: JetStreamContext, settings: Settings) -> None:
    """Create (or update) the up and down streams: the provisioning step's job, with the NATS
    administrator's credentials (or a service's own, where it may administer streams)."""
    for name, subjects in STREAM_SUBJECTS.items():
        config = StreamConfig(
            name=name,
            subjects=subjects,
            storage=StorageType.FILE,
            num_replicas=settings.stream_replicas,
            duplicate_window=settings.duplicate_window_s,
            max_age=settings.stream_max_age_s,
            max_bytes=settings.stream_max_bytes or -1,
            # A full stream refuses new messages (the relay retries from the outbox) instead of
            # dropping old ones a consumer may not have read yet.
            discard=DiscardPolicy.NEW,
        )
        try:
            await js.stream_info(name)
            await js.update_stream(config)
        except NotFoundError:
            await js.add_stream(config)
