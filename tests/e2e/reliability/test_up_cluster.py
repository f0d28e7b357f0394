"""`plenaria up --cluster 3`: three nats-server nodes from the wheel routed on loopback, the
streams with three replicas and two processes of each tier sharing its database. Reports closed
on either local process reach the regional tier once each."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import nats
import pytest

from shared.contracts.subjects import UP_STREAM
from shared.core.vocabulary import TIERS, Tier
from shared.tools.runtime.supervisor import Supervisor, _announce
from tests.support.servers import MakeDatabase
from tests.support.stack import Stack, up_cluster_options

pytestmark = pytest.mark.slow  # three NATS nodes and six service processes, about a minute


async def replicas_of(admin_urls: str, stream: str) -> int:
    nc = await nats.connect(servers=admin_urls.split(","))
    try:
        info = await nc.jetstream().stream_info(stream)
        return int(info.config.num_replicas or 1)
    finally:
        await nc.close()


async def test_up_cluster_runs_three_nodes_and_two_instances_and_a_report_goes_through(
    fresh_database: MakeDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls: dict[Tier, str] = {tier: await fresh_database(tier) for tier in TIERS}
    # What `plenaria up --cluster 3` asks for; NATS is embedded (no PLENARIA_NATS_URL).
    options = up_cluster_options(urls, tmp_path / "up")
    supervisor = Supervisor(options, notify=lambda _: None)
    clients: list[httpx.AsyncClient] = []
    try:
        await asyncio.to_thread(supervisor.start)
        _announce(supervisor, 0.0)
        banner = capsys.readouterr().out
        assert len(supervisor.nats_nodes) == 3
        assert "3 nodes routed on loopback, streams with 3 replicas" in banner
        assert len(supervisor.processes) == 6
        for process in supervisor.processes:
            assert process.url in banner
        assert await replicas_of(supervisor.nats_admin_url, UP_STREAM) == 3

        stack = Stack(supervisor, urls, supervisor.nats_admin_url)
        for tier in TIERS:
            stack.clients[tier] = httpx.AsyncClient(base_url=supervisor.urls[tier], timeout=30)
        clients.extend(stack.clients.values())
        second_local = next(
            p for p in supervisor.processes if p.tier == "local" and p is not stack.service("local")
        )
        other = httpx.AsyncClient(base_url=second_local.url, timeout=30)
        clients.append(other)
        assemblies: list[str] = []
        items = 0
        for client in (stack.client("local"), other):
            opened = await stack.open_assemblies(2, client=client)
            items += await stack.close_assemblies(opened, client=client)
            assemblies += opened
        await stack.assert_each_report_applied_once(assemblies, items)
    finally:
        for client in clients:
            await client.aclose()
        await asyncio.to_thread(supervisor.stop)
