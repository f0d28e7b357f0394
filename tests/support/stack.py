"""The three tiers as real processes, started by the `plenaria up` supervisor itself.

The supervisor runs on a temporary data directory with the session's PostgreSQL (a fresh
database per tier) and nats-server as external servers, so what these tests kill, restart and
count is exactly what `plenaria up` runs. A background task plays the supervisor's loop
(:meth:`Supervisor.check`), so a killed service comes back the way it would in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
import pytest
from nats.js.api import ConsumerInfo
from nats.js.errors import NotFoundError

from shared.contracts.subjects import subscriptions
from shared.core.vocabulary import TIERS, Tier
from shared.platform.settings import tier_env
from shared.tools.runtime.nats_server import EmbeddedNats
from shared.tools.runtime.ports import free_port
from shared.tools.runtime.services import ServiceProcess
from shared.tools.runtime.supervisor import Supervisor, UpOptions, service_command
from shared.tools.staffing import NATIONWIDE_STAFF, appoint, bearer
from tests.support.polling import eventually
from tests.support.servers import MakeDatabase
from tests.support.tiers import ADMIN_TOKENS, purge_streams

#: Small enough that a killed consumer's unacknowledged messages come back within the test.
ACK_WAIT_S = 4.0

PROPOSALS = [
    ("saude-1", "national", "Ampliar o número de UBS nas periferias"),
    ("saude-1", "state", "Garantir transporte sanitário intermunicipal"),
    ("saude-2", "national", "Fortalecer os CAPS com equipes completas"),
    ("saude-2", "state", "Regionalizar o SAMU com bases descentralizadas"),
    ("saude-3", "national", "Piso salarial nacional para agentes comunitários"),
    ("saude-3", "municipal", "Reformar a UBS do bairro Jardim"),
]


def plain_url(url: str) -> str:
    """asyncpg wants ``postgresql://``; the services take ``postgresql+asyncpg://``."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def query(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    """One statement on a fresh connection (survives a PostgreSQL restart between calls)."""
    connection = await asyncpg.connect(plain_url(url), timeout=10)
    try:
        rows: list[asyncpg.Record] = await connection.fetch(sql, *args)
        return rows
    finally:
        await connection.close()


async def scalar(url: str, sql: str, *args: Any) -> Any:
    rows = await query(url, sql, *args)
    return rows[0][0] if rows else None


