"""Voting credentials reach the participant without passing through the desk: each attack on
that path is tried here against the real local tier (PostgreSQL, NATS)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from services.local.model import VotingCard
from tests.support.api import bearer
from tests.support.assemblies import create, hand_card, open_desk, submit_texts
from tests.support.tiers import Federation, TierFactory


def _strings(value: Any) -> list[str]:
    """Every string anywhere in a JSON answer."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


async def _open(fed: Federation) -> tuple[str, dict[str, str]]:
    assembly = await create(fed)
    aid, sec = assembly["id"], bearer(assembly["secretary_token"])
    assert (await fed.local.post(f"/api/v1/assemblies/{aid}/open", headers=sec)).is_success
    return aid, sec


async def _register(fed: Federation, aid: str, sec: dict[str, str], name: str) -> dict[str, Any]:
    r = await fed.local.post(
        f"/api/v1/assemblies/{aid}/participants/",
        headers=sec,
        json={"public_name": name, "segment": "users", "credential": True},
    )
    assert r.status_code == 201, r.text
    person: dict[str, Any] = r.json()
    return person


async def test_nothing_the_desk_receives_works_as_a_credential(local_tier: Federation) -> None:
    fed = local_tier
    aid, sec = await _open(fed)
    base = f"/api/v1/assemblies/{aid}/participants"
    answers: list[Any] = []
    one = await _register(fed, aid, sec, "Ana")
    answers.append(one)
    bulk = await fed.local.post(
        f"{base}/bulk",
        headers=sec,
        json={"participants": [{"public_name": "Bia", "segment": "users", "credential": True}]},
    )
    answers.append(bulk.json())
    phone = (await fed.local.post(f"/api/v1/assemblies/{aid}/voting-cards/device")).json()
    bound = await fed.local.post(
        f"{base}/{one['id']}/card", headers=sec, json={"pairing": phone["pairing"]}
    )
    assert bound.status_code == 201, bound.text
    answers.append(bound.json())
    answers.append((await fed.local.get(f"{base}/", headers=sec)).json())
    answers.append((await fed.local.post(f"{base}/{one['id']}/credential", headers=sec)).json())

    # Only the phone's own answer carries a credential, and it works…
    assert (await fed.local.get(f"{base}/me", headers=bearer(phone["code"]))).status_code == 200
    # …while no string the secretary was ever shown authenticates anyone.
    seen = {s for answer in answers for s in _strings(answer)} | {phone["pairing"]}
    assert phone["code"] not in seen
    for value in seen:
        assert (await fed.local.get(f"{base}/me", headers=bearer(value))).status_code == 401

    revoked = await fed.local.post(f"{base}/{one['id']}/revoke", headers=sec)
    assert revoked.status_code == 201 and phone["code"] not in _strings(revoked.json())
    assert (await fed.local.get(f"{base}/me", headers=bearer(phone["code"]))).status_code == 401


async def test_whoever_prints_badges_cannot_hand_them_out(local_tier: Federation) -> None:
    fed = local_tier
    aid, sec = await _open(fed)
    organiser = fed.staff["local"]
    cards = f"/api/v1/assemblies/{aid}/voting-cards/printed"
    # The desk cannot print badges: it would hold their codes.
    assert (await fed.local.post(cards, headers=sec, json={"count": 2})).status_code == 403
    printed = await fed.local.post(cards, headers=organiser, json={"count": 2})
    assert printed.status_code == 201, printed.text
    first, second = printed.json()
    ana = await _register(fed, aid, sec, "Ana")
    base = f"/api/v1/assemblies/{aid}/participants"
    # The organiser may run the desk of their territory, but not with badges they printed.
    refused = await fed.local.post(
        f"{base}/{ana['id']}/card", headers=organiser, json={"pairing": first["pairing"]}
    )
    assert refused.status_code == 403, refused.text
    assert (await fed.local.get(f"{base}/me", headers=bearer(first["code"]))).status_code == 401
    handed = await fed.local.post(
        f"{base}/{ana['id']}/card", headers=sec, json={"pairing": first["pairing"]}
    )
    assert handed.status_code == 201, handed.text
    me = await fed.local.get(f"{base}/me", headers=bearer(first["code"].lower()))
    assert me.status_code == 401  # the API takes the code as printed; the pages normalise it
    me = await fed.local.get(f"{base}/me", headers=bearer(first["code"]))
    assert me.status_code == 200 and me.json()["participant"]["id"] == ana["id"]
    # A badge is handed out once; a second one replaces the first, which stops working.
    bia = await _register(fed, aid, sec, "Bia")
    again = await fed.local.post(
        f"{base}/{bia['id']}/card", headers=sec, json={"pairing": first["pairing"]}
    )
    assert again.status_code == 409, again.text
    replaced = await fed.local.post(
        f"{base}/{ana['id']}/card", headers=sec, json={"pairing": second["pairing"]}
    )
    assert replaced.status_code == 201, replaced.text
    assert (await fed.local.get(f"{base}/me", headers=bearer(first["code"]))).status_code == 401
    assert (await fed.local.get(f"{base}/me", headers=bearer(second["code"]))).status_code == 200


