"""What comes down to the local tier, handed to its receiver signed as the national tier would
sign it: a cycle's rules (invalid rules are dead-lettered) and an assembly's seats."""

from __future__ import annotations

import uuid

from shared.contracts.messages import CycleAnnouncement, SeatAllocation
from shared.contracts.subjects import down_subject
from shared.core.cycle import preset_text
from shared.platform.bus.inbox import Receiver
from tests.support.tiers import Federation


async def deliver(receiver: Receiver, row: dict[str, object]) -> tuple[str, str | None]:
    outcome, reason = await receiver.receive(str(row["subject"]), row["data"], row["headers"])  # type: ignore[arg-type]
    return outcome, reason


async def announce_environment_cycle(tier: Federation) -> tuple[str, str | None]:
    row = tier.outbox("national").prepare(
        CycleAnnouncement(
            cycle_id="cnma-2027", title="CNMA", rules_toml=preset_text("environment")
        ),
        down_subject("cycle", "BR"),
    )
    return await deliver(tier.nodes["local"].receiver, row)


async def test_a_cycle_announced_from_above_sets_its_rules(local_tier: Federation) -> None:
    outcome, _ = await announce_environment_cycle(local_tier)
    assert outcome == "applied"
    shown = (await local_tier.local.get("/api/v1/cycles/cnma-2027")).json()
    assert shown["priority"]["method"] == "approval"


async def test_a_cycle_with_invalid_rules_is_dead_lettered(local_tier: Federation) -> None:
    bad = local_tier.outbox("national").prepare(
        CycleAnnouncement(cycle_id="x", title="x", rules_toml="nonsense = ["),
        down_subject("cycle", "BR"),
    )
    assert await deliver(local_tier.nodes["local"].receiver, bad) == (
        "dead-lettered",
        "invalid-rules",
    )
    assert (await local_tier.local.get("/api/v1/cycles/x")).status_code == 404


async def test_seats_allocated_from_above_are_shared_among_the_segments(
    local_tier: Federation,
) -> None:
    await announce_environment_cycle(local_tier)
    created = (
        await local_tier.local.post(
            "/api/v1/assemblies/",
            headers=local_tier.staff["local"],
            json={
                "cycle_id": "cnma-2027",
                "kind": "municipal",
                "territory": "3304557",
                "uf": "RJ",
                "title": "CMMA Rio",
            },
        )
    ).json()
    # A municipality's seats come from its state's regional instance.
    alloc = local_tier.outbox("regional").prepare(
        SeatAllocation(
            allocation_id=str(uuid.uuid4()), cycle_id="cnma-2027", territory="3304557", seats=10
        ),
        down_subject("allocation", "3304557"),
    )
    outcome, _ = await deliver(local_tier.nodes["local"].receiver, alloc)
    assert outcome == "applied"
    seats = (await local_tier.local.get(f"/api/v1/assemblies/{created['id']}/allocation")).json()
    assert seats["seats"] == {"civil": 6, "public": 2, "business": 2}
