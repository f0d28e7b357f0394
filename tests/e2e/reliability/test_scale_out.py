"""docs/spec.md §10: two instances of a tier share the work without double-applying.

Two processes of one regional deployment (same instance name, hence the same durable
consumer) and two processes of one local deployment (same database, hence one outbox shared
by two relays) run side by side under load.
"""

from __future__ import annotations

import asyncio
import os
import signal

import httpx
import pytest

from tests.support.polling import eventually
from tests.support.stack import Stack, StackFactory, metric

pytestmark = pytest.mark.slow  # the three tiers as processes, tens of seconds

PER_LOCAL = 15


async def open_and_close(
    stack: Stack, client: httpx.AsyncClient, count: int
) -> tuple[list[str], int]:
    """Assemblies that open and close at once, so key introductions and reports interleave."""
    assemblies: list[str] = []
    items = 0
    for _ in range(count):
        [assembly_id] = await stack.open_assemblies(1, client=client)
        items += await stack.close_assemblies([assembly_id], client=client)
        assemblies.append(assembly_id)
    return assemblies, items


async def test_two_instances_of_each_tier_share_the_work_and_apply_each_report_once(
    stack_factory: StackFactory,
) -> None:
    # Small fetches, so JetStream has reason to spread one durable's messages over both.
    stack = await stack_factory(PLENARIA_REGIONAL_CONSUMER_BATCH="2")
    regionals = [stack.service("regional"), await stack.add_instance("regional", "regional-2")]
    locals_ = [stack.service("local"), await stack.add_instance("local", "local-2")]
    clients = [stack.client("local"), httpx.AsyncClient(base_url=locals_[1].url, timeout=30)]
    try:
        done = await asyncio.gather(*(open_and_close(stack, c, PER_LOCAL) for c in clients))
    finally:
        await clients[1].aclose()
    assemblies = [a for ids, _ in done for a in ids]
    items = sum(n for _, n in done)

    await stack.assert_each_report_applied_once(assemblies, items)

    # Each outbox row went out once: the two relays never both published a row.
    rows = await stack.outbox_ids("local")
    published = [await metric(p.url, "plenaria_outbox_published_total") for p in locals_]
    assert sum(published) == len(rows)
    assert await stack.stream_count("plenaria.up.local.>") == len(rows)

    # Each message was applied by one regional process only, and none was seen twice.
    applied = [
        await metric(p.url, "plenaria_messages_applied_total", kind="report") for p in regionals
    ]
    assert sum(applied) == len(assemblies)
    duplicates = [await metric(p.url, "plenaria_duplicates_ignored_total") for p in regionals]
    assert sum(duplicates) == 0
    assert all(r["duplicates"] == 0 for r in await stack.inbox())
    # Both regional processes took part (JetStream spreads a durable over its pullers).
    assert all(n > 0 for n in applied), applied


async def test_two_regional_instances_drain_a_backlog_of_introductions_and_reports(
    stack_factory: StackFactory,
) -> None:
    """A backlog (after an outage of the regional deployment) holds each assembly's key
    introduction right before its report; two instances pulling it in small batches often get
    the introduction and the report at the same time. The report must still apply once."""
    stack = await stack_factory(PLENARIA_REGIONAL_CONSUMER_BATCH="1")
    regionals = [stack.service("regional"), await stack.add_instance("regional", "regional-2")]
    pids = [p.pid for p in regionals]
    for pid in pids:
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
    try:
        assemblies, items = await open_and_close(stack, stack.client("local"), 2 * PER_LOCAL)
        await eventually(
            lambda: stack.stream_count("plenaria.up.local.>"), done=lambda n: n == 4 * PER_LOCAL
        )
    finally:
        for pid in pids:
            assert pid is not None
            os.kill(pid, signal.SIGCONT)
    await stack.assert_each_report_applied_once(assemblies, items)
