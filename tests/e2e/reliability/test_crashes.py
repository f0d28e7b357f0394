"""docs/spec.md §10: killing a tier service or a NATS node mid-flow loses and doubles nothing."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from shared.core.vocabulary import TIERS
from shared.tools.runtime.nats_server import EmbeddedNats
from tests.support.polling import eventually
from tests.support.stack import StackFactory, wait_ready

pytestmark = pytest.mark.slow  # the three tiers as processes, tens of seconds

ASSEMBLIES = 40


@pytest.mark.parametrize("apply_batch", ["1", "4"], ids=["one-by-one", "in-groups-of-4"])
async def test_regional_killed_while_applying_reports_loses_and_doubles_nothing(
    stack_factory: StackFactory, apply_batch: str
) -> None:
    """Killed between transactions of one report each, or of several reports each."""
    stack = await stack_factory(PLENARIA_APPLY_BATCH=apply_batch)
    regional = stack.service("regional")
    assemblies = await stack.open_assemblies(ASSEMBLIES)
    # Freeze the regional service while the assemblies close, so the reports queue up and it
    # takes them in one fetched batch when it thaws: the kill then lands mid-batch.
    frozen = regional.pid
    assert frozen is not None
    os.kill(frozen, signal.SIGSTOP)
    try:
        items = await stack.close_assemblies(assemblies)
        await eventually(
            lambda: stack.stream_count("plenaria.up.local.report.>"), done=lambda n: n == ASSEMBLIES
        )
    finally:
        os.kill(frozen, signal.SIGCONT)

    await eventually(stack.received_reports, done=lambda n: n >= 3, interval=0.02, timeout=60)
    killed = stack.kill(regional)
    at_kill = await stack.received_reports()
    assert at_kill < ASSEMBLIES, "the kill came after every report was applied"
    # The dead process held fetched, unacknowledged reports: JetStream must hand them on.
    held = await stack.consumer_info("regional-up-from-local")
    assert held.num_ack_pending > 0

    # `plenaria up` notices and starts it again; the durable hands it what the dead one held.
    async def restarted() -> bool:
        return regional.is_running() and regional.pid != killed

    await eventually(restarted, timeout=30)
    await wait_ready(regional)
    await stack.assert_each_report_applied_once(assemblies, items)


async def test_nats_killed_mid_flow_loses_and_doubles_nothing(
    stack_factory: StackFactory, nats_running: EmbeddedNats
) -> None:
    stack = await stack_factory()
    assemblies = await stack.open_assemblies(ASSEMBLIES)
    closing = asyncio.create_task(stack.close_assemblies(assemblies))

    await eventually(stack.received_reports, done=lambda n: n >= 3, interval=0.02, timeout=60)
    nats_running.kill()  # SIGKILL: no flush, no goodbye to the clients
    try:
        at_kill = await stack.received_reports()
        assert at_kill < ASSEMBLIES, "the kill came after every report was applied"
        # Assemblies keep closing while the bus is away: their reports wait in the outbox.
        await asyncio.sleep(1.5)
        ready = await stack.client("local").get("/health/ready")
        assert ready.status_code == 503
    finally:
        nats_running.start()
    items = await closing

    await stack.assert_each_report_applied_once(assemblies, items)
    for tier in TIERS:
        answer = await eventually(
            lambda t=tier: stack.client(t).get("/health/ready"),  # type: ignore[misc]
            done=lambda r: r.status_code == 200,
        )
        assert answer.json()["checks"] == {"database": True, "nats": True}
