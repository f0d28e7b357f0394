"""The scale-out shape: a three-node NATS cluster on loopback with streams of three replicas.
Losing one node, then the node leading the up stream, loses no report and applies none twice:
the regional tier keeps receiving through the others, the relay of the reports keeps
publishing, and the counts match at the end. Under `plenaria up --cluster 3` the same faults
(and a PostgreSQL restart) land while council answers flow down too: each version reaches
both tiers below once, attached to exactly the local proposals behind its item."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from shared.contracts.subjects import UP_STREAM
from shared.core.vocabulary import TIERS, Tier
from shared.tools.runtime.nats_server import EmbeddedNats, cluster_of
from shared.tools.runtime.postgres import EmbeddedPostgres
from shared.tools.runtime.supervisor import Supervisor
from tests.support.api import get_json
from tests.support.bus import publish_row
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly
from tests.support.servers import MakeDatabase
from tests.support.stack import Stack, up_cluster_options
from tests.support.tiers import Federation, operator, start_tiers

pytestmark = pytest.mark.slow
TEXTS = [
    ("saude-1", "national", "Ampliar o horário das UBS"),
    ("saude-2", "state", "Regular leitos"),
]


async def leader_of(urls: str, stream: str) -> str:
    nc = await nats.connect(urls.split(","))
    try:
        info = await nc.jetstream().stream_info(stream)
        assert info.cluster is not None and info.cluster.leader
        return str(info.cluster.leader)
    finally:
        await nc.close()


async def jetstream_ready(urls: str) -> bool:
    """True once the cluster elected its JetStream meta leader (the API answers)."""
    nc = await nats.connect(urls.split(","))
    try:
        await nc.jetstream().account_info()
        return True
    except (nats.errors.Error, TimeoutError):
        return False
    finally:
        await nc.close()


async def send(fed: Federation, towns: list[FakeAssembly]) -> None:
    """Each town's key and report, published as a relay would: again (same message id, so
    JetStream keeps one) until the cluster acknowledges, while it elects a new leader."""
    for town in towns:
        rows = (town.introduction(), town.signed(town.report(TEXTS)))
        for row in rows:
            for _ in range(60):
                try:
                    await publish_row(fed.nats_url, row)
                    break
                except (nats.errors.Error, TimeoutError, OSError):
                    await asyncio.sleep(0.5)
            else:
                raise AssertionError("the cluster never acknowledged")


async def reports_at(fed: Federation, count: int) -> list[dict[str, Any]]:
    async def enough() -> list[dict[str, Any]] | None:
        found: list[dict[str, Any]] = await get_json(fed.regional, "/api/v1/reports")
        return found if len(found) >= count else None

    return await eventually(enough, timeout=90)


async def test_losing_a_node_and_then_the_stream_leader_loses_nothing(
    fresh_database: MakeDatabase, tmp_path: Path
) -> None:
    nodes = cluster_of(tmp_path / "cluster")
    await asyncio.gather(*(asyncio.to_thread(n.start) for n in nodes))
    urls = ",".join(n.url for n in nodes)
    try:
        await eventually(lambda: jetstream_ready(urls), timeout=60)
        async with AsyncExitStack() as stack:
            fed = await start_tiers(
                stack,
                tiers=["regional"],
                fresh_database=fresh_database,
                nats_url=urls,
                root=tmp_path,
                overrides={"regional": {"stream_replicas": 3}},
            )
            towns = [FakeAssembly(fed, f"35{n:05d}", "SP") for n in range(12)]
            await send(fed, towns[:4])
            await reports_at(fed, 4)

            # One node of three dies: the cluster keeps its quorum.
            await asyncio.to_thread(nodes[0].kill)
            await send(fed, towns[4:8])
            await reports_at(fed, 8)
            await asyncio.to_thread(nodes[0].start)

            # Then the server leading the up stream dies.
            leader = await eventually(lambda: leader_of(urls, UP_STREAM), timeout=60)
            by_name: dict[str, EmbeddedNats] = {n.server_name: n for n in nodes}
            await asyncio.to_thread(by_name[leader].kill)
            await send(fed, towns[8:])
            reports = await reports_at(fed, 12)
            await asyncio.to_thread(by_name[leader].start)
            await asyncio.sleep(2)  # any redelivery after the leader change arrives now

            reports = await get_json(fed.regional, "/api/v1/reports")
            items = await get_json(fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="SP")
            letters = await get_json(
                fed.regional, "/api/v1/dead-letters/", headers=operator("regional")
            )
            assert sorted(r["assembly_id"] for r in reports) == sorted(t.assembly_id for t in towns)
            assert len(items) == 12 * len(TEXTS)
            assert (letters["total"] if isinstance(letters, dict) else len(letters)) == 0
    finally:
        for node in nodes:
            await asyncio.to_thread(node.stop)


# --- the whole scale-out shape: `plenaria up --cluster 3` under faults --------------------------


async def elected_leader(urls: str, stream: str) -> str:
    """The stream's leader, or "" while a node restarts or the cluster elects one."""
    try:
        return await leader_of(urls, stream)
    except (AssertionError, nats.errors.Error, TimeoutError, OSError):
        return ""


