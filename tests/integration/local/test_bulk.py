"""The local tier's bulk paths (decisions en bloc, participants, candidacies) give what the
one-by-one paths give, and a batch with any bad entry changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from services.local.model import Participant, Proposal
from shared.features.plenary.model import Ballot, Candidacy, Poll
from tests.support.api import bearer
from tests.support.assemblies import (
    PEOPLE,
    assembly_with_proposals,
    confirm_counted,
    create,
    decided_en_bloc,
    hand_card,
)
from tests.support.tiers import Federation

COUNTS: list[dict[str, Any]] = [
    {"yes": 40, "no": 12, "abstain": 3},
    {"yes": 5, "no": 30, "abstain": 0},
    {"yes": 30, "no": 5, "abstain": 1, "amended_text": "Texto emendado pela plenária"},
    {"yes": 0, "no": 0, "abstain": 0},
]


def comparable(poll: dict[str, Any]) -> dict[str, Any]:
    """A poll's view without what differs between two assemblies (ids, hashes of exports
    whose title names the proposal id)."""
    return {
        k: v
        for k, v in poll.items()
        if k not in ("id", "subject", "ballots_sha256", "roll_sha256", "opening", "closing")
    }


async def rows(tier: Federation, model: Any) -> int:
    async with tier.nodes["local"].sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_decisions_en_bloc_equal_one_by_one(local_tier: Federation) -> None:
    local, second = local_tier.local, local_tier.staff["local"]
    one_aid, one_sec, one_ids = await assembly_with_proposals(local_tier, len(COUNTS))
    bloc_aid, bloc_sec, bloc_ids = await assembly_with_proposals(local_tier, len(COUNTS))

    one_by_one = []
    for pid, counts in zip(one_ids, COUNTS, strict=True):
        amended = counts.get("amended_text")
        body: dict[str, Any] = {"kind": "decision", "mode": "counts", "proposal_id": pid}
        if amended:
            body["amended_text"] = amended
        poll = (
            await local.post(f"/api/v1/assemblies/{one_aid}/polls/", headers=one_sec, json=body)
        ).json()
        tally = {k: v for k, v in counts.items() if k != "amended_text"}
        r = await local.post(
            f"/api/v1/assemblies/{one_aid}/polls/{poll['id']}/counts", headers=one_sec, json=tally
        )
        assert r.status_code == 201, r.text
        closed = await local.post(
            f"/api/v1/assemblies/{one_aid}/polls/{poll['id']}/close", headers=one_sec
        )
        assert closed.status_code == 201 and closed.json()["status"] == "counted", closed.text
        one_by_one.append(await confirm_counted(local, one_aid, second, closed.json()))

    body = await decided_en_bloc(
        local,
        bloc_aid,
        bloc_sec,
        second,
        [{"proposal_id": pid, **c} for pid, c in zip(bloc_ids, COUNTS, strict=True)],
    )
    assert [p["subject"] for p in body["polls"]] == bloc_ids
    assert [comparable(p) for p in body["polls"]] == [comparable(p) for p in one_by_one]
    assert {p["outcome"] for p in one_by_one} >= {"approved", "rejected", "approved_in_part"}

    async def proposals(aid: str) -> list[dict[str, Any]]:
        listed = (await local.get(f"/api/v1/assemblies/{aid}/proposals/")).json()
        return [
            {k: p[k] for k in ("title", "text", "status", "version")}
            for p in sorted(listed, key=lambda p: p["title"])
        ]

    assert await proposals(bloc_aid) == await proposals(one_aid)

    # The same report goes up: as many items and manifests either way.
    one_close = await local.post(f"/api/v1/assemblies/{one_aid}/close", headers=one_sec)
    bloc_close = await local.post(f"/api/v1/assemblies/{bloc_aid}/close", headers=bloc_sec)
    assert one_close.status_code == bloc_close.status_code == 202, bloc_close.text
    drop = ("report_id",)
    assert {k: v for k, v in bloc_close.json().items() if k not in drop} == {
        k: v for k, v in one_close.json().items() if k not in drop
    }


async def test_bad_decisions_change_nothing(local_tier: Federation) -> None:
    local = local_tier.local
    aid, sec, ids = await assembly_with_proposals(local_tier, 2)
    other_aid, other_sec, other_ids = await assembly_with_proposals(local_tier, 1)
    good = {"proposal_id": ids[0], "yes": 3}
    cases: list[tuple[dict[str, str], list[dict[str, Any]], int]] = [
        (sec, [good, {"proposal_id": other_ids[0], "yes": 1}], 422),  # another assembly's
        (sec, [good, {"proposal_id": "01900000-0000-7000-8000-000000000000", "yes": 1}], 422),
        (sec, [good, {"proposal_id": ids[1], "yes": 2, "no": -1}], 422),
        (sec, [good, good], 422),
        (other_sec, [good], 403),
    ]
    for headers, decisions, status in cases:
        r = await local.post(
            f"/api/v1/assemblies/{aid}/decisions/", headers=headers, json={"decisions": decisions}
        )
        assert r.status_code == status, (decisions, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert await rows(local_tier, Poll) == 0
    assert await rows(local_tier, Ballot) == 0
    async with local_tier.nodes["local"].sessions() as session:
        statuses = set((await session.scalars(select(Proposal.status))).all())
    assert statuses == {"submitted"}
    # A decided proposal cannot be decided again, en bloc or not; nothing else is applied.
    await decided_en_bloc(local, aid, sec, local_tier.staff["local"], [good])
    r = await local.post(
        f"/api/v1/assemblies/{aid}/decisions/",
        headers=sec,
        json={"decisions": [{"proposal_id": ids[1], "yes": 1}, good]},
    )
    assert r.status_code == 422, r.text
    assert await rows(local_tier, Poll) == 1
    del other_aid


def person(name: str, segment: str, gender: str, race: str) -> dict[str, Any]:
    return {
        "public_name": name,
        "segment": segment,
        "gender": gender,
        "race_colour": race,
        "credential": True,
    }


async def test_bulk_participants_and_candidacies_equal_one_by_one(local_tier: Federation) -> None:
    local = local_tier.local
    one = await create(local_tier)
    bloc = await create(local_tier)
    one_sec, bloc_sec = bearer(one["secretary_token"]), bearer(bloc["secretary_token"])
    people = [person(*p) for p in PEOPLE]

    singles = []
    for body in people:
        r = await local.post(
            f"/api/v1/assemblies/{one['id']}/participants/", headers=one_sec, json=body
        )
        assert r.status_code == 201, r.text
        singles.append(r.json())
    r = await local.post(
        f"/api/v1/assemblies/{bloc['id']}/participants/bulk",
        headers=bloc_sec,
        json={"participants": people},
    )
    assert r.status_code == 201, r.text
    bulk = r.json()

    def strip(p: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in p.items() if k != "id"}

    assert [strip(p) for p in bulk] == [strip(p) for p in singles]
    # No answer of the desk carries a voting credential: those come on voting cards.
    assert all(set(p) == set(bulk[0]) and "token" not in str(sorted(p)) for p in bulk + singles)

    # Each card's code belongs to the participant it was handed to: one stands only for self.
    first, second = bulk[0], bulk[1]
    first_code = bearer(await hand_card(local, bloc["id"], bloc_sec, first["id"]))
    second_code = bearer(await hand_card(local, bloc["id"], bloc_sec, second["id"]))
    r = await local.post(
        f"/api/v1/assemblies/{bloc['id']}/candidacies",
        headers=second_code,
        json={"participant_id": first["id"]},
    )
    assert r.status_code == 403, r.text
    r = await local.post(
        f"/api/v1/assemblies/{bloc['id']}/candidacies",
        headers=first_code,
        json={"participant_id": first["id"]},
    )
    assert r.status_code == 201, r.text

    one_stood = []
    for p in singles:
        r = await local.post(
            f"/api/v1/assemblies/{one['id']}/candidacies",
            headers=one_sec,
            json={"participant_id": p["id"]},
        )
        assert r.status_code == 201, r.text
        one_stood.append(r.json())
    r = await local.post(
        f"/api/v1/assemblies/{bloc['id']}/candidacies/bulk",
        headers=bloc_sec,
        json={"participant_ids": [p["id"] for p in bulk[1:]]},
    )
    assert r.status_code == 201, r.text
    bloc_stood = r.json()
    strip_id = lambda c: {k: v for k, v in c.items() if k != "id"}  # noqa: E731
    assert [strip_id(c) for c in bloc_stood] == [strip_id(c) for c in one_stood[1:]]
    listed = (await local.get(f"/api/v1/assemblies/{bloc['id']}/candidacies")).json()
    assert sorted(map(str, map(strip_id, listed))) == sorted(map(str, map(strip_id, one_stood)))


async def test_bad_bulk_registrations_change_nothing(local_tier: Federation) -> None:
    local = local_tier.local
    created = await create(local_tier)
    aid, sec = created["id"], bearer(created["secretary_token"])
    other = await create(local_tier)
    good = person(*PEOPLE[0])
    for headers, people, status in (
        (sec, [good, {**good, "segment": "aliens"}], 422),
        (sec, [good, {**good, "public_name": ""}], 400),
        (bearer(other["secretary_token"]), [good], 403),
    ):
        r = await local.post(
            f"/api/v1/assemblies/{aid}/participants/bulk",
            headers=headers,
            json={"participants": people},
        )
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    assert await rows(local_tier, Participant) == 0

    made = (
        await local.post(
            f"/api/v1/assemblies/{aid}/participants/bulk",
            headers=sec,
            json={
                "participants": [
                    good,
                    {**good, "public_name": "Sem credencial", "credential": False},
                ]
            },
        )
    ).json()
    stranger = (
        await local.post(
            f"/api/v1/assemblies/{other['id']}/participants/",
            headers=bearer(other["secretary_token"]),
            json=good,
        )
    ).json()
    for ids, status in (
        ([made[0]["id"], stranger["id"]], 422),  # another assembly's participant
        ([made[0]["id"], made[1]["id"]], 409),  # not credentialed
        ([made[0]["id"], made[0]["id"]], 409),  # twice
    ):
        r = await local.post(
            f"/api/v1/assemblies/{aid}/candidacies/bulk", headers=sec, json={"participant_ids": ids}
        )
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    assert await rows(local_tier, Candidacy) == 0
    r = await local.post(
        f"/api/v1/assemblies/{aid}/candidacies/bulk",
        headers=sec,
        json={"participant_ids": [made[0]["id"]]},
    )
    assert r.status_code == 201, r.text
    r = await local.post(
        f"/api/v1/assemblies/{aid}/candidacies/bulk",
        headers=sec,
        json={"participant_ids": [made[0]["id"]]},
    )
    assert r.status_code == 409, r.text
    assert await rows(local_tier, Candidacy) == 1