@dataclass
class Stack:
    """`plenaria up` on external servers, plus any extra instances a test starts."""

    supervisor: Supervisor
    database_urls: dict[Tier, str]
    nats_url: str
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    extra: list[ServiceProcess] = field(default_factory=list)
    _staff: dict[Tier, dict[str, str]] = field(default_factory=dict)

    async def staff(self, tier: Tier) -> dict[str, str]:
        """The tier's nation-wide staff (appointed by its operator on first use): headers."""
        if tier not in self._staff:
            token = await appoint(
                self.client(tier),
                ADMIN_TOKENS[tier],
                name=f"Equipe {tier}",
                grants=NATIONWIDE_STAFF[tier],
            )
            self._staff[tier] = bearer(token)
        return self._staff[tier]

    @property
    def data_dir(self) -> Path:
        return self.supervisor.data_dir

    def service(self, tier: Tier) -> ServiceProcess:
        return self.supervisor.services[tier]

    def client(self, tier: Tier) -> httpx.AsyncClient:
        return self.clients[tier]

    def kill(self, process: ServiceProcess) -> int:
        """SIGKILL, as the OOM killer or a power cut would; returns the dead pid."""
        pid = process.pid
        assert pid is not None and process.is_running()
        os.kill(pid, signal.SIGKILL)
        return pid

    async def add_instance(self, tier: Tier, name: str) -> ServiceProcess:
        """Another process of the same deployment: same environment (instance name, key,
        database, durables), another port."""
        port = free_port()
        env = {**self.service(tier).env, tier_env(tier, "port"): str(port)}
        process = ServiceProcess(
            tier,
            service_command(tier),
            env,
            port,
            self.data_dir / "logs" / f"{name}.log",
            self.data_dir / "run" / f"{name}.pid",
        )
        self.extra.append(process)
        process.start()
        await wait_ready(process)
        return process

    # --- what the tiers hold -------------------------------------------------------------------

    async def received_reports(self, tier: Tier = "regional") -> int:
        return int(await scalar(self.database_urls[tier], "SELECT count(*) FROM received_report"))

    async def report_assemblies(self, tier: Tier = "regional") -> list[str]:
        rows = await query(self.database_urls[tier], "SELECT assembly_id FROM received_report")
        return sorted(str(r[0]) for r in rows)

    async def inbox(self, tier: Tier = "regional") -> list[asyncpg.Record]:
        return await query(
            self.database_urls[tier], "SELECT message_id, kind, duplicates FROM inbox"
        )

    async def dead_letters(self, tier: Tier = "regional") -> list[tuple[str, str]]:
        rows = await query(self.database_urls[tier], "SELECT reason, detail FROM dead_letter")
        return [(str(r[0]), str(r[1])) for r in rows]

    async def unsent(self, tier: Tier = "local") -> int:
        return int(
            await scalar(
                self.database_urls[tier], "SELECT count(*) FROM outbox WHERE sent_at IS NULL"
            )
        )

    async def outbox_ids(self, tier: Tier = "local", kind: str | None = None) -> list[str]:
        if kind is None:
            rows = await query(self.database_urls[tier], "SELECT id FROM outbox")
        else:
            rows = await query(
                self.database_urls[tier], "SELECT id FROM outbox WHERE kind = $1", kind
            )
        return sorted(str(r[0]) for r in rows)

    async def stream_count(self, subject: str) -> int:
        """Messages the stream holds on ``subject`` (duplicates JetStream dropped do not count)."""
        nc = await nats.connect(self.nats_url)
        try:
            info = await nc.jetstream().stream_info("PLENARIA_UP", subjects_filter=subject)
            return sum((info.state.subjects or {}).values())
        finally:
            await nc.close()

    async def consumer_info(self, durable: str, stream: str = "PLENARIA_UP") -> ConsumerInfo:
        nc = await nats.connect(self.nats_url)
        try:
            return await nc.jetstream().consumer_info(stream, durable)
        finally:
            await nc.close()

    # --- driving the local tier ----------------------------------------------------------------

    async def open_assemblies(
        self,
        count: int,
        uf: str = "SP",
        client: httpx.AsyncClient | None = None,
        territory: str = "3550308",
    ) -> list[str]:
        """``count`` municipal assemblies of one state, each with the proposals above."""
        local = client or self.client("local")
        staff = await self.staff("local")
        ids: list[str] = []
        for index in range(count):
            created = await local.post(
                "/api/v1/assemblies/",
                headers=staff,
                json={
                    "cycle_id": "cns-2027",
                    "kind": "municipal",
                    "territory": territory,
                    "uf": uf,
                    "title": f"Conferência Municipal {index}",
                    "participants": 100 + index,
                },
            )
            assert created.status_code == 201, created.text
            assembly_id = str(created.json()["id"])
            batch = await local.post(
                f"/api/v1/assemblies/{assembly_id}/proposals/bulk",
                headers=staff,
                json={
                    "proposals": [
                        {
                            "axis": axis,
                            "competence": competence,
                            "title": text[:40],
                            "text": f"{text} ({index})",
                            "support": 10 + n,
                        }
                        for n, (axis, competence, text) in enumerate(PROPOSALS)
                    ]
                },
            )
            assert batch.status_code == 201, batch.text
            ids.append(assembly_id)
        return ids

    async def close_assemblies(
        self, ids: Sequence[str], client: httpx.AsyncClient | None = None
    ) -> int:
        """Close them all; returns how many report items they sent up."""
        local = client or self.client("local")
        staff = await self.staff("local")
        items = 0
        for assembly_id in ids:
            closed = await local.post(f"/api/v1/assemblies/{assembly_id}/close", headers=staff)
            assert closed.status_code == 202, closed.text
            items += int(closed.json()["items"])
        return items

    async def source_items(self, tier: Tier = "regional") -> int:
        return int(await scalar(self.database_urls[tier], "SELECT count(*) FROM source_item"))

    async def assert_each_report_applied_once(self, assemblies: Sequence[str], items: int) -> None:
        """Every closed assembly's report is at the regional tier exactly once with its items,
        nothing is dead-lettered or left unsent, and every report message has one inbox row."""
        expected = sorted(assemblies)

        async def arrived() -> int:
            return await self.received_reports()

        await eventually(arrived, done=lambda n: n >= len(expected), timeout=90)
        assert await self.report_assemblies() == expected
        assert await self.source_items() == items
        inbox = await self.inbox()
        report_rows = [r for r in inbox if r["kind"] == "report"]
        assert sorted(r["message_id"] for r in report_rows) == await self.outbox_ids(
            "local", "report"
        )
        assert len({r["message_id"] for r in inbox}) == len(inbox)
        assert await self.dead_letters() == []
        assert await self.unsent("local") == 0

    # --- answers coming down -------------------------------------------------------------------

    async def close_state(self, uf: str) -> list[dict[str, Any]]:
        """``uf``'s conference closes (no delegates) and reports to the nation, which merges and
        publishes its items for the CNS; the published national items."""
        scope = {"cycle_id": "cns-2027", "uf": uf}
        closed = await self.client("regional").post(
            "/api/v1/conference/close",
            headers=await self.staff("regional"),
            json={**scope, "delegates": []},
        )
        assert closed.status_code == 202, closed.text
        national = self.client("national")

        async def reported() -> int:
            listed = await national.get("/api/v1/reports", params={"cycle_id": "cns-2027"})
            return len(listed.json()) if listed.status_code == 200 else 0

        await eventually(reported, done=lambda n: n >= 1, timeout=90)
        staff = await self.staff("national")
        published = await national.post(
            "/api/v1/council/publish",
            headers=staff,
            json={"cycle_id": "cns-2027", "council": "CNS"},
        )
        assert published.status_code == 200, published.text
        items = await national.get("/api/v1/items", params={"cycle_id": "cns-2027", "uf": "BR"})
        return [i for i in items.json() if i.get("published_at")]

    async def council_member(self) -> dict[str, str]:
        token = await appoint(
            self.client("national"),
            (await self.staff("national"))["Authorization"].removeprefix("Bearer "),
            name="Conselheira",
            grants=[{"role": "council", "council": "CNS"}],
        )
        return bearer(token)

    async def origins(self, items: Sequence[dict[str, Any]]) -> dict[str, set[str]]:
        """National item → the local proposals its lineage leads to."""
        national = self.client("national")
        found: dict[str, set[str]] = {}
        for item in items:
            lineage = await national.get(f"/api/v1/items/{item['id']}/lineage")
            assert lineage.status_code == 200, lineage.text
            found[str(item["id"])] = {str(o["proposal_id"]) for o in lineage.json()["origins"]}
        return found

    async def answers_sent(self) -> list[tuple[str, int, str]]:
        """(response id, version, national item) of every answer version the council gave."""
        rows = await query(
            self.database_urls["national"],
            "SELECT response_id, version, item_id FROM council_answer",
        )
        return sorted((str(r[0]), int(r[1]), str(r[2])) for r in rows)

    async def assert_each_answer_attached_once(self, origins: dict[str, set[str]]) -> None:
        """Every answer version reached both tiers below once, attached to exactly the local
        proposals behind its item (``origins``: national item → local proposal ids)."""
        sent = await self.answers_sent()
        expected = sorted(
            (response, version, proposal)
            for response, version, item in sent
            for proposal in origins[item]
        )
        for tier in ("regional", "local"):

            async def attached(tier: Tier = tier) -> list[tuple[str, int, str]]:
                rows = await query(
                    self.database_urls[tier],
                    "SELECT response_id, version, proposal_id FROM response_attachment",
                )
                return sorted((str(r[0]), int(r[1]), str(r[2])) for r in rows)

            await eventually(attached, done=lambda rows: rows == expected, timeout=90)
            received = await query(
                self.database_urls[tier], "SELECT response_id, version FROM received_response"
            )
            assert sorted((str(r[0]), int(r[1])) for r in received) == sorted(
                (r, v) for r, v, _ in sent
            )
            assert await self.dead_letters(tier) == []


