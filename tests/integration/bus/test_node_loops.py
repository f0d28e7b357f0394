"""The node keeps its background loops alive (an error nobody foresaw is logged and the loop
starts again, instead of leaving a service that answers ready but never relays again), and its
durables follow the settings it was started with. One tier each."""

from __future__ import annotations

import msgspec
import nats

from shared.contracts.subjects import up_subject
from shared.platform.web.app import create_app
from tests.support.assemblies import open_local_assembly
from tests.support.bus import outbox_messages, stream_messages
from tests.support.polling import eventually
from tests.support.tiers import SPECS, Federation, running

PROPOSALS = [("saude-1", "national", "Ampliar o número de UBS nas periferias", 10)]


async def test_a_relay_loop_that_crashes_is_started_again(local_tier: Federation) -> None:
    local = local_tier.nodes["local"]
    relay = local.relay
    original = relay.relay_once
    crashes: list[str] = []

    async def crash_once() -> int:
        if not crashes:
            crashes.append("boom")
            raise RuntimeError("a bug nobody foresaw")
        return await original()

    relay.relay_once = crash_once  # type: ignore[method-assign]
    assembly_id, _ = await open_local_assembly(
        local_tier, territory="3550308", uf="SP", proposals=PROPOSALS, participants=100
    )
    closed = await local_tier.local.post(
        f"/api/v1/assemblies/{assembly_id}/close", headers=local_tier.staff["local"]
    )
    assert closed.status_code == 202, closed.text

    async def published() -> list[str]:
        found = await stream_messages(local_tier.nats_url, up_subject("local", "report", "SP"))
        return [m.body["assembly_id"] for m in found]

    assert await eventually(published) == [assembly_id]
    assert crashes == ["boom"]
    assert all(m.sent for m in await outbox_messages(local))


async def test_a_changed_ack_wait_reaches_the_existing_durable(regional_tier: Federation) -> None:
    settings = regional_tier.settings["regional"]
    durable = regional_tier.nodes["regional"].consumers[0].subscription

    async def ack_wait() -> float:
        nc = await nats.connect(settings.nats_url)
        try:
            info = await nc.jetstream().consumer_info(durable.stream, durable.durable)
        finally:
            await nc.close()
        return float(info.config.ack_wait or 0)

    assert await ack_wait() == settings.ack_wait_s
    # Another process of the same deployment, started with a new PLENARIA_ACK_WAIT_S.
    changed = msgspec.structs.replace(settings, ack_wait_s=settings.ack_wait_s + 7)
    async with running(create_app(changed, SPECS["regional"])):
        await eventually(ack_wait, done=lambda seconds: seconds == changed.ack_wait_s)
