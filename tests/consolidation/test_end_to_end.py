"""From neighbourhood proposals to the council's answer and back, over the real bus: three states
with several municipalities each, seats down, reports up, merges, ranking, credentials, the
national mandates, answers reaching every origin exactly once, lineage both ways, open data."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from sqlalchemy import func, select

from shared.contracts.envelope import MSG_ID_HEADER
from shared.core.cycle import preset_text
from shared.features.responses.model import ResponseAttachment
from shared.platform.bus.models import InboxEntry, OutboxEntry
from tests.support.api import get_json
from tests.support.assemblies import open_local_assembly
from tests.support.bus import publish_row
from tests.support.polling import eventually
from tests.support.reports import CYCLE, mandates, to_builtins
from tests.support.tiers import AUTH, Federation

UBS = [
    "Ampliar o número de Unidades Básicas de Saúde nas periferias das cidades",
    "Ampliar o numero de unidades basicas de saude nas periferias da cidade",
    "Ampliar o número das Unidades Básicas de Saúde na periferia das cidades",
]
CAPS = [
    "Fortalecer os CAPS com equipes multiprofissionais completas",
    "Fortalecer os CAPS com equipes multiprofissionais completas e bem pagas",
    "Fortalecer os CAPS com equipe multiprofissional completa",
]
DISTINCT = [
    "Criar um programa nacional de residência em saúde indígena",
    "Garantir piso salarial nacional para agentes comunitários de saúde",
    "Regulamentar a telemedicina no SUS com proteção de dados pessoais",
    "Instituir política de cuidados paliativos em todos os hospitais públicos",
    "Financiar a produção pública de medicamentos nos laboratórios oficiais",
    "Expandir a cobertura vacinal com busca ativa em escolas",
    "Ampliar leitos de UTI neonatal no interior",
    "Criar ouvidorias do SUS em todos os municípios",
    "Assegurar o acesso a órteses e próteses pelo SUS",
]
STATES = {
    "SP": ["3550308", "3509502", "3548708"],
    "RJ": ["3304557", "3303302", "3301702"],
    "MG": ["3106200", "3170206", "3136702"],
}


def proposals_for(n: int) -> list[tuple[str, str, str, int]]:
    return [
        ("saude-1", "national", UBS[n % 3], 40 - n),
        ("saude-2", "national", CAPS[(n + 1) % 3], 30 + n),
        ("saude-3", "national", DISTINCT[n], 20),
        ("saude-1", "state", f"Garantir transporte sanitário intermunicipal na região {n}", 10),
        ("saude-2", "municipal", f"Reformar a UBS do bairro {n}", 5),
    ]


async def test_local_proposals_to_council_answer_and_back(federation: Federation) -> None:
    fed = federation
    # The cycle is announced from the top; the regional tier stores it, routing and caps too.
    announced = await fed.national.post(
        "/api/v1/cycles/announce", headers=AUTH, json={"rules_toml": preset_text("health")}
    )
    assert announced.status_code == 202, announced.text

    async def regional_cycle() -> Any:
        response = await fed.regional.get(f"/api/v1/cycles/{CYCLE}")
        return response.json() if response.status_code == 200 else None

    rules = await eventually(regional_cycle)
    assert rules["caps"]["state"] == {
        "per_axis": False,
        "national": 20,
        "state": None,
        "municipal": None,
    }
    assert rules["routing"]["regional"] == ["national"]
    bad = await fed.national.post(
        "/api/v1/cycles/announce", headers=AUTH, json={"rules_toml": "cycle_id = 3"}
    )
    assert bad.status_code == 422
    # Seats go down: the nation shares 300 seats among the 27 UFs.
    seats = await fed.national.post(
        "/api/v1/allocations/states", headers=AUTH, json={"cycle_id": CYCLE, "seats": 300}
    )
    assert seats.status_code == 201, seats.text
    by_uf = {a["territory"]: a for a in seats.json()}
    assert len(by_uf) == 27 and sum(a["seats"] for a in by_uf.values()) == 300
    assert by_uf["SP"]["seats"] > by_uf["RR"]["seats"]
    assert all(a["per_segment"]["users"] * 2 >= a["seats"] for a in by_uf.values())

    # Local assemblies, driven through the local tier's HTTP API.
    local_ids: dict[str, list[str]] = {}
    assemblies: dict[str, list[str]] = {}
    n = 0
    for uf, territories in STATES.items():
        for territory in territories:
            assembly_id, ids = await open_local_assembly(
                fed,
                territory=territory,
                uf=uf,
                proposals=proposals_for(n),
                participants=100 + 10 * n,
                population=20_000 * (n + 1),
            )
            assemblies.setdefault(uf, []).append(assembly_id)
            local_ids[assembly_id] = ids
            n += 1
    for uf in STATES:
        board = await eventually(
            lambda uf=uf: get_json(fed.regional, "/api/v1/board", cycle_id=CYCLE, uf=uf),
            done=lambda b: b["expected"] == 3,
        )
        assert len(board["missing"]) == 3
    for assembly_ids in assemblies.values():
        for assembly_id in assembly_ids:
            closed = await fed.local.post(f"/api/v1/assemblies/{assembly_id}/close", headers=AUTH)
            assert closed.status_code == 202, closed.text
    await eventually(
        lambda: get_json(fed.regional, "/api/v1/reports", cycle_id=CYCLE),
        done=lambda rows: len(rows) == 9,
    )
    for uf in STATES:
        board = await get_json(fed.regional, "/api/v1/board", cycle_id=CYCLE, uf=uf)
        assert len(board["reported"]) == 3 and board["missing"] == []

    # The state's seats (received from the nation) shared among its assemblies.
    received = await eventually(
        lambda: get_json(
            fed.regional, "/api/v1/allocations/", cycle_id=CYCLE, direction="received"
        ),
        done=lambda rows: len(rows) == 27,
    )
    assert {r["territory"]: r["seats"] for r in received}["SP"] == by_uf["SP"]["seats"]
    shared = await fed.regional.post(
        "/api/v1/allocations/assemblies", headers=AUTH, json={"cycle_id": CYCLE, "uf": "SP"}
    )
    assert shared.status_code == 201, shared.text
    assert sum(a["seats"] for a in shared.json()) == by_uf["SP"]["seats"]
    assert {a["assembly_id"] for a in shared.json()} == set(assemblies["SP"])

    # Consolidate: SP by the automatic policy, RJ by hand from the suggestions, MG untouched.
    auto = await fed.regional.post(
        "/api/v1/consolidation/auto-merge", headers=AUTH, json={"cycle_id": CYCLE, "uf": "SP"}
    )
    assert auto.status_code == 200 and auto.json()["clusters"] >= 1, auto.text
    suggestions = await get_json(
        fed.regional, "/api/v1/consolidation/suggestions", cycle_id=CYCLE, uf="RJ"
    )
    assert suggestions, "RJ's UBS and CAPS proposals are near-duplicates"
    for suggestion in suggestions:
        merged = await fed.regional.post(
            "/api/v1/consolidation/merge",
            headers=AUTH,
            json={"item_ids": [i["id"] for i in suggestion["items"]]},
        )
        assert merged.status_code == 201, merged.text

    # Each state closes, electing its delegates, and reports to the nation.
    for uf in STATES:
        closed = await fed.regional.post(
            "/api/v1/conference/close",
            headers=AUTH,
            json={"cycle_id": CYCLE, "uf": uf, "delegates": to_builtins(mandates(uf))},
        )
        assert closed.status_code == 202, closed.text
        assert closed.json()["mandates"] == 5
    await eventually(
        lambda: get_json(fed.national, "/api/v1/reports", cycle_id=CYCLE),
        done=lambda rows: len(rows) == 3,
    )
    national_board = await get_json(fed.national, "/api/v1/board", cycle_id=CYCLE)
    assert len(national_board["reported"]) == 3 and len(national_board["missing"]) == 24

    # National: merge across states, publish the mandates, credential delegates.
    merged = await fed.national.post(
        "/api/v1/consolidation/auto-merge", headers=AUTH, json={"cycle_id": CYCLE}
    )
    assert merged.status_code == 200 and merged.json()["clusters"] >= 2, merged.text
    published = await fed.national.post(
        "/api/v1/council/publish", headers=AUTH, json={"cycle_id": CYCLE}
    )
    assert published.status_code == 200, published.text
    items = await get_json(fed.national, "/api/v1/items", cycle_id=CYCLE, uf="BR")
    assert published.json()["published"] == len(items)
    await credentialing(fed)

    # Lineage down: every national item reaches local proposals; together, all of them.
    national_proposals = {
        pid
        for ids in local_ids.values()
        for pid, (_, competence, _, _) in zip(ids, proposals_for(0), strict=True)
        if competence == "national"
    }
    reached: dict[str, str] = {}
    for item in items:
        lineage = await get_json(fed.national, f"/api/v1/items/{item['id']}/lineage")
        assert lineage["sources"] and lineage["origins"]
        assert item["breakdown"]["local_proposals"] == len(lineage["origins"])
        for origin in lineage["origins"]:
            assert origin["proposal_id"] not in reached, "an origin in two national items"
            reached[origin["proposal_id"]] = item["id"]
    assert set(reached) == national_proposals
    ubs_item = next(i for i in items if i["axis"] == "saude-1")
    ubs_origins = [p for p, item in reached.items() if item == ubs_item["id"]]
    assert len(ubs_origins) == 9, "the UBS proposals of all nine municipalities were merged"

    # The council answers every item; the UBS item gets an update too.
    member = await fed.national.post(
        "/api/v1/council/members", headers=AUTH, json={"name": "Conselheira", "council": "CNS"}
    )
    council = {"Authorization": f"Bearer {member.json()['token']}"}
    for item in items:
        answered = await fed.national.post(
            f"/api/v1/council/items/{item['id']}/responses",
            headers=council,
            json={
                "decision": "under_study",
                "justification": "Em análise pela comissão de orçamento",
                "responsible_body": "Ministério da Saúde",
                "instrument": "Plano Nacional de Saúde",
                "milestones": [{"title": "Estudo de custos", "due": "2028-03", "progress": 20}],
            },
        )
        assert answered.status_code == 201, answered.text
        assert answered.json()["origins"] == len([p for p, i in reached.items() if i == item["id"]])
    update = await fed.national.post(
        f"/api/v1/council/items/{ubs_item['id']}/responses",
        headers=council,
        json={
            "decision": "adopted",
            "milestones": [{"title": "Obras", "status": "in_progress", "progress": 40}],
        },
    )
    assert update.status_code == 201 and update.json()["version"] == 2
    refused = await fed.national.post(
        f"/api/v1/council/items/{ubs_item['id']}/responses",
        headers=council,
        json={"decision": "rejected"},
    )
    assert refused.status_code == 422, "a rejection needs a justification"
    assert (
        await fed.national.post(
            f"/api/v1/council/items/{ubs_item['id']}/responses",
            headers=AUTH,
            json={"decision": "adopted"},
        )
    ).status_code == 403

    # Lineage up, at the regional tier: every local proposal sees its national item's answers.
    versions = {i["id"]: 2 if i["id"] == ubs_item["id"] else 1 for i in items}
    expected_rows = sum(versions[item] for item in reached.values())

    async def attachments() -> int:
        async with fed.nodes["regional"].sessions() as session:
            return int(
                await session.scalar(select(func.count()).select_from(ResponseAttachment)) or 0
            )

    await eventually(attachments, done=lambda count: count == expected_rows)
    for proposal_id, item_id in reached.items():
        journey = await get_json(fed.regional, f"/api/v1/proposals/{proposal_id}/journey")
        answers = journey["responses"]
        assert {a["national_item_id"] for a in answers} == {item_id}
        assert sorted(a["version"] for a in answers) == list(range(1, versions[item_id] + 1))
        assert journey["items"] and journey["items"][0]["report_id"]
    up = await get_json(fed.national, f"/api/v1/proposals/{ubs_origins[0]}/journey")
    assert up["items"][0]["id"] == ubs_item["id"] and len(up["responses"]) == 2

    # A redelivered answer changes nothing.
    async with fed.nodes["national"].sessions() as session:
        row = (
            await session.scalars(
                select(OutboxEntry).where(OutboxEntry.kind == "response").limit(1)
            )
        ).one()
    headers = {**row.headers, MSG_ID_HEADER: str(uuid.uuid4())}
    await publish_row(
        fed.settings["national"].nats_url,
        {"subject": row.subject, "data": row.data, "headers": headers},
    )

    async def duplicates() -> int:
        async with fed.nodes["regional"].sessions() as session:
            entry = await session.get(InboxEntry, row.id)
            return entry.duplicates if entry else 0

    await eventually(duplicates, done=lambda d: d == 1)
    assert await attachments() == expected_rows

    # Open data: the lineage edges as CSV, the answers as JSON, at both tiers.
    edges = await fed.national.get(
        "/api/v1/open-data/lineage", params={"format": "csv", "status": "active"}
    )
    assert edges.status_code == 200 and edges.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(edges.text)))
    assert {r["proposal_id"] for r in rows} == national_proposals
    answers = await get_json(fed.regional, "/api/v1/open-data/responses")
    assert len(answers) == len(items) + 1
    catalogue = await get_json(fed.regional, "/api/v1/open-data/")
    assert {d["name"] for d in catalogue} >= {
        "items",
        "lineage",
        "tallies",
        "mandates",
        "responses",
    }
    assert (await fed.regional.get("/api/v1/open-data/nope")).status_code == 404


async def credentialing(fed: Federation) -> None:
    """Delegates are admitted only on received mandates; alternates replace absent titulars."""
    plenary = "/api/v1/plenary"

    async def admit(mandate_id: str, holder: str) -> Any:
        return await fed.national.post(
            f"{plenary}/credentials",
            headers=AUTH,
            json={"cycle_id": CYCLE, "mandate_id": mandate_id, "holder": holder},
        )

    assert (await admit("SP-u1", "doc-1")).status_code == 201
    assert (await admit("SP-u1", "doc-9")).status_code == 409  # one credential per mandate
    assert (await admit("RJ-u1", "doc-1")).status_code == 409  # nobody holds two mandates
    assert (await admit("SP-a1", "doc-2")).status_code == 409  # no titular is absent
    assert (await admit("forged-1", "doc-3")).status_code == 404
    absent = await fed.national.post(
        f"{plenary}/absences", headers=AUTH, json={"cycle_id": CYCLE, "mandate_id": "SP-u2"}
    )
    assert absent.status_code == 201
    assert (await admit("SP-u2", "doc-4")).status_code == 409
    assert (await admit("SP-a2", "doc-5")).status_code == 409  # the first alternate comes first
    replacing = await admit("SP-a1", "doc-6")
    assert replacing.status_code == 201 and replacing.json()["replaces_mandate_id"] == "SP-u2"
    listed = await get_json(fed.national, f"{plenary}/credentials", cycle_id=CYCLE)
    assert [c["mandate_id"] for c in listed] == ["SP-a1", "SP-u1"] or len(listed) == 2