async def metric(base_url: str, name: str, **labels: str) -> float:
    """A counter as one service process exposes it at /metrics (0 if not counted yet)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        text = (await client.get("/metrics")).text
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    series = f"{name}{{{wanted}}}" if wanted else name
    total = 0.0
    for line in text.splitlines():
        if line.startswith(series + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def wait_ready(process: ServiceProcess, timeout: float = 60.0) -> None:  # noqa: ASYNC109
    async def ready() -> bool:
        if not process.is_running():
            raise process.failure(f"exited with code {process.exit_code}")
        return await asyncio.to_thread(process.is_ready)

    await eventually(ready, timeout=timeout, interval=0.2)


async def delete_durables(nats_url: str, instances: Sequence[str]) -> None:
    """Durables keep their config and position across tests with the same instance names."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for tier in TIERS:
            for instance in instances:
                for sub in subscriptions(tier, instance):
                    with contextlib.suppress(NotFoundError):
                        await js.delete_consumer(sub.stream, sub.durable)
    finally:
        await nc.close()


def up_cluster_options(database_urls: dict[Tier, str], data_dir: Path) -> UpOptions:
    """What `plenaria up --cluster 3` runs, on the test's databases: three embedded NATS nodes
    (no PLENARIA_NATS_URL), streams with three replicas, two processes of each tier."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PLENARIA_")}
    environ.update({tier_env(tier, "database_url"): database_urls[tier] for tier in TIERS})
    environ.update({tier_env(tier, "port"): str(free_port()) for tier in TIERS})
    environ.update({tier_env(tier, "admin_token"): ADMIN_TOKENS[tier] for tier in TIERS})
    environ.update(
        {
            "PLENARIA_ACK_WAIT_S": str(ACK_WAIT_S),
            "PLENARIA_RELAY_IDLE_S": "0.2",
            "PLENARIA_RELAY_MAX_BACKOFF_S": "2",
            "PLENARIA_SHUTDOWN_GRACE_S": "3",
            "PLENARIA_LOG_LEVEL": "info",
        }
    )
    return UpOptions(
        data_dir=data_dir,
        environ=environ,
        ready_timeout=120.0,
        shutdown_grace=10.0,
        nats_nodes=3,
        instances=2,
    )


StackFactory = Callable[..., Awaitable[Stack]]


@pytest.fixture
async def stack_factory(
    fresh_database: MakeDatabase,
    nats_server: EmbeddedNats,
    tmp_path: Path,
) -> AsyncIterator[StackFactory]:
    """``await make(PLENARIA_CONSUMER_BATCH="2")`` → `plenaria up` running the three tiers."""
    stacks: list[Stack] = []
    supervising: list[asyncio.Task[None]] = []

    async def make(**env: str) -> Stack:
        nats_server.start()
        await purge_streams(nats_server.url)
        await delete_durables(nats_server.url, TIERS)
        urls: dict[Tier, str] = {tier: await fresh_database(tier) for tier in TIERS}
        environ = {k: v for k, v in os.environ.items() if not k.startswith("PLENARIA_")}
        environ.update({tier_env(tier, "database_url"): urls[tier] for tier in TIERS})
        environ.update({tier_env(tier, "port"): str(free_port()) for tier in TIERS})
        environ.update({tier_env(tier, "admin_token"): ADMIN_TOKENS[tier] for tier in TIERS})
        environ.update(
            {
                "PLENARIA_NATS_URL": nats_server.url,
                "PLENARIA_ACK_WAIT_S": str(ACK_WAIT_S),
                "PLENARIA_RELAY_IDLE_S": "0.2",
                "PLENARIA_RELAY_MAX_BACKOFF_S": "2",
                "PLENARIA_SHUTDOWN_GRACE_S": "3",
                "PLENARIA_LOG_LEVEL": "info",
                **env,
            }
        )
        options = UpOptions(
            data_dir=tmp_path / f"up-{len(stacks)}",
            environ=environ,
            ready_timeout=90.0,
            shutdown_grace=10.0,
        )
        supervisor = Supervisor(options, notify=lambda _: None)
        stack = Stack(supervisor, urls, nats_server.url)
        stacks.append(stack)
        await asyncio.to_thread(supervisor.start)
        for tier in TIERS:
            stack.clients[tier] = httpx.AsyncClient(base_url=supervisor.urls[tier], timeout=30)

        async def supervise() -> None:
            while True:
                await asyncio.to_thread(supervisor.check)
                await asyncio.sleep(0.3)

        supervising.append(asyncio.create_task(supervise(), name="supervise"))
        return stack

    try:
        yield make
    finally:
        for task in supervising:
            task.cancel()
        await asyncio.gather(*supervising, return_exceptions=True)
        for stack in stacks:
            for client in stack.clients.values():
                await client.aclose()
            for process in stack.extra:
                process.terminate()
            for process in stack.extra:
                await asyncio.to_thread(process.stop, 10.0)
            await asyncio.to_thread(stack.supervisor.stop)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--soak-seconds",
        type=float,
        default=60.0,
        help="How long the soak test keeps its load and kills going (CI: the default).",
    )
