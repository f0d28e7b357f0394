"""Three tier services in-process against the session's real PostgreSQL and nats-server.

Each federation gets fresh databases, fresh signing keys and unique durable names, and purges
the streams first, so tests never see one another's messages.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import nats
import pytest
from litestar import Litestar
from nats.js.errors import NotFoundError

from services.local.app import LOCAL
from services.national.app import NATIONAL
from services.regional.app import REGIONAL
from shared.contracts.subjects import STREAM_SUBJECTS
from shared.core.vocabulary import TIERS, Tier
from shared.platform.bus.signing import ensure_keypair
from shared.platform.db.migrate import upgrade
from shared.platform.feature import TierDefinition
from shared.platform.node import Node
from shared.platform.settings import Settings
from shared.platform.web.app import create_app
from shared.tools.runtime.nats_server import EmbeddedNats

T = TypeVar("T")
ADMIN_TOKEN = "test-admin-token"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


async def eventually(
    probe: Callable[[], Awaitable[T]],
    done: Callable[[T], bool] = bool,
    timeout: float = 30.0,  # noqa: ASYNC109 - a polling budget, not a cancellation
    interval: float = 0.2,
) -> T:
    """Poll ``probe`` until ``done(result)``; fail with the last result after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await probe()
        if done(result):
            return result
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"condition not reached within {timeout}s; last value: {result!r}")
        await asyncio.sleep(interval)


async def purge_streams(nats_url: str) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for name in STREAM_SUBJECTS:
            try:
                await js.purge_stream(name)
            except NotFoundError:
                continue
    finally:
        await nc.close()


@asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[None]:
    """Run the app's lifespan in one task of its own (anyio wants enter and exit there)."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()
    try:
        yield
    finally:
        stop.set()
        await task


@dataclass
class Federation:
    """The three tiers of one test: settings, nodes and HTTP clients."""

    settings: dict[Tier, Settings]
    nodes: dict[Tier, Node] = field(default_factory=dict)
    clients: dict[Tier, httpx.AsyncClient] = field(default_factory=dict)

    @property
    def local(self) -> httpx.AsyncClient:
        return self.clients["local"]

    @property
    def regional(self) -> httpx.AsyncClient:
        return self.clients["regional"]

    @property
    def national(self) -> httpx.AsyncClient:
        return self.clients["national"]


SPECS: dict[Tier, TierDefinition] = {"local": LOCAL, "regional": REGIONAL, "national": NATIONAL}


FederationFactory = Callable[..., Awaitable[Federation]]


@pytest.fixture
async def federation_factory(
    fresh_database: Callable[[str], Awaitable[str]],
    nats_server: EmbeddedNats,
    tmp_path: Path,
) -> AsyncIterator[FederationFactory]:
    """``await make(local={"relay_idle_s": 3600})`` → a running :class:`Federation`."""
    async with AsyncExitStack() as stack:

        async def make(**overrides: dict[str, Any]) -> Federation:
            await purge_streams(nats_server.url)
            run = uuid.uuid4().hex[:8]
            keys: dict[str, str] = {}
            seeds: dict[Tier, str] = {}
            for tier in TIERS:
                seeds[tier], keys[f"{tier}-{run}"] = ensure_keypair(tmp_path / f"{tier}.seed")
            trusted = tmp_path / "trusted.json"
            trusted.write_text(json.dumps(keys))
            settings: dict[Tier, Settings] = {}
            for tier in TIERS:
                url = await fresh_database(tier)
                await asyncio.to_thread(upgrade, url)
                values: dict[str, Any] = {
                    "tier": tier,
                    "database_url": url,
                    "nats_url": nats_server.url,
                    "instance": f"{tier}-{run}",
                    "signing_key": seeds[tier],
                    "trusted_keys_file": str(trusted),
                    "admin_token": ADMIN_TOKEN,
                    "data_dir": str(tmp_path),
                    "relay_idle_s": 0.2,
                    "shutdown_grace_s": 3.0,
                    **overrides.get(tier, {}),
                }
                settings[tier] = Settings(**values)
            federation = Federation(settings)
            for tier in TIERS:
                app = create_app(settings[tier], SPECS[tier])
                federation.nodes[tier] = app.state.node
                # The app runs in the test's own event loop (AsyncTestClient would move it to
                # a portal thread), so tests can also drive the node directly.
                await stack.enter_async_context(running(app))
                client = httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url=f"http://{tier}"
                )
                federation.clients[tier] = await stack.enter_async_context(client)
            for node in federation.nodes.values():
                await asyncio.wait_for(node.bus.wait_connected(), 30)
            return federation

        yield make


@pytest.fixture
async def federation(federation_factory: FederationFactory) -> Federation:
    return await federation_factory()