async def test_cards_lapse_belong_to_one_assembly_and_are_bounded(
    tier_factory: TierFactory,
) -> None:
    fed = await tier_factory("local", device_cards_waiting=2)
    aid, sec = await _open(fed)
    other, other_sec = await _open(fed)
    device = f"/api/v1/assemblies/{aid}/voting-cards/device"
    first = (await fed.local.post(device)).json()
    second = (await fed.local.post(device)).json()
    # Nobody can make the tier store phone cards without end.
    full = await fed.local.post(device)
    assert full.status_code == 409, full.text
    assert (await fed.local.post(f"/api/v1/assemblies/{other}/voting-cards/device")).is_success
    # A card of another assembly, or a lapsed one, is no card here.
    ana = await _register(fed, other, other_sec, "Ana")
    foreign = await fed.local.post(
        f"/api/v1/assemblies/{other}/participants/{ana['id']}/card",
        headers=other_sec,
        json={"pairing": first["pairing"]},
    )
    assert foreign.status_code == 404, foreign.text
    bia = await _register(fed, aid, sec, "Bia")
    async with fed.node("local").db.transaction() as session:
        await session.execute(
            update(VotingCard)
            .where(VotingCard.assembly_id == uuid.UUID(aid))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    lapsed = await fed.local.post(
        f"/api/v1/assemblies/{aid}/participants/{bia['id']}/card",
        headers=sec,
        json={"pairing": second["pairing"]},
    )
    assert lapsed.status_code == 404, lapsed.text
    # Lapsed cards free their places.
    assert (await fed.local.post(device)).status_code == 201
    # A pairing number is digits only; anything else is refused, naming the field.
    bad = await fed.local.post(
        f"/api/v1/assemblies/{aid}/participants/{bia['id']}/card",
        headers=sec,
        json={"pairing": "' OR 1=1 --"},
    )
    assert bad.status_code == 400 and "pairing" in bad.text


async def test_a_badge_replaced_during_a_poll_still_casts_one_ballot(
    local_tier: Federation,
) -> None:
    desk = await open_desk(local_tier)  # eight participants, each with a card from their phone
    await submit_texts(desk)
    await desk.start_voting()
    p = await desk.poll(kind="decision", proposal_id=desk.ids[0])
    ana = desk.people[0]
    assert (await desk.ballot(p["id"], desk.tokens[0], choice="yes")).status_code == 201
    # Ana "loses" her badge mid-poll: the desk binds a new card from her phone. The old one
    # stops at once; the new one waits for a second person of the desk, so the secretary alone
    # cannot take over a voter's credential once voting began.
    new = bearer(await hand_card(desk.client, desk.aid, desk.sec, ana["id"]))
    assert (await desk.ballot(p["id"], desk.tokens[0], choice="no")).status_code == 401
    assert (await desk.ballot(p["id"], new, choice="no")).status_code == 401
    confirm = f"/participants/{ana['id']}/confirm"
    assert (await desk.post(confirm)).status_code == 403  # not by whoever bound it
    assert (await desk.post(confirm, headers=desk.second)).status_code == 201
    again = await desk.ballot(p["id"], new, choice="no")
    assert again.status_code == 409, again.text  # she is on the roll, and has voted
    closed = await desk.close_poll(p["id"])
    assert closed["ballots"] == 1
