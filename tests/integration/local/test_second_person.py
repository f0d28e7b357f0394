"""Counts the desk enters, and people it credentials once voting began, take two people of the
desk: whoever did it cannot also confirm it, and until someone else does nothing is decided
and nobody new votes."""

from __future__ import annotations

import json

from tests.support.assemblies import open_desk, submit_texts
from tests.support.tiers import Federation


async def test_counts_decide_nothing_until_another_person_confirms(
    local_tier: Federation,
) -> None:
    desk = await open_desk(local_tier)
    await submit_texts(desk)
    await desk.start_voting()
    proposal = desk.ids[4]
    p = await desk.poll(kind="decision", proposal_id=proposal, mode="counts")
    assert (await desk.post(f"/polls/{p['id']}/counts", json={"yes": 7, "no": 1})).is_success
    counted = await desk.post(f"/polls/{p['id']}/close")
    assert counted.status_code == 201 and counted.json()["status"] == "counted", counted.text

    async def status() -> str:
        listed = (await desk.get("/proposals/")).json()
        found: str = next(x["status"] for x in listed if x["id"] == proposal)
        return found

    assert await status() == "submitted"  # a counted poll decides nothing yet
    refused = await desk.post("/close")
    assert refused.status_code == 409 and p["id"] in refused.json()["open_polls"]
    confirm = {"poll_ids": [p["id"]]}
    mine = await desk.post("/polls/confirm", json=confirm)
    assert mine.status_code == 403, mine.text  # not by whoever closed it
    # The second person disagrees: back to open, entries kept, to be corrected.
    back = await desk.post(f"/polls/{p['id']}/send-back", headers=desk.second)
    assert back.status_code == 201 and back.json()["status"] == "open", back.text
    assert (await desk.post(f"/polls/{p['id']}/counts/void")).json()["withdrawn"] == 8
    assert (await desk.post(f"/polls/{p['id']}/counts", json={"yes": 2, "no": 6})).is_success
    assert (await desk.post(f"/polls/{p['id']}/close")).json()["status"] == "counted"
    done = await desk.post("/polls/confirm", headers=desk.second, json=confirm)
    assert done.status_code == 201, done.text
    (closed,) = done.json()
    assert closed["status"] == "closed" and closed["outcome"] == "rejected"
    assert await status() == "rejected"
    record = json.loads(closed["closing"]["record"])
    assert record["counted_by"] and record["confirmed_by"] != record["counted_by"]
    # Confirming again is refused.
    assert (await desk.post("/polls/confirm", json=confirm)).status_code == 409


async def test_someone_checked_in_once_voting_began_waits_for_a_second_person(
    local_tier: Federation,
) -> None:
    desk = await open_desk(local_tier)
    await submit_texts(desk)
    await desk.start_voting()
    late = await desk.post(
        "/participants/", json={"public_name": "Tardia", "segment": "users", "credential": True}
    )
    assert late.status_code == 201, late.text
    assert late.json()["awaiting_confirmation"] and not late.json()["credentialed"]
    first = await desk.poll(kind="decision", proposal_id=desk.ids[0])
    assert first["electorate"] == 8  # not on any roll while unconfirmed
    confirm = f"/participants/{late.json()['id']}/confirm"
    assert (await desk.post(confirm)).status_code == 403  # the same secretary
    confirmed = await desk.post(confirm, headers=desk.second)
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["credentialed"] and not confirmed.json()["awaiting_confirmation"]
    assert (await desk.post(confirm, headers=desk.second)).status_code == 409
    await desk.close_poll(first["id"])
    second = await desk.poll(kind="decision", proposal_id=desk.ids[1])
    assert second["electorate"] == 9
