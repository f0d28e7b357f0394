"""The local tier's outbox relay against real PostgreSQL and nats-server, with no tier to receive:
a relay that dies between publishing and marking a row publishes it again and JetStream keeps one
copy; a report closed while NATS is down is published once NATS returns."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select, update

from services.local.closing import close_assembly
from shared.contracts.subjects import up_subject
from shared.platform.bus.models import OutboxEntry
from shared.platform.node import Node
from shared.tools.runtime.nats_server import EmbeddedNats
from tests.support.assemblies import open_local_assembly
from tests.support.bus import outbox_messages, stream_messages
from tests.support.polling import eventually
from tests.support.tiers import Federation, TierFactory

PROPOSALS = [
    ("saude-1", "national", "Ampliar o número de UBS nas periferias", 40),
    ("saude-2", "municipal", "Reformar a UBS do bairro Jardim", 12),
]
REPORTS = up_subject("local", "report", "SP")


async def unsent(node: Node) -> int:
    async with node.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(OutboxEntry).where(OutboxEntry.sent_at.is_(None))
        )
        return int(count or 0)


async def test_relay_crash_between_publish_and_mark_does_not_double(
    tier_factory: TierFactory,
) -> None:
    # A relay that only runs when woken (a commit that staged messages wakes it).
    tier = await tier_factory("local", relay_idle_s=3600.0)
    local = tier.nodes["local"]
    assembly_id, _ = await open_local_assembly(
        tier, territory="3550308", uf="SP", proposals=PROPOSALS
    )
    async with local.sessions() as session, session.begin():
        await close_assembly(session, local.outbox, uuid.UUID(assembly_id))
    await eventually(lambda: unsent(local), done=lambda n: n == 0)
    async with local.sessions() as session:
        rows = (
            await session.execute(
                select(
                    OutboxEntry.id, OutboxEntry.subject, OutboxEntry.data, OutboxEntry.headers
                ).where(OutboxEntry.kind == "report")
            )
        ).all()
    # Published again, JetStream still acknowledges it (as a duplicate) and keeps one copy.
    assert await local.relay.publish(rows) == [rows[0].id]
    assert [m.id for m in await stream_messages(tier.nats_url, REPORTS)] == [str(rows[0].id)]

    # "Crash": the relay died after publishing, before its mark committed, so the row is
    # unsent again. The restarted relay publishes it again; JetStream drops the copy (same
    # Nats-Msg-Id within the duplicate window) and the row is marked sent.
    async with local.sessions() as session, session.begin():
        await session.execute(
            update(OutboxEntry).where(OutboxEntry.id == rows[0].id).values(sent_at=None)
        )
    assert await unsent(local) == 1
    local.relay.wake()
    await eventually(lambda: unsent(local), done=lambda n: n == 0)
    await asyncio.sleep(1.0)  # let any second copy land before counting
    assert [m.id for m in await stream_messages(tier.nats_url, REPORTS)] == [str(rows[0].id)]


async def test_report_closed_while_nats_is_down_is_published_once_it_returns(
    local_tier: Federation, nats_running: EmbeddedNats
) -> None:
    local = local_tier.nodes["local"]
    assembly_id, _ = await open_local_assembly(
        local_tier, territory="3550308", uf="SP", proposals=PROPOSALS
    )
    nats_running.stop()
    try:
        closed = await local_tier.local.post(
            f"/api/v1/assemblies/{assembly_id}/close", headers=local_tier.staff["local"]
        )
        assert closed.status_code == 202, closed.text
        ready = await local_tier.local.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": True, "nats": False}
        await asyncio.sleep(1.0)
        assert await unsent(local) >= 1  # the report waits in the outbox
    finally:
        nats_running.start()
    await eventually(lambda: unsent(local), done=lambda n: n == 0, timeout=60)
    published = await stream_messages(local_tier.nats_url, REPORTS)
    assert [m.body["assembly_id"] for m in published] == [assembly_id]
    assert [m.id for m in published] == [m.id for m in await outbox_messages(local, "report")]
