"""An assembly's life at the local tier alone: created as a draft and opened by its secretary;
bad input answered with problem documents and no change; digital supports within the limit."""

from __future__ import annotations

from sqlalchemy import func, select

from services.local.model import Proposal
from shared.features.plenary.model import Ballot
from tests.support.api import bearer
from tests.support.assemblies import create, hand_card, submit
from tests.support.tiers import Federation


async def test_an_assembly_starts_as_a_draft_and_its_secretary_opens_it(
    local_tier: Federation,
) -> None:
    local = local_tier.local
    created = await create(local_tier)
    assert created["status"] == "draft"
    assert created["key_id"] == (
        f"{local_tier.settings['local'].sender_id}/assembly/{created['id']}"
    )
    sec = bearer(created["secretary_token"])
    # A state change, not a creation, yet a POST: Litestar answers 201 unless told otherwise.
    opened = await local.post(f"/api/v1/assemblies/{created['id']}/open", headers=sec)
    assert opened.status_code == 201, opened.text
    assert opened.json()["status"] == "open"
    shown = await local.get(f"/api/v1/assemblies/{created['id']}")
    assert shown.json()["status"] == "open"


async def test_bad_input_gets_problem_details_and_changes_nothing(local_tier: Federation) -> None:
    local = local_tier.local
    created = await create(local_tier)
    aid, sec = created["id"], bearer(created["secretary_token"])
    other = await create(local_tier)

    async def count() -> int:
        async with local_tier.nodes["local"].sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(Proposal)) or 0)

    base = {"axis": "saude-1", "competence": "national", "title": "t", "text": "texto"}
    cases = [
        (sec, {**base, "text": "x" * 6000}, 400),
        (sec, {**base, "axis": "eixo-inexistente"}, 422),
        (sec, {**base, "competence": "galactic"}, 400),
        (bearer("not-a-token"), base, 401),
        ({}, base, 401),
        (bearer(other["secretary_token"]), base, 403),
    ]
    for headers, body, status in cases:
        r = await submit(local, aid, headers, **body)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert await count() == 0

    assert (await local.post(f"/api/v1/assemblies/{aid}/voting", headers=sec)).status_code == 201
    pid = (await submit(local, aid, sec, **base)).json()["id"]
    p = (
        await local.post(
            f"/api/v1/assemblies/{aid}/polls/",
            headers=sec,
            json={"kind": "decision", "proposal_id": pid, "mode": "file"},
        )
    ).json()
    for name, content in (
        ("x.soc", b"# NUMBER ALTERNATIVES: 3\n1: 1,1\n"),
        ("x.csv", b"yes,banana\n"),
        ("x.exe", b"yes\n"),
    ):
        r = await local.post(
            f"/api/v1/assemblies/{aid}/polls/{p['id']}/ballot-file",
            headers=sec,
            files={"data": (name, content)},
        )
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    async with local_tier.nodes["local"].sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Ballot)) == 0
    # A participant may not enter counts; an electronic ballot into a file poll is refused.
    person = (
        await local.post(
            f"/api/v1/assemblies/{aid}/participants/",
            headers=sec,
            json={"public_name": "Iara", "segment": "users", "credential": True},
        )
    ).json()
    iara = bearer(await hand_card(local, aid, sec, person["id"], second=local_tier.staff["local"]))
    r = await local.post(
        f"/api/v1/assemblies/{aid}/polls/{p['id']}/counts",
        headers=iara,
        json={"yes": 1},
    )
    assert r.status_code == 403
    r = await local.post(
        f"/api/v1/assemblies/{aid}/polls/{p['id']}/ballots",
        headers=iara,
        json={"choice": "yes"},
    )
    assert r.status_code == 409
    # Export before closing is refused; unknown segment is refused.
    assert (await local.get(f"/api/v1/assemblies/{aid}/polls/{p['id']}/export")).status_code == 409
    r = await local.post(
        f"/api/v1/assemblies/{aid}/participants/",
        headers=sec,
        json={"public_name": "X", "segment": "aliens"},
    )
    assert r.status_code == 422


async def test_digital_supports_respect_the_limit(local_tier: Federation) -> None:
    local = local_tier.local
    created = await create(local_tier, kind="digital")
    aid, sec = created["id"], bearer(created["secretary_token"])
    person = (
        await local.post(
            f"/api/v1/assemblies/{aid}/participants/",
            headers=sec,
            json={"public_name": "Jo", "segment": "users"},
        )
    ).json()
    token = bearer(await hand_card(local, aid, sec, person["id"]))
    ids = []
    for n in range(4):
        r = await submit(
            local,
            aid,
            sec,
            axis="saude-3",
            competence="national",
            title=f"p{n}",
            text=f"Proposta número {n} sobre conselhos {n * 'x'}",
        )
        ids.append(r.json()["id"])
    for pid in ids[:3]:
        assert (
            await local.post(f"/api/v1/assemblies/{aid}/proposals/{pid}/supports", headers=token)
        ).status_code == 201
    assert (
        await local.post(f"/api/v1/assemblies/{aid}/proposals/{ids[0]}/supports", headers=token)
    ).status_code == 409
    assert (
        await local.post(f"/api/v1/assemblies/{aid}/proposals/{ids[3]}/supports", headers=token)
    ).status_code == 409
    listed = {
        p["id"]: p["support"]
        for p in (await local.get(f"/api/v1/assemblies/{aid}/proposals/")).json()
    }
    assert [listed[i] for i in ids] == [1, 1, 1, 0]
