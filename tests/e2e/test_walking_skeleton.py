"""The federation backbone end to end against real PostgreSQL and nats-server (docs/spec.md §3,
issue 2): an assembly closed at the local tier reaches the national tier with its lineage.

Each hop alone (relay, inbox, dead letters, outages) is checked with one tier in
tests/integration/bus.
"""

from __future__ import annotations

from typing import Any

from tests.support.assemblies import open_local_assembly
from tests.support.polling import eventually
from tests.support.tiers import Federation

PROPOSALS = [
    ("saude-1", "national", "Ampliar o número de UBS nas periferias", 40),
    ("saude-1", "state", "Garantir transporte sanitário intermunicipal", 25),
    ("saude-2", "national", "Fortalecer os CAPS com equipes completas", 31),
    ("saude-2", "municipal", "Reformar a UBS do bairro Jardim", 12),
]


async def received_reports(federation: Federation, tier: str = "regional") -> list[dict[str, Any]]:
    client = federation.regional if tier == "regional" else federation.national
    response = await client.get("/api/v1/reports")
    assert response.status_code == 200
    result: list[dict[str, Any]] = response.json()
    return result


async def test_walking_skeleton_reaches_national_with_lineage(federation: Federation) -> None:
    assembly_id, _ = await open_local_assembly(
        federation, territory="3550308", uf="SP", proposals=PROPOSALS, participants=180
    )
    proposals = (await federation.local.get(f"/api/v1/assemblies/{assembly_id}/proposals")).json()
    forwarded = {p["id"] for p in proposals if p["competence"] != "municipal"}

    closed = await federation.local.post(
        f"/api/v1/assemblies/{assembly_id}/close", headers=federation.staff["local"]
    )
    assert closed.status_code == 202, closed.text
    assert closed.json()["items"] == len(forwarded)

    reports = await eventually(lambda: received_reports(federation))
    assert [r["assembly_id"] for r in reports] == [assembly_id]
    # Reports are signed by the assembly's own key, introduced by the local instance.
    assert reports[0]["sender"].startswith(federation.settings["local"].sender_id + "/assembly/")
    regional_items = (await federation.regional.get("/api/v1/items")).json()
    assert len(regional_items) == len(forwarded)

    state = await federation.regional.post(
        "/api/v1/conference/close",
        headers=federation.staff["regional"],
        json={"cycle_id": "cns-2027", "uf": "SP"},
    )
    assert state.status_code == 202, state.text
    await eventually(lambda: received_reports(federation, "national"))
    national_items = (await federation.national.get("/api/v1/items")).json()
    national_proposals = {p["id"] for p in proposals if p["competence"] == "national"}
    assert len(national_items) == len(national_proposals)
    reached: set[str] = set()
    for item in national_items:
        lineage = (await federation.national.get(f"/api/v1/items/{item['id']}/lineage")).json()
        assert lineage["sources"], "a national item must name its state source"
        for origin in lineage["origins"]:
            assert origin["assembly_id"] == assembly_id
            assert origin["territory"] == "3550308"
            reached.add(origin["proposal_id"])
    assert reached == national_proposals
