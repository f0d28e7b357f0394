"""The node keeps its background loops alive (an error nobody foresaw is logged and the loop
starts again, instead of leaving a service that answers ready but never relays again), and its
durables follow the settings it was started with."""

from __future__ import annotations

from typing import Any

import msgspec
import nats

from shared.platform.web.app import create_app
from tests.support.polling import eventually
from tests.support.tiers import AUTH, SPECS, FederationFactory, running


async def test_a_relay_loop_that_crashes_is_started_again(
    federation_factory: FederationFactory,
) -> None:
    federation = await federation_factory()
    relay = federation.nodes["local"].relay
    original = relay.relay_once
    crashes: list[str] = []

    async def crash_once() -> int:
        if not crashes:
            crashes.append("boom")
            raise RuntimeError("a bug nobody foresaw")
        return await original()

    relay.relay_once = crash_once  # type: ignore[method-assign]
    created = await federation.local.post(
        "/api/v1/assemblies/",
        headers=AUTH,
        json={
            "cycle_id": "cns-2027",
            "kind": "municipal",
            "territory": "3550308",
            "uf": "SP",
            "title": "Conferência Municipal",
            "participants": 100,
        },
    )
    assert created.status_code == 201, created.text
    assembly_id = created.json()["id"]
    proposal = {
        "axis": "saude-1",
        "competence": "national",
        "title": "UBS",
        "text": "Ampliar o número de UBS nas periferias",
        "support": 10,
    }
    added = await federation.local.post(
        f"/api/v1/assemblies/{assembly_id}/proposals", headers=AUTH, json=proposal
    )
    assert added.status_code == 201, added.text
    closed = await federation.local.post(f"/api/v1/assemblies/{assembly_id}/close", headers=AUTH)
    assert closed.status_code == 202, closed.text

    async def reports() -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = (await federation.regional.get("/api/v1/reports")).json()
        return data

    arrived = await eventually(reports)
    assert crashes == ["boom"]
    assert [r["assembly_id"] for r in arrived] == [assembly_id]


async def test_a_changed_ack_wait_reaches_the_existing_durable(
    federation_factory: FederationFactory,
) -> None:
    federation = await federation_factory()
    settings = federation.settings["regional"]
    durable = federation.nodes["regional"].consumers[0].subscription

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