async def one_report(stack: Stack, client: httpx.AsyncClient) -> tuple[str, int]:
    """Open and close one assembly, again until the tier answers (it may be restarting)."""

    async def attempt() -> tuple[str, int] | None:
        try:
            [assembly_id] = await stack.open_assemblies(1, client=client)
            return assembly_id, await stack.close_assemblies([assembly_id], client=client)
        except (AssertionError, httpx.HTTPError):
            return None  # an assembly left open sends nothing, so a retry cannot double

    return await eventually(attempt, timeout=90, interval=1.0)


async def answer_round(
    stack: Stack, council: dict[str, str], items: list[dict[str, Any]], round_: int
) -> None:
    """A new version of the council's answer to every item, again until the tier takes it (a
    retry after a lost reply may add a version: the end compares with what the nation holds)."""
    national = stack.client("national")
    body = {
        "decision": "under_study",
        "justification": f"Em análise, rodada {round_}",
        "responsible_body": "Ministério da Saúde",
        "milestones": [{"title": "Estudo", "due": "2028-03-31", "progress": 10 * round_}],
    }
    for item in items:

        async def attempt(item_id: str = str(item["id"])) -> bool:
            try:
                sent = await national.post(
                    f"/api/v1/council/items/{item_id}/responses", headers=council, json=body
                )
            except httpx.HTTPError:
                return False
            return sent.status_code == 201

        await eventually(attempt, timeout=90, interval=1.0)


async def test_up_cluster_survives_a_node_the_leader_an_instance_of_each_tier_and_postgres(
    fresh_database: MakeDatabase, postgres_running: EmbeddedPostgres, tmp_path: Path
) -> None:
    urls: dict[Tier, str] = {tier: await fresh_database(tier) for tier in TIERS}
    supervisor = Supervisor(up_cluster_options(urls, tmp_path / "up"), notify=lambda _: None)
    stack = Stack(supervisor, urls, "")
    supervising: asyncio.Task[None] | None = None
    try:
        await asyncio.to_thread(supervisor.start)
        stack.nats_url = supervisor.nats_admin_url
        for tier in TIERS:
            stack.clients[tier] = httpx.AsyncClient(base_url=supervisor.urls[tier], timeout=30)

        async def supervise() -> None:
            while True:
                await asyncio.to_thread(supervisor.check)
                await asyncio.sleep(0.3)

        supervising = asyncio.create_task(supervise(), name="supervise")
        local = stack.client("local")
        # Answers to come down under the faults: RJ reports, closes, the nation publishes.
        rj = await stack.open_assemblies(2, uf="RJ", client=local, territory="3304557")
        rj_items = await stack.close_assemblies(rj, client=local)
        await stack.assert_each_report_applied_once(rj, rj_items)
        items = await stack.close_state("RJ")
        assert items, "the nation published nothing to answer"
        origins = await stack.origins(items)
        assert all(origins.values()), "a published item leads to no local proposal"
        council = await stack.council_member()
        done: list[tuple[str, int]] = [await one_report(stack, local) for _ in range(2)]
        await answer_round(stack, council, items, 1)

        # One node of three: the quorum stays; the supervisor starts it again.
        await asyncio.to_thread(supervisor.nats_nodes[0].kill)
        done += [await one_report(stack, local) for _ in range(2)]
        await answer_round(stack, council, items, 2)

        # The node leading the up stream.
        leader = await eventually(
            lambda: elected_leader(supervisor.nats_admin_url, UP_STREAM), timeout=60
        )
        by_name = {n.server_name: n for n in supervisor.nats_nodes}
        await asyncio.to_thread(by_name[leader].kill)
        done += [await one_report(stack, local) for _ in range(2)]
        await answer_round(stack, council, items, 3)

        # One process of each tier (the second ones), as the OOM killer would.
        for process in supervisor.processes:
            if process is not supervisor.services[process.tier]:
                stack.kill(process)
        done += [await one_report(stack, local) for _ in range(2)]
        await answer_round(stack, council, items, 4)

        # PostgreSQL restarts under all six processes.
        await asyncio.to_thread(postgres_running.stop, "fast")
        await asyncio.sleep(1)
        await asyncio.to_thread(postgres_running.start)
        done += [await one_report(stack, local) for _ in range(2)]
        await answer_round(stack, council, items, 5)

        assemblies = rj + [assembly_id for assembly_id, _ in done]
        await stack.assert_each_report_applied_once(assemblies, rj_items + sum(n for _, n in done))
        await stack.assert_each_answer_attached_once(origins)
    finally:
        if supervising is not None:
            supervising.cancel()
            await asyncio.gather(supervising, return_exceptions=True)
        for client in stack.clients.values():
            await client.aclose()
        await asyncio.to_thread(supervisor.stop)
