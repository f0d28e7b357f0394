"""Free conferences reporting straight to the national stage (issue 16 item 3), over the real bus:
the cycle's ``[routing.reports_to]`` sends free assemblies to the nation (as the 17ª CNS's 99 free
conferences), municipal ones to their state. A free conference closed at the local tier reaches
the national board without passing the state, its national items trace back to its proposals,
its delegates can be credentialed at the national plenary, and the council's answers come back
down to its proposals; a municipal assembly trying the same road is dead-lettered with the reason.

One federation for the module (``module_federation``); each fixture runs one stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from shared.core.cycle import preset_text
from shared.features.responses.model import ResponseAttachment
from tests.support.api import get_json
from tests.support.assemblies import open_local_assembly
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly, claim_code, mandates
from tests.support.tiers import Federation, operator

FREE_TO_NATION = preset_text("health").replace(
    'regional = ["national"]\n',
    'regional = ["national"]\n\n[routing.reports_to]\nfree = "national"\n',
)
FREE = [
    ("saude-1", "national", "Criar a política nacional de saúde da população de rua", 50),
    (
        "saude-2",
        "national",
        "Garantir financiamento federal estável para os consultórios na rua",
        40,
    ),
    ("saude-1", "state", "Abrir centros estaduais de referência em saúde da população de rua", 30),
]
MUNICIPAL = [("saude-1", "national", "Ampliar o número de UBS nas periferias", 40)]
PLENARY = "/api/v1/plenary"


@dataclass
class Route:
    fed: Federation
    free_id: str = ""
    free_proposals: list[str] = field(default_factory=list)
    municipal_id: str = ""
    closings: list[Any] = field(default_factory=list)


@pytest.fixture(scope="module")
async def announced(module_federation: Federation) -> Route:
    fed = module_federation
    response = await fed.national.post(
        "/api/v1/cycles/announce",
        headers=fed.staff["national"],
        json={"rules_toml": FREE_TO_NATION},
    )
    assert response.status_code in (200, 201, 202), response.text
    for client in (fed.local, fed.regional):
        await eventually(
            lambda client=client: get_json(client, f"/api/v1/cycles/{CYCLE}"),  # type: ignore[misc]
            done=lambda rules: rules["routing"]["reports_to"] == {"free": "national"},
        )
    return Route(fed)


@pytest.fixture(scope="module")
async def closed(announced: Route) -> Route:
    """A free conference in São Paulo and a municipal assembly in Campinas hold their
    plenaries at the local tier and close."""
    fed = announced.fed
    announced.free_id, announced.free_proposals = await open_local_assembly(
        fed, territory="3550308", uf="SP", proposals=FREE, participants=1_200, kind="free"
    )
    announced.municipal_id, _ = await open_local_assembly(
        fed, territory="3509502", uf="SP", proposals=MUNICIPAL, participants=300
    )
    for assembly_id in (announced.free_id, announced.municipal_id):
        announced.closings.append(
            await fed.local.post(
                f"/api/v1/assemblies/{assembly_id}/close", headers=fed.staff["local"]
            )
        )
    await eventually(
        lambda: get_json(fed.national, "/api/v1/reports", cycle_id=CYCLE),
        done=lambda rows: len(rows) == 1,
    )
    await eventually(
        lambda: get_json(fed.regional, "/api/v1/reports", cycle_id=CYCLE),
        done=lambda rows: len(rows) == 1,
    )
    return announced


async def test_the_free_conference_reports_to_the_nation_and_the_municipal_one_to_its_state(
    closed: Route,
) -> None:
    fed = closed.fed
    assert [c.status_code for c in closed.closings] == [202, 202], [c.text for c in closed.closings]
    national = await get_json(fed.national, "/api/v1/reports", cycle_id=CYCLE)
    regional = await get_json(fed.regional, "/api/v1/reports", cycle_id=CYCLE)
    assert [(r["assembly_id"], r["tier"]) for r in national] == [(closed.free_id, "local")]
    assert [r["assembly_id"] for r in regional] == [closed.municipal_id]
    # Signed by the free conference's own key, introduced straight to the national tier.
    assert national[0]["sender"].startswith(fed.settings["local"].sender_id + "/assembly/")
    # The state board never expected the free conference: its key went to the nation only.
    board = await get_json(fed.regional, "/api/v1/board", cycle_id=CYCLE, uf="SP")
    assert board["expected"] == 1
    # On the national board it stands for itself, not for its state, which has yet to report.
    national_board = await get_json(fed.national, "/api/v1/board", cycle_id=CYCLE)
    assert [row["unit"] for row in national_board["reported"]] == [closed.free_id]
    assert "SP" in {row["unit"] for row in national_board["missing"]}


async def test_its_national_items_trace_back_to_its_proposals(closed: Route) -> None:
    fed = closed.fed
    items = await get_json(fed.national, "/api/v1/items", cycle_id=CYCLE, uf="BR")
    # Only national items travel straight up: the state one has no state conference to go to.
    assert sorted(i["title"] for i in items) == sorted(
        t[:60] for _, c, t, _ in FREE if c == "national"
    )
    national_proposals = {
        pid
        for pid, (_, competence, _, _) in zip(closed.free_proposals, FREE, strict=True)
        if competence == "national"
    }
    reached = set()
    for item in items:
        lineage = await get_json(fed.national, f"/api/v1/items/{item['id']}/lineage")
        for origin in lineage["origins"]:
            assert (origin["assembly_id"], origin["territory"]) == (closed.free_id, "3550308")
            reached.add(origin["proposal_id"])
    assert reached == national_proposals


async def test_a_municipal_assembly_cannot_report_straight_to_the_nation(closed: Route) -> None:
    fed = closed.fed
    rogue = FakeAssembly(fed, territory="3304557", uf="RJ", direct=True)
    await rogue.introduce()
    row = await rogue.send(rogue.report([("saude-1", "national", "Furar a fila do estado")]))
    letters = await eventually(
        lambda: get_json(fed.national, "/api/v1/dead-letters/", headers=operator("national")),
        done=lambda page: any(d["message_id"] == row["id"] for d in page["items"]),
    )
    letter = next(d for d in letters["items"] if d["message_id"] == row["id"])
    assert letter["reason"] == "unrouted-report"
    assert "sends municipal assemblies to their state conference" in letter["detail"]
    reports = await get_json(fed.national, "/api/v1/reports", cycle_id=CYCLE)
    assert rogue.assembly_id not in {r["assembly_id"] for r in reports}


async def test_a_free_conferences_delegates_are_credentialed_at_the_national_plenary(
    closed: Route,
) -> None:
    fed = closed.fed
    free = FakeAssembly(fed, territory="3304557", uf="RJ", kind="free", direct=True)
    await free.introduce()
    await free.send(
        free.report(
            [("saude-3", "national", "Conselhos locais em toda UBS")], mandates=mandates("LIVRE")
        )
    )
    received = await eventually(
        lambda: get_json(
            fed.national, "/api/v1/mandates", cycle_id=CYCLE, headers=fed.staff["national"]
        ),
        done=lambda rows: any(m["assembly_id"] == free.assembly_id for m in rows),
    )
    assert {m["mandate_id"] for m in received if m["assembly_id"] == free.assembly_id} == {
        m.mandate_id for m in mandates("LIVRE")
    }
    admitted = await fed.national.post(
        f"{PLENARY}/credentials",
        headers=fed.staff["national"],
        json={"cycle_id": CYCLE, "mandate_id": "LIVRE-u1", "holder": "doc-livre"},
    )
    assert admitted.status_code == 201, admitted.text
    assert claim_code("LIVRE-u1")  # its delegate holds the code whose digest travelled


async def test_council_answers_come_back_to_the_free_conferences_proposals(closed: Route) -> None:
    fed = closed.fed
    published = await fed.national.post(
        "/api/v1/council/publish",
        headers=fed.staff["national"],
        json={"cycle_id": CYCLE, "council": "CNS"},
    )
    assert published.status_code in (200, 201), published.text
    council = await fed.person(
        "national",
        {"role": "council", "council": "CNS"},
        name="Conselheira",
        by=fed.staff["national"],
    )
    items = await get_json(fed.national, "/api/v1/items", cycle_id=CYCLE, uf="BR")
    ours = set(closed.free_proposals)
    answered = 0
    for item in items:
        lineage = await get_json(fed.national, f"/api/v1/items/{item['id']}/lineage")
        if not {o["proposal_id"] for o in lineage["origins"]} & ours:
            continue
        response = await fed.national.post(
            f"/api/v1/council/items/{item['id']}/responses",
            headers=council,
            json={"decision": "adopted", "responsible_body": "Ministério da Saúde"},
        )
        assert response.status_code == 201, response.text
        answered += 1
    assert answered == 2

    async def attached() -> int:
        async with fed.nodes["local"].sessions() as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(ResponseAttachment)
                    .where(ResponseAttachment.proposal_id.in_(sorted(ours)))
                )
                or 0
            )

    assert await eventually(attached, done=lambda n: n == 2) == 2
    journey = await get_json(fed.local, f"/api/v1/proposals/{closed.free_proposals[0]}/journey")
    assert "adopted" in str(journey)


# --- intermunicipal conferences over several municipalities --------------------------------

#: Campinas's metropolitan region: Americana, Sumaré and Hortolândia with Campinas as the seat.
REGION = ["3501608", "3552403", "3519071"]


async def test_an_intermunicipal_conference_covers_real_municipalities_of_one_state(
    announced: Route,
) -> None:
    fed = announced.fed
    base = {
        "cycle_id": CYCLE,
        "kind": "intermunicipal",
        "territory": "3509502",
        "uf": "SP",
        "title": "Conferência Intermunicipal da RMC",
    }
    staff = fed.staff["local"]
    unknown = await fed.local.post(
        "/api/v1/assemblies/", headers=staff, json={**base, "covers": ["3501608", "3599999"]}
    )
    assert unknown.status_code == 422, unknown.text
    assert "3599999" in unknown.text
    elsewhere = await fed.local.post(
        "/api/v1/assemblies/", headers=staff, json={**base, "covers": ["3304557"]}
    )
    assert elsewhere.status_code == 422, elsewhere.text
    assert "3304557 not in SP" in elsewhere.text
    municipal = await fed.local.post(
        "/api/v1/assemblies/",
        headers=staff,
        json={**base, "kind": "municipal", "covers": REGION},
    )
    assert municipal.status_code == 422, municipal.text
    created = await fed.local.post(
        "/api/v1/assemblies/", headers=staff, json={**base, "covers": [*REGION, "3509502"]}
    )
    assert created.status_code == 201, created.text
    assert created.json()["covers"] == ["3509502", *REGION]  # the seat first, once


async def test_every_municipality_it_covers_counts_as_reported_at_the_state(
    closed: Route,
) -> None:
    fed = closed.fed
    staff = fed.staff["local"]
    created = await fed.local.post(
        "/api/v1/assemblies/",
        headers=staff,
        json={
            "cycle_id": CYCLE,
            "kind": "intermunicipal",
            "territory": "3548500",  # Santos, seat of the Baixada Santista's conference
            "uf": "SP",
            "title": "Conferência Intermunicipal da Baixada Santista",
            "covers": ["3513504", "3551009"],  # Cubatão, São Vicente
            "participants": 400,
        },
    )
    assert created.status_code == 201, created.text
    assembly_id = created.json()["id"]
    assert (
        await fed.local.post(f"/api/v1/assemblies/{assembly_id}/open", headers=staff)
    ).status_code == 201
    proposal = await fed.local.post(
        f"/api/v1/assemblies/{assembly_id}/proposals",
        headers=staff,
        json={
            "axis": "saude-1",
            "competence": "national",
            "title": "Portos saudáveis",
            "text": "Portos saudáveis",
        },
    )
    assert proposal.status_code == 201, proposal.text
    closing = await fed.local.post(f"/api/v1/assemblies/{assembly_id}/close", headers=staff)
    assert closing.status_code == 202, closing.text
    report = await eventually(
        lambda: get_json(fed.regional, "/api/v1/reports", cycle_id=CYCLE),
        done=lambda rows: any(r["assembly_id"] == assembly_id for r in rows),
    )
    assert any(r["assembly_id"] == assembly_id for r in report)
    reception = await get_json(
        fed.regional, "/api/v1/board/municipalities", cycle_id=CYCLE, uf="SP"
    )
    status = {row["code"]: row for row in reception["municipalities"]}
    for code in ("3548500", "3513504", "3551009"):
        assert status[code]["status"] == "reported", (code, status[code])
        assert status[code]["reports"] == 1
    assert status["3548500"]["participants"] == 400
    assert status["3513504"]["participants"] == 0  # counted once, at the seat
    assert status["3518701"]["status"] == "not_convened"  # Guarujá: not covered
