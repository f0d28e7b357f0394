"""Working groups with places per segment (the cycle's ``[working_groups]``): the desk places
each participant in one group of an axis; a group full for the participant's segment refuses
them with the figures, a move frees the old place, and only this assembly's desk places anyone."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.api import bearer
from tests.support.assemblies import create, register
from tests.support.tiers import Federation, operator
from tests.support.working_groups import WORKING_GROUP_CYCLE, working_group_cycle


async def test_a_working_group_takes_its_places_per_segment_and_no_more(
    local_tier: Federation,
) -> None:
    client = local_tier.local
    loaded = await client.post(
        "/api/v1/cycles/", headers=operator("local"), json={"rules_toml": working_group_cycle()}
    )
    assert loaded.status_code == 201, loaded.text
    created = await create(local_tier, cycle_id=WORKING_GROUP_CYCLE)
    aid, sec = created["id"], bearer(created["secretary_token"])
    assert (await client.post(f"/api/v1/assemblies/{aid}/open", headers=sec)).status_code == 201
    people = {p["public_name"]: p for p in await register(client, aid, sec)}
    url = f"/api/v1/assemblies/{aid}/working-groups/"

    async def place(
        name: str, axis: str = "saude-1", number: int = 1, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await client.post(
            url,
            headers=headers or sec,
            json={"participant_id": people[name]["id"], "axis": axis, "number": number},
        )

    def places(group: dict[str, Any]) -> dict[str, tuple[int, int]]:
        return {s: (p["taken"], p["places"]) for s, p in group["places"].items()}

    for name in ("Ana", "Bruno", "Elisa", "Gabi"):
        placed = await place(name)
        assert placed.status_code == 201, placed.text
    assert places(placed.json()) == {"users": (2, 2), "workers": (1, 1), "managers": (1, 1)}
    full = await place("Carla")
    assert full.status_code == 409, full.text
    assert full.json()["detail"] == (
        "working group 1 of axis 'saude-1' is full for segment 'users' (2 of 2 places taken)"
    )
    assert (full.json()["segment"], full.json()["places"], full.json()["taken"]) == (
        "users", 2, 2,
    )  # fmt: skip
    assert (await place("Fábio")).status_code == 409
    other = await place("Carla", number=2)
    assert other.status_code == 201 and places(other.json())["users"] == (1, 2), other.text

    # Bruno moves to another axis: his place is free again, and Carla may take it.
    moved = await place("Bruno", axis="saude-2")
    assert moved.status_code == 201 and places(moved.json())["users"] == (1, 2), moved.text
    again = await place("Carla")
    assert again.status_code == 201, again.text
    assert [m["public_name"] for m in again.json()["members"]] == ["Ana", "Elisa", "Gabi", "Carla"]
    assert (await place("Carla")).status_code == 201, "placing someone where they sit is a no-op"

    # Groups and axes the cycle does not have; people of no assembly here.
    assert (await place("Diego", number=3)).status_code == 422
    assert (await place("Diego", axis="saude-9")).status_code == 422
    stranger = await client.post(
        url,
        headers=sec,
        json={"participant_id": "0190a1b2-0000-7000-8000-000000000000", "axis": "saude-1"},
    )
    assert stranger.status_code == 404, stranger.text
    guest = await client.post(
        f"/api/v1/assemblies/{aid}/participants/",
        headers=sec,
        json={"public_name": "Observadora", "segment": "users", "voice_only": True},
    )
    people["Observadora"] = guest.json()
    voice_only = await place("Observadora", number=2)
    assert voice_only.status_code == 409 and "voice only" in voice_only.json()["detail"]

    # Nobody but this assembly's desk places anyone: not a participant, not another desk, and
    # an assembly whose cycle sets no working groups has none.
    participant = bearer(people["Diego"]["badge_code"])
    assert (await place("Diego", number=2, headers=participant)).status_code == 403
    elsewhere = await create(local_tier)
    other_desk = bearer(elsewhere["secretary_token"])
    assert (await place("Diego", number=2, headers=other_desk)).status_code == 403
    none = await client.post(
        f"/api/v1/assemblies/{elsewhere['id']}/working-groups/",
        headers=other_desk,
        json={"participant_id": people["Diego"]["id"], "axis": "saude-1"},
    )
    assert none.status_code == 422 and "sets no working groups" in none.json()["detail"]

    listed = await client.get(url, headers=sec)
    assert listed.status_code == 200, listed.text
    groups = {(g["axis"], g["number"]): g for g in listed.json()}
    assert len(groups) == 6  # three axes, two groups each
    assert places(groups[("saude-1", 1)]) == {
        "users": (2, 2), "workers": (1, 1), "managers": (1, 1),
    }  # fmt: skip
    assert [m["public_name"] for m in groups[("saude-1", 2)]["members"]] == []
    assert [m["public_name"] for m in groups[("saude-2", 1)]["members"]] == ["Bruno"]
    assert (await client.get(url, headers=participant)).status_code == 403
