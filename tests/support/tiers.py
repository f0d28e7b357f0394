"""Tier services in-process against the session's real PostgreSQL and nats-server.

A test starts one tier alone (``tier_factory("local")``, or the ``local_tier``, ``regional_tier``
and ``national_tier`` fixtures) or all three (``federation_factory()``, ``federation``). Each start
gets fresh databases, fresh signing keys, unique durable names, and purges the streams first, so
tests never see one another's messages.

The keys of all three tiers exist and trust one another even when only one tier runs:
:meth:`Federation.outbox` signs as a tier that is not running, so a test can hand the running
tier exactly the messages the others would send it (a report from below, an answer from above).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from shared.platform.bus.outbox import Outbox
from shared.platform.bus.signing import Signer, ensure_keypair
from shared.platform.db.migrate import upgrade
from shared.platform.feature import TierDefinition
from shared.platform.node import Node
from shared.platform.settings import Settings
from shared.platform.web.app import create_app
from shared.tools.runtime.nats_server import EmbeddedNats
from shared.tools.staffing import NATIONWIDE_STAFF, appoint, bearer
from tests.support.servers import MakeDatabase

#: Each tier operator's own credential: infrastructure only (dead letters, keys, the first
#: grants), and only at that tier.
ADMIN_TOKENS: dict[Tier, str] = {tier: f"test-admin-token-{tier}" for tier in TIERS}


def operator(tier: Tier) -> dict[str, str]:
    """The headers of ``tier``'s operator token."""
    return {"Authorization": f"Bearer {ADMIN_TOKENS[tier]}"}


SPECS: dict[Tier, TierDefinition] = {"local": LOCAL, "regional": REGIONAL, "national": NATIONAL}


async def purge_streams(nats_url: str) -> None:
    nc = await nats.connect(nats_url.split(","))
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
    """The tiers of one test: the settings (and keys) of all three; the nodes and HTTP clients
    of those that run."""

    settings: dict[Tier, Settings]
    nodes: dict[Tier, Node] = field(default_factory=dict)
    clients: dict[Tier, httpx.AsyncClient] = field(default_factory=dict)
    #: Each running tier's nation-wide staff (:data:`shared.tools.staffing.NATIONWIDE_STAFF`),
    #: appointed by its operator at start: the headers of their API token.
    staff: dict[Tier, dict[str, str]] = field(default_factory=dict)

    async def person(
        self,
        tier: Tier,
        *grants: dict[str, Any],
        name: str = "Pessoa de teste",
        by: dict[str, str] | None = None,
    ) -> dict[str, str]:
        """Appoint someone at ``tier`` to ``grants`` (``by`` appoints: the operator, or e.g. a
        convener's headers); the headers of their API token."""
        token = await appoint(
            self.client(tier),
            (by or operator(tier))["Authorization"].removeprefix("Bearer "),
            name=name,
            grants=grants,
        )
        return bearer(token)

    def browser(self, tier: Tier) -> httpx.AsyncClient:
        """A new client of ``tier`` with a cookie jar of its own (one person's browser); the
        caller closes it (``async with``)."""
        app = self.client(tier)._transport
        return httpx.AsyncClient(transport=app, base_url=f"http://{tier}")

    def client(self, tier: Tier) -> httpx.AsyncClient:
        try:
            return self.clients[tier]
        except KeyError:
            raise AssertionError(f"the {tier} tier does not run in this test") from None

    @property
    def local(self) -> httpx.AsyncClient:
        return self.client("local")

    @property
    def regional(self) -> httpx.AsyncClient:
        return self.client("regional")

    @property
    def national(self) -> httpx.AsyncClient:
        return self.client("national")

    @property
    def nats_url(self) -> str:
        return next(iter(self.settings.values())).nats_url

    def node(self, tier: Tier) -> Node:
        try:
            return self.nodes[tier]
        except KeyError:
            raise AssertionError(f"the {tier} tier does not run in this test") from None

    def outbox(self, tier: Tier) -> Outbox:
        """What ``tier`` signs with: its node's outbox, or (when it does not run here) an outbox
        with its instance key, which the running tiers trust the same way."""
        if tier in self.nodes:
            return self.nodes[tier].outbox
        settings = self.settings[tier]
        return Outbox(Signer(settings.sender_id, settings.signing_key))


