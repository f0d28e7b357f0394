"""Guests and observers have voice, not vote: credentialed like anyone, they are on no roll,
bound no count, stand for nothing and sign nothing."""

from __future__ import annotations

from tests.support.api import bearer
from tests.support.assemblies import hand_card, open_desk, submit_texts
from tests.support.tiers import Federation


async def test_a_voice_only_guest_speaks_but_does_not_vote(local_tier: Federation) -> None:
    desk = await open_desk(local_tier)  # eight voters
    await submit_texts(desk)
    guest = await desk.post(
        "/participants/",
        json={"public_name": "Observadora", "segment": "users", "voice_only": True},
    )
    assert guest.status_code == 201 and guest.json()["voice_only"], guest.text
    code = bearer(await hand_card(desk.client, desk.aid, desk.sec, guest.json()["id"]))
    me = await desk.client.get(desk.url("/participants/me"), headers=code)
    assert me.status_code == 200 and me.json()["participant"]["credentialed"], me.text

    stood = await desk.post("/candidacies", json={"participant_id": guest.json()["id"]})
    assert stood.status_code == 409 and "voice only" in stood.text, stood.text
    await desk.start_voting()
    p = await desk.poll(kind="decision", proposal_id=desk.ids[0])
    assert p["electorate"] == 8  # the guest is on no roll
    refused = await desk.ballot(p["id"], code, choice="yes")
    assert refused.status_code == 403 and "voice only" in refused.text, refused.text
    # Counts are bounded by the eight who vote, not the nine present.
    counted = await desk.poll(kind="decision", proposal_id=desk.ids[4], mode="counts")
    above = await desk.post(f"/polls/{counted['id']}/counts", json={"yes": 9})
    assert above.status_code == 422 and above.json()["limit"] == 8, above.text
