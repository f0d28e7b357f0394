"""What a closed assembly sends up, read from the local tier's own outbox (the regional tier is
not running): the approved state and national items, signed with the assembly's key, ordered by
the priority polls, with ballot manifests, motions and mandates; and a forwarded proposal's
journey once a council answer comes back down."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.contracts.messages import CouncilResponse, OriginRef
from shared.contracts.subjects import down_subject, up_subject
from shared.features.plenary import audit
from shared.features.plenary.ballot_box import verify_record
from shared.platform.bus.signing import KeyRing
from tests.support.assemblies import AMENDED_IN_PLENARY, Plenary, hold_plenary
from tests.support.bus import Sent, outbox_messages
from tests.support.tiers import Federation


@pytest.fixture
async def plenary(local_tier: Federation) -> Plenary:
    return await hold_plenary(local_tier)


@pytest.fixture
async def closed(local_tier: Federation, plenary: Plenary) -> dict[str, Any]:
    response = await plenary.desk.post("/close")
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def report(local_tier: Federation, closed: dict[str, Any]) -> Sent:
    [sent] = await outbox_messages(local_tier.nodes["local"], "report")
    return sent


async def test_closing_sends_up_the_approved_state_and_national_items(
    plenary: Plenary, closed: dict[str, Any], report: Sent
) -> None:
    ids = plenary.ids
    assert closed["items"] == 4  # approved state/national items; the municipal one stays local
    assert closed["report_id"] == report.body["report_id"]
    assert report.subject == up_subject("local", "report", "SP")
    body = report.body
    assert body["assembly_id"] == plenary.desk.aid and body["participants"] == 8
    assert {i["item_id"] for i in body["items"]} == {ids[0], ids[1], ids[3], ids[5]}


async def test_the_report_is_signed_with_the_assemblys_own_key(
    local_tier: Federation, plenary: Plenary, report: Sent
) -> None:
    key_id = plenary.desk.created["key_id"]
    assert report.sender == key_id
    introductions = [
        m.body
        for m in await outbox_messages(local_tier.nodes["local"], "key.introduced")
        if m.body["key_id"] == key_id
    ]
    assert [i["assembly_id"] for i in introductions] == [plenary.desk.aid]
    ring = KeyRing({key_id: introductions[0]["public_key"]})
    ring.verify(report.sender, report.data, report.signature)  # raises if it does not verify


async def test_an_item_approved_in_part_goes_up_with_the_plenarys_text(
    plenary: Plenary, report: Sent
) -> None:
    in_part = next(i for i in report.body["items"] if i["item_id"] == plenary.ids[1])
    assert in_part["decision"] == "approved_in_part"
    assert in_part["text"] == AMENDED_IN_PLENARY


async def test_the_priority_polls_rank_the_items_and_go_up_as_pairwise_counts(
    plenary: Plenary, report: Sent
) -> None:
    a, b = plenary.paper.candidates
    z = plenary.electronic.candidates[2]
    body = report.body
    first = {i["axis"]: i for i in body["items"] if i["rank"] == 1}
    assert first["saude-1"]["item_id"] == a and first["saude-2"]["item_id"] == z
    assert {p["axis"] for p in body["pairwise"]} == {"saude-1", "saude-2"}
    pw = next(p for p in body["pairwise"] if p["axis"] == "saude-1")
    assert pw["matrix"][pw["candidates"].index(a)][pw["candidates"].index(b)] == 3


async def test_the_report_carries_ballot_manifests_motions_and_mandates_without_tokens(
    report: Sent,
) -> None:
    body = report.body
    assert len(body["manifests"]) == 10  # one per poll
    assert all(len(m["ballots_sha256"]) == 64 for m in body["manifests"])
    assert body["motions"][0]["approved"] and body["motions"][0]["signatures"] == 2
    assert len([m for m in body["mandates"] if m["role"] == "titular"]) == 3
    assert all(
        set(m) >= {"public_name", "segment"} and "badge_code" not in m for m in body["mandates"]
    )


async def test_a_forwarded_proposals_journey_shows_its_report_and_one_council_answer(
    local_tier: Federation, plenary: Plenary, report: Sent
) -> None:
    ids, aid = plenary.ids, plenary.desk.aid
    receiver = local_tier.nodes["local"].receiver
    national = local_tier.outbox("national")  # signs as the national tier would
    response = CouncilResponse(
        response_id="resp-1",
        national_item_id="nat-7",
        decision="adopted",
        answered_at=datetime.now(UTC),
        origins=[OriginRef(proposal_id=ids[0], assembly_id=aid, territory="3550308")],
    )
    row = national.prepare(response, down_subject("response", "BR"))
    for _ in range(2):  # the same message delivered twice
        await receiver.receive(str(row["subject"]), row["data"], row["headers"])  # type: ignore[arg-type]
    again = national.prepare(response, down_subject("response", "BR"))  # a new message id
    await receiver.receive(str(again["subject"]), again["data"], again["headers"])  # type: ignore[arg-type]

    journey = (await local_tier.local.get(f"/api/v1/proposals/{ids[0]}/journey")).json()
    a = plenary.paper.candidates[0]
    assert journey["report"]["report_id"] == report.body["report_id"]
    assert journey["report"]["rank"] == (1 if ids[0] == a else 2)
    assert [r["decision"] for r in journey["responses"]] == ["adopted"]
    assert journey["plenary"]["outcome"] == "approved"


async def test_a_municipal_proposal_stays_local(
    local_tier: Federation, plenary: Plenary, report: Sent
) -> None:
    stayed = (await local_tier.local.get(f"/api/v1/proposals/{plenary.ids[4]}/journey")).json()
    assert stayed["report"]["stayed_local"]
    assert plenary.ids[4] not in {i["item_id"] for i in report.body["items"]}


async def test_the_report_carries_each_polls_signed_records_and_the_audit_head(
    local_tier: Federation, plenary: Plenary, report: Sent
) -> None:
    body = report.body
    electronic = 0
    for manifest in body["manifests"]:
        opening = verify_record(manifest["opening"])
        closing = verify_record(manifest["closing"])
        assert opening["poll_id"] == closing["poll_id"] == manifest["poll_id"]
        assert opening["ballots"] == 0 and opening["electorate"] == manifest["electorate"]
        assert closing["export_sha256"] == manifest["ballots_sha256"]
        assert closing["ballots"] == manifest["ballots"]
        assert closing["opening_sha256"] == hashlib.sha256(opening_text(manifest)).hexdigest()
        if opening["mode"] == "electronic":
            electronic += 1
            assert opening["key_fingerprint"] and closing["voted"] == manifest["ballots"]
    assert electronic == 7  # five decisions, one priority, the election
    summary = body["audit"]
    async with local_tier.nodes["local"].sessions() as session:
        head = await audit.verify(session, plenary.desk.aid)
    assert summary["head"] == str(head) and summary["events"] == head.seq
    assert summary["ties"] == 2  # the three men everyone approved, the three nobody did
    assert summary["late_credentials"] == 0


def opening_text(manifest: dict[str, Any]) -> bytes:
    text: str = manifest["opening"]["record"]
    return text.encode()