async def start_tiers(
    stack: AsyncExitStack,
    *,
    tiers: Iterable[Tier],
    fresh_database: MakeDatabase,
    nats_url: str,
    root: Path,
    overrides: dict[Tier, dict[str, Any]] | None = None,
) -> Federation:
    """Start ``tiers`` (each with a fresh, migrated database) on ``stack``; the others only get
    settings and keys."""
    started = [tier for tier in TIERS if tier in set(tiers)]
    await purge_streams(nats_url)
    run = uuid.uuid4().hex[:8]
    keys: dict[str, str] = {}
    seeds: dict[Tier, str] = {}
    for tier in TIERS:
        seeds[tier], keys[f"{tier}-{run}"] = ensure_keypair(root / f"{tier}-{run}.seed")
    trusted = root / f"trusted-{run}.json"
    trusted.write_text(json.dumps(keys))
    settings: dict[Tier, Settings] = {}
    for tier in TIERS:
        url = ""
        if tier in started:
            url = await fresh_database(tier)
            await asyncio.to_thread(upgrade, url)
        values: dict[str, Any] = {
            "tier": tier,
            "database_url": url,
            "nats_url": nats_url,
            "instance": f"{tier}-{run}",
            "signing_key": seeds[tier],
            "trusted_keys_file": str(trusted),
            "admin_token": ADMIN_TOKENS[tier],
            "data_dir": str(root),
            "relay_idle_s": 0.2,
            "shutdown_grace_s": 3.0,
            **(overrides or {}).get(tier, {}),
        }
        settings[tier] = Settings(**values)
    federation = Federation(settings)
    for tier in started:
        app = create_app(settings[tier], SPECS[tier])
        federation.nodes[tier] = app.state.node
        # The app runs in the test's own event loop (AsyncTestClient would move it to a portal
        # thread), so tests can also drive the node directly.
        await stack.enter_async_context(running(app))
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{tier}"
        )
        federation.clients[tier] = await stack.enter_async_context(client)
    for node in federation.nodes.values():
        await asyncio.wait_for(node.bus.wait_connected(), 30)
    for tier in started:
        federation.staff[tier] = await federation.person(
            tier, *NATIONWIDE_STAFF[tier], name=f"Equipe {tier}"
        )
    return federation


@asynccontextmanager
async def another_process(fed: Federation, tier: Tier) -> AsyncIterator[httpx.AsyncClient]:
    """A second process of a running ``tier`` — same settings, database and bus, as
    ``plenaria up --cluster`` runs them, or the first one restarted: its memory is its own
    (a ballot box key opened in the first is locked here). Yields its client."""
    app = create_app(fed.settings[tier], SPECS[tier])
    async with (
        running(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{tier}"
        ) as client,
    ):
        yield client


FederationFactory = Callable[..., Awaitable[Federation]]
TierFactory = Callable[..., Awaitable[Federation]]


@pytest.fixture
async def federation_factory(
    fresh_database: MakeDatabase, nats_server: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[FederationFactory]:
    """``await make(local={"relay_idle_s": 3600})`` → the three tiers running."""
    async with AsyncExitStack() as stack:

        async def make(**overrides: dict[str, Any]) -> Federation:
            return await start_tiers(
                stack,
                tiers=TIERS,
                fresh_database=fresh_database,
                nats_url=nats_server.url,
                root=tmp_path,
                overrides=dict(overrides),  # type: ignore[arg-type]
            )

        yield make


@pytest.fixture
async def federation(federation_factory: FederationFactory) -> Federation:
    return await federation_factory()


@pytest.fixture
async def tier_factory(
    fresh_database: MakeDatabase, nats_server: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[TierFactory]:
    """``await make("regional", max_message_bytes=16384)`` → that tier alone running."""
    async with AsyncExitStack() as stack:

        async def make(tier: Tier, **settings: Any) -> Federation:
            return await start_tiers(
                stack,
                tiers=[tier],
                fresh_database=fresh_database,
                nats_url=nats_server.url,
                root=tmp_path,
                overrides={tier: settings},
            )

        yield make


@pytest.fixture
async def local_tier(tier_factory: TierFactory) -> Federation:
    """The local tier alone."""
    return await tier_factory("local")


@pytest.fixture
async def regional_tier(tier_factory: TierFactory) -> Federation:
    """The regional tier alone."""
    return await tier_factory("regional")


@pytest.fixture
async def national_tier(tier_factory: TierFactory) -> Federation:
    """The national tier alone."""
    return await tier_factory("national")


@pytest.fixture(scope="module")
async def module_federation(
    fresh_database: MakeDatabase,
    nats_server: EmbeddedNats,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Federation]:
    """The three tiers shared by the tests of one module: for a long scenario whose stages
    (module-scoped fixtures of that module) several tests check. No other federation may start
    while it runs (each start purges the streams), so a module using it uses nothing else."""
    async with AsyncExitStack() as stack:
        yield await start_tiers(
            stack,
            tiers=TIERS,
            fresh_database=fresh_database,
            nats_url=nats_server.url,
            root=tmp_path_factory.mktemp("federation"),
        )
