"""docs/spec.md §10: a PostgreSQL restart is survived — the outbox retries, consumers nak and retry."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from shared.core.vocabulary import TIERS
from shared.tools.runtime.postgres import EmbeddedPostgres
from tests.support.polling import eventually
from tests.support.stack import StackFactory

pytestmark = pytest.mark.slow  # the three tiers as processes, tens of seconds

ASSEMBLIES = 30


async def close_until_done(
    local: httpx.AsyncClient, staff: dict[str, str], assembly_id: str
) -> None:
    """Close one assembly, retrying while the database is away; 409 means an earlier try
    committed (its answer lost with the connection)."""
    for _ in range(200):
        try:
            closed = await local.post(f"/api/v1/assemblies/{assembly_id}/close", headers=staff)
        except httpx.TransportError:
            await asyncio.sleep(0.2)
            continue
        if closed.status_code in (202, 409):
            return
        assert closed.status_code >= 500, closed.text
        await asyncio.sleep(0.2)
    raise AssertionError(f"assembly {assembly_id} never closed")


async def test_postgres_restart_mid_flow_loses_and_doubles_nothing(
    stack_factory: StackFactory, postgres_running: EmbeddedPostgres
) -> None:
    stack = await stack_factory()
    local = stack.client("local")
    assemblies = await stack.open_assemblies(ASSEMBLIES)
    staff = await stack.staff("local")
    first = await local.post(f"/api/v1/assemblies/{assemblies[0]}/close", headers=staff)
    assert first.status_code == 202, first.text
    per_assembly = int(first.json()["items"])

    async def close_rest() -> None:
        for assembly_id in assemblies[1:]:
            await close_until_done(local, staff, assembly_id)

    closing = asyncio.create_task(close_rest())
    before = await eventually(
        stack.received_reports, done=lambda n: n >= 3, interval=0.02, timeout=60
    )
    assert before < ASSEMBLIES, "every report arrived before the restart"
    try:
        # A fast shutdown: open transactions roll back, every pooled connection is cut.
        await asyncio.to_thread(postgres_running.stop, "fast")
        await asyncio.sleep(1.5)
        ready = await local.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] is False
    finally:
        await asyncio.to_thread(postgres_running.start)
    await closing

    await stack.assert_each_report_applied_once(assemblies, per_assembly * ASSEMBLIES)
    for tier in TIERS:
        answer = await eventually(
            lambda t=tier: stack.client(t).get("/health/ready"),  # type: ignore[misc]
            done=lambda r: r.status_code == 200,
        )
        assert answer.json()["checks"] == {"database": True, "nats": True}
