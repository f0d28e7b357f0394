"""Proposals grouped under a diretriz (one level): nested and un-nested as logged actions that
undo, kept through merges (manual and automatic), shown in the items, lineage and open data,
and refused across axes, in depth, and to another state's rapporteurs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from shared.contracts.messages import AssemblyReport, OriginRef, ReportItem
from shared.contracts.subjects import up_subject
from tests.support.api import get_json
from tests.support.bus import publish_row, stream_messages
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly
from tests.support.tiers import Federation

GUIDELINE = "Fortalecer a atenção primária como ordenadora da rede de cuidado"
UBS = [
    "Ampliar o número de Unidades Básicas de Saúde nas periferias das cidades",
    "Ampliar o numero de unidades basicas de saude nas periferias da cidade",
]
OTHER = "Garantir financiamento tripartite estável para a vigilância sanitária"
SCOPE = {"cycle_id": CYCLE, "uf": "SP"}


async def seeded(fed: Federation) -> dict[str, str]:
    """Item id by text: the guideline and two near-duplicates on saude-1, one on saude-2."""
    sent = [("3550308", "saude-1", GUIDELINE), ("3509502", "saude-1", UBS[0])]
    sent += [("3548708", "saude-1", UBS[1]), ("3518800", "saude-2", OTHER)]
    for territory, axis, text in sent:
        assembly = FakeAssembly(fed, territory, "SP")
        await assembly.introduce()
        await assembly.send(assembly.report([(axis, "national", text)]))
    rows = await eventually(
        lambda: get_json(fed.regional, "/api/v1/items", **SCOPE), done=lambda r: len(r) == 4
    )
    return {r["text"]: r["id"] for r in rows}


async def parents(fed: Federation) -> dict[str, str | None]:
    rows = await get_json(fed.regional, "/api/v1/items", **SCOPE)
    return {r["id"]: r["parent_id"] for r in rows}


async def test_proposals_nest_under_a_diretriz_and_undo(regional_tier: Federation) -> None:
    fed, desk = regional_tier, regional_tier.staff["regional"]
    ids = await seeded(fed)
    d, p1, p2, q = ids[GUIDELINE], ids[UBS[0]], ids[UBS[1]], ids[OTHER]

    async def post(url: str, headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
        return await fed.regional.post(f"/api/v1/consolidation/{url}", headers=headers or desk,
                                       json=body)  # fmt: skip

    nested = await post("nest", item_ids=[p1, p2], parent_id=d, note="diretriz 1")
    assert nested.status_code == 200, nested.text
    assert {i["parent_id"] for i in nested.json()} == {d}
    assert (await parents(fed)) == {d: None, p1: d, p2: d, q: None}

    refused = {
        "deeper": await post("nest", item_ids=[d], parent_id=p1),  # p1 is nested: one level
        "itself": await post("nest", item_ids=[d], parent_id=d),
        "another axis": await post("nest", item_ids=[q], parent_id=d),
        "merge the diretriz": await post("merge", item_ids=[d, p1]),
        "move the diretriz": await post("reclassify", item_id=d, axis="saude-2"),
        "move a nested proposal": await post("reclassify", item_id=p1, axis="saude-2"),
        "un-nest a loose item": await post("unnest", item_ids=[q]),
    }
    assert {k: r.status_code for k, r in refused.items()} == {
        "deeper": 409, "itself": 422, "another axis": 422,
        "merge the diretriz": 409, "move the diretriz": 409, "move a nested proposal": 409,
        "un-nest a loose item": 409,
    }, {k: r.text for k, r in refused.items()}  # fmt: skip
    elsewhere = await fed.person("regional", {"role": "convener", "territory": "RJ"})
    foreign = await post("unnest", headers=elsewhere, item_ids=[p1])
    assert foreign.status_code == 403, foreign.text
    assert (await parents(fed)) == {d: None, p1: d, p2: d, q: None}, "nothing changed"

    # A merge of nested proposals stays under their diretriz; undoing it restores both.
    merged = await post("merge", item_ids=[p1, p2])
    assert merged.status_code == 201 and merged.json()["parent_id"] == d, merged.text
    log = await get_json(fed.regional, "/api/v1/consolidation/actions", **SCOPE)
    assert [a["kind"] for a in log] == ["merge", "nest"]
    undone = await fed.regional.post(
        f"/api/v1/consolidation/actions/{log[0]['id']}/undo", headers=desk
    )
    assert undone.status_code == 200, undone.text
    assert (await parents(fed)) == {d: None, p1: d, p2: d, q: None}

    # Un-nesting is an action too; undoing it nests again; undoing the nest frees them.
    out = await post("unnest", item_ids=[p1])
    assert out.status_code == 200 and out.json()[0]["parent_id"] is None, out.text
    assert (await parents(fed))[p1] is None
    log = await get_json(fed.regional, "/api/v1/consolidation/actions", **SCOPE)
    unnest, nest = log[0], next(a for a in log if a["kind"] == "nest")
    stale = await fed.regional.post(f"/api/v1/consolidation/actions/{nest['id']}/undo",
                                    headers=desk)  # fmt: skip
    assert stale.status_code == 409, "p1 was moved since: undo the un-nest first"
    for action in (unnest, nest):
        again = await fed.regional.post(
            f"/api/v1/consolidation/actions/{action['id']}/undo", headers=desk
        )
        assert again.status_code == 200, again.text
    assert (await parents(fed)) == {d: None, p1: None, p2: None, q: None}


async def test_nesting_survives_auto_merge_and_reaches_lineage_and_open_data(
    regional_tier: Federation,
) -> None:
    fed, desk = regional_tier, regional_tier.staff["regional"]
    ids = await seeded(fed)
    d, p1, p2 = ids[GUIDELINE], ids[UBS[0]], ids[UBS[1]]
    nested = await fed.regional.post(
        "/api/v1/consolidation/nest", headers=desk, json={"item_ids": [p1, p2], "parent_id": d}
    )
    assert nested.status_code == 200, nested.text
    merged = await fed.regional.post(
        "/api/v1/consolidation/auto-merge", headers=desk, json={**SCOPE, "threshold": 0.5}
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["merged_items"] == 2, merged.json()  # the diretriz is never merged
    rows = await get_json(fed.regional, "/api/v1/items", **SCOPE)
    [kept] = [r for r in rows if r["id"] not in (d, p1, p2) and r["axis"] == "saude-1"]
    assert kept["parent_id"] == d

    lineage = await get_json(fed.regional, f"/api/v1/items/{kept['id']}/lineage")
    assert lineage["item"]["parent_id"] == d
    exported = await get_json(fed.regional, "/api/v1/open-data/items", **SCOPE)
    by_id = {r["id"]: r for r in exported}
    assert by_id[kept["id"]]["parent_id"] == d and by_id[d]["parent_id"] is None

    # The state report carries the nesting up: the proposal names its diretriz, sent with it.
    closed = await fed.regional.post("/api/v1/conference/close", headers=desk, json=SCOPE)
    assert closed.status_code == 202, closed.text
    [sent] = await eventually(
        lambda: stream_messages(fed.nats_url, up_subject("regional", "report", "SP"))
    )
    parent_of = {i["item_id"]: i["parent_item_id"] for i in sent.body["items"]}
    assert parent_of[kept["id"]] == d and parent_of[d] == ""


async def test_the_nation_keeps_a_state_reports_nesting(national_tier: Federation) -> None:
    def item(item_id: str, text: str, parent: str = "") -> ReportItem:
        origin = OriginRef(proposal_id=f"p-{item_id}", assembly_id="a", territory="3550308")
        return ReportItem(item_id=item_id, axis="saude-1", competence="national", title=text,
                          text=text, rank=1, origins=[origin], parent_item_id=parent)  # fmt: skip

    report = AssemblyReport(
        report_id=str(uuid.uuid4()),
        cycle_id=CYCLE,
        tier="regional",
        assembly_id=f"regional:{CYCLE}:SP",
        assembly_kind="state",
        territory="SP",
        uf="SP",
        title="state conference SP",
        closed_at=datetime.now(UTC),
        population=44_411_238,
        items=[item("d", GUIDELINE), item("p", UBS[0], parent="d"), item("q", OTHER, "gone")],
    )
    row = national_tier.outbox("regional").prepare(report, up_subject("regional", "report", "SP"))
    await publish_row(national_tier.nats_url, row)
    rows = await eventually(
        lambda: get_json(national_tier.national, "/api/v1/items", cycle_id=CYCLE),
        done=lambda r: len(r) == 3,
    )
    by_text = {r["text"]: r for r in rows}
    assert by_text[UBS[0]]["parent_id"] == by_text[GUIDELINE]["id"]
    # A diretriz the report does not hold leaves the proposal on its own.
    assert by_text[GUIDELINE]["parent_id"] is None and by_text[OTHER]["parent_id"] is None
