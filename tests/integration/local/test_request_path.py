"""The cheap request path stays correct: cached cycle rules follow a re-store made by another
process (the row's version changes), and the election view gives the same answer before and
after an election whether or not it recomputes the seats."""

from __future__ import annotations

from sqlalchemy import update

from shared.core.cycle import preset_text
from shared.features.cycles import store as cycles
from shared.features.cycles.model import CycleRecord
from tests.support.api import bearer
from tests.support.assemblies import confirm_counted, create
from tests.support.tiers import Federation


async def test_cached_rules_follow_a_restore_by_another_process(local_tier: Federation) -> None:
    sessions = local_tier.nodes["local"].sessions
    async with sessions() as session, session.begin():
        await cycles.store_cycle(session, preset_text("health"), source="preset")
    async with sessions() as session:
        first = await cycles.rules_for(session, "cns-2027")
        assert await cycles.rules_for(session, "cns-2027") is first  # version unchanged: cached
    changed = preset_text("health").replace(first.title, first.title + " (revista)", 1)
    # Another process re-stores the cycle: this process's caches are not told.
    async with sessions() as session, session.begin():
        await session.execute(
            update(CycleRecord).where(CycleRecord.cycle_id == "cns-2027").values(rules_toml=changed)
        )
    async with sessions() as session:
        again = await cycles.rules_for(session, "cns-2027")
        assert again.title == first.title + " (revista)"
        assert await cycles.rules_for(session, "cns-2027") is again
    # The same text written again is a new row version: read again, parsed rules reused.
    async with sessions() as session, session.begin():
        await session.execute(
            update(CycleRecord).where(CycleRecord.cycle_id == "cns-2027").values(rules_toml=changed)
        )
    async with sessions() as session:
        assert await cycles.rules_for(session, "cns-2027") is again
    async with sessions() as session, session.begin():
        await cycles.store_cycle(session, preset_text("health"), source="preset")
    async with sessions() as session:
        assert (await cycles.rules_for(session, "cns-2027")).title == first.title
    shown = (await local_tier.local.get("/api/v1/cycles/cns-2027")).json()
    assert shown["title"] == first.title


async def test_election_view_before_and_after_the_election(local_tier: Federation) -> None:
    local = local_tier.local
    created = await create(local_tier)
    aid, sec = created["id"], bearer(created["secretary_token"])
    base = f"/api/v1/assemblies/{aid}"
    before = (await local.get(f"{base}/election")).json()
    assert before == {
        "seats": {"users": 0, "workers": 0, "managers": 0},
        "mandates": [],
        "findings": [],
        "notes": ["no seats were allocated to this assembly"],
        "complete": None,
    }
    alloc = await local.put(f"{base}/allocation", headers=sec, json={"seats": 4})
    assert alloc.status_code == 200, alloc.text
    pending = (await local.get(f"{base}/election")).json()
    assert pending["seats"] == {"users": 2, "workers": 1, "managers": 1}
    assert pending["complete"] is None and pending["notes"] == []
    seated = [("users", "woman"), ("users", "man"), ("users", "woman"), ("workers", "woman")]
    seated += [("workers", "man"), ("managers", "woman"), ("managers", "man")]
    people = [
        {"public_name": f"P{i}", "segment": s, "gender": g, "credential": True}
        for i, (s, g) in enumerate(seated)
    ]
    registered = await local.post(
        f"{base}/participants/bulk", headers=sec, json={"participants": people}
    )
    assert registered.status_code == 201, registered.text
    stood = await local.post(
        f"{base}/candidacies/bulk",
        headers=sec,
        json={"participant_ids": [p["id"] for p in registered.json()]},
    )
    assert stood.status_code == 201, stood.text
    assert (await local.post(f"{base}/voting", headers=sec)).status_code == 201
    poll = (
        await local.post(f"{base}/polls/", headers=sec, json={"kind": "election", "mode": "counts"})
    ).json()
    ids = [c["id"] for c in stood.json()]
    chosen = [ids[0], ids[1], ids[3], ids[5]]  # two users, a worker, a manager
    counts = await local.post(
        f"{base}/polls/{poll['id']}/counts",
        headers=sec,
        json={"entries": [{"ranking": [chosen], "count": 3}]},
    )
    assert counts.status_code == 201, counts.text
    closed = await local.post(f"{base}/polls/{poll['id']}/close", headers=sec)
    assert closed.status_code == 201, closed.text
    confirmed = await confirm_counted(local, aid, local_tier.staff["local"], closed.json())
    after = (await local.get(f"{base}/election")).json()
    assert after["seats"] == {"users": 2, "workers": 1, "managers": 1}
    assert after["complete"] is True
    assert sum(m["role"] == "titular" for m in after["mandates"]) == 4
    assert after["findings"] and after["notes"] == confirmed["result"]["notes"]
