"""A local assembly run through the HTTP API alone, from creation to a signed report that
arrives at the regional tier (issue 4's definition of done), and the rules on the way."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from services.local.model import Proposal
from shared.contracts.messages import CouncilResponse, CycleAnnouncement, OriginRef
from shared.contracts.subjects import down_subject
from shared.core.cycle import preset_text
from shared.core.polls import recount
from shared.features.consolidation.model import ReceivedReport
from shared.features.plenary.model import Ballot
from tests.support.api import bearer
from tests.support.assemblies import create, register, submit
from tests.support.polling import eventually
from tests.support.tiers import AUTH, Federation


async def test_assembly_runs_from_creation_to_a_signed_report_at_the_regional_tier(
    federation: Federation,
) -> None:
    local = federation.local
    created = await create(local)
    aid, sec = created["id"], bearer(created["secretary_token"])
    assert created["status"] == "draft"
    assert (await local.post(f"/api/v1/assemblies/{aid}/open", headers=sec)).status_code == 201
    people = await register(local, aid, sec)
    tokens = [bearer(p["voting_token"]) for p in people]

    texts = [
        ("saude-1", "national", "Ampliar as equipes de saúde da família nas periferias"),
        ("saude-1", "national", "Garantir concurso público para agentes comunitários de saúde"),
        ("saude-1", "state", "Criar centrais regionais de regulação de leitos"),
        ("saude-2", "national", "Revogar o teto de gastos para a saúde pública"),
        ("saude-2", "municipal", "Reformar a UBS do bairro Jardim Ângela"),
        ("saude-2", "state", "Ampliar o cofinanciamento estadual da atenção básica"),
    ]
    ids = []
    for axis, competence, text in texts:
        r = await submit(
            local, aid, tokens[0], axis=axis, competence=competence, title=text[:40], text=text
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    # A near-copy is flagged as a possible duplicate of the first.
    copy = await submit(
        local,
        aid,
        sec,
        axis="saude-1",
        competence="national",
        title="Cópia",
        text="Ampliar as equipes de saúde da família nas periferias da cidade",
    )
    assert ids[0] in [d["proposal_id"] for d in copy.json()["possible_duplicates"]]
    withdrawn = await local.post(
        f"/api/v1/assemblies/{aid}/proposals/{copy.json()['id']}/withdraw", headers=sec
    )
    assert withdrawn.json()["status"] == "withdrawn"
    amended = await local.post(
        f"/api/v1/assemblies/{aid}/proposals/{ids[1]}/amend",
        headers=tokens[0],
        json={"text": texts[1][2] + " com piso salarial nacional", "reason": "grupo de trabalho"},
    )
    assert amended.json()["version"] == 2
    # Only the author or the secretary may amend.
    assert (
        await local.post(
            f"/api/v1/assemblies/{aid}/proposals/{ids[1]}/amend",
            headers=tokens[1],
            json={"text": "x"},
        )
    ).status_code == 403

    assert (await local.post(f"/api/v1/assemblies/{aid}/voting", headers=sec)).status_code == 201

    async def poll(**body: Any) -> dict[str, Any]:
        r = await local.post(f"/api/v1/assemblies/{aid}/polls/", headers=sec, json=body)
        assert r.status_code == 201, r.text
        out: dict[str, Any] = r.json()
        return out

    async def close_poll(pid: str) -> dict[str, Any]:
        r = await local.post(f"/api/v1/assemblies/{aid}/polls/{pid}/close", headers=sec)
        assert r.status_code == 201, r.text
        out: dict[str, Any] = r.json()
        return out

    # Electronic decision polls: yes for 0, 1 (amended text → approved in part), 3, 5; no for 2.
    outcomes = {}
    for index, choice_yes in ((0, 6), (1, 5), (2, 2), (3, 7), (5, 5)):
        amended_text = "Texto emendado em plenário" if index == 1 else None
        p = await poll(kind="decision", proposal_id=ids[index], amended_text=amended_text)
        for n, token in enumerate(tokens):
            choice = "yes" if n < choice_yes else ("abstain" if n == 7 else "no")
            r = await local.post(
                f"/api/v1/assemblies/{aid}/polls/{p['id']}/ballots",
                headers=token,
                json={"choice": choice},
            )
            assert r.status_code == 201, r.text
        again = await local.post(
            f"/api/v1/assemblies/{aid}/polls/{p['id']}/ballots",
            headers=tokens[0],
            json={"choice": "no"},
        )
        assert again.status_code == 409
        closed = await close_poll(p["id"])
        outcomes[index] = closed["outcome"]
        late = await local.post(
            f"/api/v1/assemblies/{aid}/polls/{p['id']}/ballots",
            headers=tokens[7],
            json={"choice": "yes"},
        )
        assert late.status_code == 409
    assert outcomes == {
        0: "approved",
        1: "approved_in_part",
        2: "rejected",
        3: "approved",
        5: "approved",
    }
    # Counts entered by the secretary for the municipal proposal.
    p = await poll(kind="decision", proposal_id=ids[4], mode="counts")
    r = await local.post(
        f"/api/v1/assemblies/{aid}/polls/{p['id']}/counts",
        headers=sec,
        json={"yes": 40, "no": 12, "abstain": 3},
    )
    assert r.status_code == 201, r.text
    assert (await close_poll(p["id"]))["outcome"] == "approved"

    # Priority of axis saude-1 from a paper ballot file; saude-2 electronically (Borda).
    p1 = await poll(kind="priority", axis="saude-1", mode="file")
    a, b = p1["candidates"]
    csv_text = "".join(f"{a},{b}\n" for _ in range(3)) + f"{b},{a}\n"
    up = await local.post(
        f"/api/v1/assemblies/{aid}/polls/{p1['id']}/ballot-file",
        headers=sec,
        files={"data": ("cedulas.csv", csv_text.encode(), "text/csv")},
    )
    assert up.status_code == 201, up.text
    assert up.json()["added"] == 4
    await close_poll(p1["id"])
    p2 = await poll(kind="priority", axis="saude-2")
    x, y, z = p2["candidates"]
    for n, token in enumerate(tokens):
        order = [[z], [x], [y]] if n < 6 else [[x], [y], [z]]
        r = await local.post(
            f"/api/v1/assemblies/{aid}/polls/{p2['id']}/ballots",
            headers=token,
            json={"ranking": order},
        )
        assert r.status_code == 201, r.text
    closed2 = await close_poll(p2["id"])
    assert closed2["result"]["ranking"][0] == [z]

    # The public export recounts to the published result and hash.
    export = await local.get(f"/api/v1/assemblies/{aid}/polls/{p2['id']}/export")
    assert export.status_code == 200
    assert hashlib.sha256(export.content).hexdigest() == closed2["ballots_sha256"]
    assert [list(g) for g in recount(export.text, "borda").ranking] == closed2["result"]["ranking"]

    # A motion: signatures (20 % of 8 → 2), then a vote.
    m = (
        await local.post(
            f"/api/v1/assemblies/{aid}/motions/",
            headers=tokens[2],
            json={
                "kind": "repudiation",
                "title": "Moção de repúdio",
                "text": "Repudiamos o fechamento do hospital.",
            },
        )
    ).json()
    assert m["needed"] == 2
    early = await local.post(
        f"/api/v1/assemblies/{aid}/motions/{m['id']}/vote", headers=sec, json={}
    )
    assert early.status_code == 409
    for token in tokens[:2]:
        assert (
            await local.post(
                f"/api/v1/assemblies/{aid}/motions/{m['id']}/signatures", headers=token
            )
        ).status_code == 201
    assert (
        await local.post(
            f"/api/v1/assemblies/{aid}/motions/{m['id']}/signatures", headers=tokens[0]
        )
    ).status_code == 409
    mp = await local.post(
        f"/api/v1/assemblies/{aid}/motions/{m['id']}/vote", headers=sec, json={"mode": "counts"}
    )
    assert mp.status_code == 201, mp.text
    await local.post(
        f"/api/v1/assemblies/{aid}/polls/{mp.json()['id']}/counts",
        headers=sec,
        json={"yes": 30, "no": 10},
    )
    await close_poll(mp.json()["id"])

    # Delegates: 4 seats (2/1/1), candidates, an approval election.
    alloc = await local.put(f"/api/v1/assemblies/{aid}/allocation", headers=sec, json={"seats": 4})
    assert alloc.json()["seats"] == {"users": 2, "workers": 1, "managers": 1}
    for person in people[:6]:
        r = await local.post(
            f"/api/v1/assemblies/{aid}/candidacies",
            headers=sec,
            json={"participant_id": person["id"]},
        )
        assert r.status_code == 201, r.text
    ep = await poll(kind="election")
    cands = {
        c["public_name"]: c["id"]
        for c in (await local.get(f"/api/v1/assemblies/{aid}/candidacies")).json()
    }
    # Men get the most votes among users; the gender rule still seats a woman.
    for token in tokens:
        r = await local.post(
            f"/api/v1/assemblies/{aid}/polls/{ep['id']}/ballots",
            headers=token,
            json={"approve": [cands["Bruno"], cands["Diego"], cands["Fábio"]]},
        )
        assert r.status_code == 201, r.text
    await close_poll(ep["id"])
    election = (await local.get(f"/api/v1/assemblies/{aid}/election")).json()
    titulars = {m["public_name"] for m in election["mandates"] if m["role"] == "titular"}
    # Users: Diego is passed over so that half the users' seats go to a woman. Workers: one
    # seat cannot hold both a woman and a quota member; the gender rule ranks before quota
    # groups (shared.core.decide.delegation), so Elisa takes it over the better-voted Fábio.
    assert "Bruno" in titulars and "Elisa" in titulars
    assert len(titulars & {"Ana", "Carla"}) == 1
    alternates = [m["public_name"] for m in election["mandates"] if m["role"] == "alternate"]
    assert "Diego" in alternates and "Fábio" in alternates
    assert election["complete"] is False  # managers: no candidate for their seat
    assert any("managers: 1 seats but only 0" in n for n in election["notes"])  # said so

    closed = await local.post(f"/api/v1/assemblies/{aid}/close", headers=sec)
    assert closed.status_code == 202, closed.text
    assert closed.json()["items"] == 4  # approved state/national items; municipal stays local

    async def arrived() -> list[ReceivedReport]:
        async with federation.nodes["regional"].sessions() as session:
            return list((await session.scalars(select(ReceivedReport))).all())

    [report] = await eventually(arrived)
    assert report.sender == created["key_id"]  # signed by the assembly's own key
    body = report.body
    assert body["assembly_id"] == aid and body["participants"] == 8
    assert {i["item_id"] for i in body["items"]} == {ids[0], ids[1], ids[3], ids[5]}
    first = {i["axis"]: i for i in body["items"] if i["rank"] == 1}
    assert first["saude-1"]["item_id"] == a and first["saude-2"]["item_id"] == z
    in_part = next(i for i in body["items"] if i["item_id"] == ids[1])
    assert (
        in_part["decision"] == "approved_in_part"
        and in_part["text"] == "Texto emendado em plenário"
    )
    assert {p["axis"] for p in body["pairwise"]} == {"saude-1", "saude-2"}
    pw = next(p for p in body["pairwise"] if p["axis"] == "saude-1")
    assert pw["matrix"][pw["candidates"].index(a)][pw["candidates"].index(b)] == 3
    assert len(body["manifests"]) == 10 and all(
        len(m["ballots_sha256"]) == 64 for m in body["manifests"]
    )
    assert body["motions"][0]["approved"] and body["motions"][0]["signatures"] == 2
    assert len([m for m in body["mandates"] if m["role"] == "titular"]) == 3
    assert all(
        set(m) >= {"public_name", "segment"} and "voting_token" not in m for m in body["mandates"]
    )

    # Journey of a forwarded proposal, then a council response arriving twice.
    national = federation.nodes["national"]
    response = CouncilResponse(
        response_id="resp-1",
        national_item_id="nat-7",
        decision="adopted",
        answered_at=datetime.now(UTC),
        origins=[OriginRef(proposal_id=ids[0], assembly_id=aid, territory="3550308")],
    )
    row = national.outbox.prepare(response, down_subject("response", "BR"))
    for _ in range(2):
        await federation.nodes["local"].receiver.receive(
            str(row["subject"]),
            row["data"],
            row["headers"],  # type: ignore[arg-type]
        )
    again = national.outbox.prepare(response, down_subject("response", "BR"))  # new message id
    await federation.nodes["local"].receiver.receive(
        str(again["subject"]), again["data"], again["headers"]
    )  # type: ignore[arg-type]
    journey = (await local.get(f"/api/v1/proposals/{ids[0]}/journey")).json()
    assert journey["report"]["report_id"] == body["report_id"] and journey["report"]["rank"] == (
        1 if ids[0] == a else 2
    )
    assert [r["decision"] for r in journey["responses"]] == ["adopted"]
    assert journey["plenary"]["outcome"] == "approved"
    stayed = (await local.get(f"/api/v1/proposals/{ids[4]}/journey")).json()
    assert stayed["report"]["stayed_local"]


async def test_bad_input_gets_problem_details_and_changes_nothing(federation: Federation) -> None:
    local = federation.local
    created = await create(local)
    aid, sec = created["id"], bearer(created["secretary_token"])
    other = await create(local)

    async def count() -> int:
        async with federation.nodes["local"].sessions() as session:
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

    await local.post(f"/api/v1/assemblies/{aid}/voting", headers=sec)
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
    async with federation.nodes["local"].sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Ballot)) == 0
    # A participant may not enter counts; an electronic ballot into a file poll is refused.
    person = (
        await local.post(
            f"/api/v1/assemblies/{aid}/participants/",
            headers=sec,
            json={"public_name": "Iara", "segment": "users", "credential": True},
        )
    ).json()
    r = await local.post(
        f"/api/v1/assemblies/{aid}/polls/{p['id']}/counts",
        headers=bearer(person["voting_token"]),
        json={"yes": 1},
    )
    assert r.status_code == 403
    r = await local.post(
        f"/api/v1/assemblies/{aid}/polls/{p['id']}/ballots",
        headers=bearer(person["voting_token"]),
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


async def test_digital_supports_respect_the_limit(federation: Federation) -> None:
    local = federation.local
    created = await create(local, kind="digital")
    aid, sec = created["id"], bearer(created["secretary_token"])
    person = (
        await local.post(
            f"/api/v1/assemblies/{aid}/participants/",
            headers=sec,
            json={"public_name": "Jo", "segment": "users"},
        )
    ).json()
    token = bearer(person["voting_token"])
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


async def test_cycle_and_allocation_arrive_from_above(federation: Federation) -> None:
    national = federation.nodes["national"]
    local_node = federation.nodes["local"]
    toml = preset_text("environment")
    row = national.outbox.prepare(
        CycleAnnouncement(cycle_id="cnma-2027", title="CNMA", rules_toml=toml),
        down_subject("cycle", "BR"),
    )
    outcome, _ = await local_node.receiver.receive(str(row["subject"]), row["data"], row["headers"])  # type: ignore[arg-type]
    assert outcome == "applied"
    bad = national.outbox.prepare(
        CycleAnnouncement(cycle_id="x", title="x", rules_toml="nonsense = ["),
        down_subject("cycle", "BR"),
    )
    outcome, reason = await local_node.receiver.receive(
        str(bad["subject"]), bad["data"], bad["headers"]
    )  # type: ignore[arg-type]
    assert (outcome, reason) == ("dead-lettered", "invalid-rules")
    shown = (await federation.local.get("/api/v1/cycles/cnma-2027")).json()
    assert shown["priority"]["method"] == "approval"
    created = (
        await federation.local.post(
            "/api/v1/assemblies/",
            headers=AUTH,
            json={
                "cycle_id": "cnma-2027",
                "kind": "municipal",
                "territory": "3304557",
                "uf": "RJ",
                "title": "CMMA Rio",
            },
        )
    ).json()
    from shared.contracts.messages import SeatAllocation

    alloc = national.outbox.prepare(
        SeatAllocation(
            allocation_id=str(uuid.uuid4()), cycle_id="cnma-2027", territory="3304557", seats=10
        ),
        down_subject("allocation", "3304557"),
    )
    await local_node.receiver.receive(str(alloc["subject"]), alloc["data"], alloc["headers"])  # type: ignore[arg-type]
    seats = (await federation.local.get(f"/api/v1/assemblies/{created['id']}/allocation")).json()
    assert seats["seats"] == {"civil": 6, "public": 2, "business": 2}
