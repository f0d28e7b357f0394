"""Merge, split, rewrite, reclassify and undo keep lineage complete (real servers)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from shared.features.consolidation.model import ConsolidatedItem, ItemSource, SourceItem
from tests.support.api import get_json
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly
from tests.support.tiers import Federation

UBS = [
    "Ampliar o número de Unidades Básicas de Saúde nas periferias das cidades",
    "Ampliar o numero de unidades basicas de saude nas periferias da cidade",
    "Ampliar o número das Unidades Básicas de Saúde na periferia das cidades",
]
OTHER = "Garantir financiamento tripartite estável para a atenção primária"


async def holders(fed: Federation) -> dict[str, int]:
    """How many active items hold each source item (must be exactly one each)."""
    async with fed.nodes["regional"].sessions() as session:
        rows = await session.execute(
            select(SourceItem.item_id, func.count(ConsolidatedItem.id))
            .outerjoin(ItemSource, ItemSource.source_item_id == SourceItem.item_id)
            .outerjoin(
                ConsolidatedItem,
                (ConsolidatedItem.id == ItemSource.item_id) & (ConsolidatedItem.status == "active"),
            )
            .group_by(SourceItem.item_id)
        )
        return {source: count for source, count in rows}


async def seeded(regional_tier: Federation) -> list[dict[str, Any]]:
    for territory, text in zip(("3550308", "3509502", "3548708"), UBS, strict=True):
        assembly = FakeAssembly(regional_tier, territory, "SP")
        await assembly.introduce()
        await assembly.send(assembly.report([("saude-1", "national", text)]))
    fourth = FakeAssembly(regional_tier, "3518800", "SP")
    await fourth.introduce()
    await fourth.send(fourth.report([("saude-2", "national", OTHER)]))

    async def items() -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await get_json(
            regional_tier.regional, "/api/v1/items", cycle_id=CYCLE, uf="SP"
        )
        return result

    return await eventually(items, done=lambda rows: len(rows) == 4)


async def test_merge_split_undo_keep_every_source(regional_tier: Federation) -> None:
    regional = regional_tier.regional
    items = await seeded(regional_tier)
    ubs = [i["id"] for i in items if i["axis"] == "saude-1"]
    suggestions = await get_json(
        regional, "/api/v1/consolidation/suggestions", cycle_id=CYCLE, uf="SP"
    )
    assert len(suggestions) == 1
    assert {i["id"] for i in suggestions[0]["items"]} == set(ubs)
    assert suggestions[0]["pairs"] and suggestions[0]["shared_words"]

    merged = await regional.post(
        "/api/v1/consolidation/merge",
        headers=regional_tier.staff["regional"],
        json={"item_ids": ubs, "note": "same UBS"},
    )
    assert merged.status_code == 201, merged.text
    merged_id = merged.json()["id"]
    lineage = await get_json(regional, f"/api/v1/items/{merged_id}/lineage")
    assert len(lineage["sources"]) == 3 and len(lineage["origins"]) == 3
    assert {s["text"] for s in lineage["sources"]} == set(UBS)
    assert {s["territory"] for s in lineage["sources"]} == {"3550308", "3509502", "3548708"}
    assert set((await holders(regional_tier)).values()) == {1}

    sources = [s["item_id"] for s in lineage["sources"]]
    split = await regional.post(
        "/api/v1/consolidation/split",
        headers=regional_tier.staff["regional"],
        json={
            "item_id": merged_id,
            "parts": [{"sources": sources[:1]}, {"sources": sources[1:], "title": "UBS"}],
        },
    )
    assert split.status_code == 201, split.text
    parts = split.json()
    assert set((await holders(regional_tier)).values()) == {1}

    rewrite = await regional.post(
        "/api/v1/consolidation/rewrite",
        headers=regional_tier.staff["regional"],
        json={"item_id": parts[1]["id"], "text": "Ampliar as UBS nas periferias"},
    )
    assert rewrite.json()["version"] == 2
    moved = await regional.post(
        "/api/v1/consolidation/reclassify",
        headers=regional_tier.staff["regional"],
        json={"item_id": parts[1]["id"], "axis": "saude-3", "competence": "state"},
    )
    assert moved.json()["axis"] == "saude-3"

    log = await get_json(regional, "/api/v1/consolidation/actions", cycle_id=CYCLE, uf="SP")
    assert [a["kind"] for a in log] == ["reclassify", "rewrite", "split", "merge"]
    # The merge cannot be undone while its result was split: newest first.
    refused = await regional.post(
        f"/api/v1/consolidation/actions/{log[3]['id']}/undo",
        headers=regional_tier.staff["regional"],
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    for action in log:
        undone = await regional.post(
            f"/api/v1/consolidation/actions/{action['id']}/undo",
            headers=regional_tier.staff["regional"],
        )
        assert undone.status_code == 200, undone.text
        assert set((await holders(regional_tier)).values()) == {1}
    restored = await get_json(regional, "/api/v1/items", cycle_id=CYCLE, uf="SP")
    assert {i["id"] for i in restored} == {i["id"] for i in items}
    again = await regional.post(
        f"/api/v1/consolidation/actions/{log[0]['id']}/undo",
        headers=regional_tier.staff["regional"],
    )
    assert again.status_code == 409

    # Retired items keep their lineage and say what happened to them.
    history = await get_json(regional, f"/api/v1/items/{merged_id}/lineage")
    assert history["item"]["status"] == "undone" and len(history["sources"]) == 3
    assert {a["kind"] for a in history["actions"]} == {"merge", "split"}


async def test_auto_merge_and_bad_input(regional_tier: Federation) -> None:
    regional = regional_tier.regional
    await seeded(regional_tier)
    result = await regional.post(
        "/api/v1/consolidation/auto-merge",
        headers=regional_tier.staff["regional"],
        json={"cycle_id": CYCLE, "uf": "SP", "threshold": 0.5},
    )
    assert result.status_code == 200, result.text
    assert result.json() == {"clusters": 1, "merged_items": 3, "active_items": 2}
    assert set((await holders(regional_tier)).values()) == {1}
    ranked = await regional.post(
        "/api/v1/ranking",
        headers=regional_tier.staff["regional"],
        json={"cycle_id": CYCLE, "uf": "SP"},
    )
    assert ranked.status_code == 200
    items = await get_json(regional, "/api/v1/items", cycle_id=CYCLE, uf="SP")
    merged = next(i for i in items if i["axis"] == "saude-1")
    assert merged["breakdown"]["distinct_origins"] == 3
    assert len(merged["breakdown"]["contributions"]) == 3
    assert merged["rank"] == 1

    # 400: the request does not validate (a merge needs two or more item ids, ids are UUIDs,
    # a rewrite needs text, a threshold is at most 1). 422: valid, but refused by the rules.
    bad = [
        ("/api/v1/consolidation/merge", {"item_ids": [merged["id"]]}, 400),
        ("/api/v1/consolidation/merge", {"item_ids": ["not-a-uuid", merged["id"]]}, 400),
        (
            "/api/v1/consolidation/split",
            {"item_id": merged["id"], "parts": [{"sources": ["x"]}, {"sources": ["y"]}]},
            422,  # the groups must cover exactly the item's sources
        ),
        ("/api/v1/consolidation/rewrite", {"item_id": merged["id"], "text": ""}, 400),
        ("/api/v1/consolidation/reclassify", {"item_id": merged["id"]}, 422),  # nothing to move
        ("/api/v1/consolidation/auto-merge", {"cycle_id": CYCLE, "threshold": 3}, 400),
    ]
    for url, body, status in bad:
        response = await regional.post(url, headers=regional_tier.staff["regional"], json=body)
        assert response.status_code == status, (url, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert set((await holders(regional_tier)).values()) == {1}  # nothing changed
    assert (await regional.post("/api/v1/consolidation/merge", json={})).status_code == 401


COAST = "Ampliar o número de Unidades Básicas de Saúde nas periferias das cidades do litoral"
SEMI_ARID = "Ampliar o número de Unidades Básicas de Saúde nas periferias das cidades do semiárido"
PARAPHRASE = (
    "Ampliar as UBS na periferia das cidades do semiárido, com mais equipes de saúde da família"
)


async def test_auto_merge_keeps_every_text_and_waits_for_review(
    regional_tier: Federation,
) -> None:
    """Issue 18: an automatic merge put a coastal proposal with a semi-arid one and kept only
    the coastal text. Now the coastal and semi-arid proposals stay apart, the merge that does
    happen proposes every source text, each source keeps its own, and the merge waits in the
    review queue until a convener accepts (or undoes) it."""
    regional, staff = regional_tier.regional, regional_tier.staff["regional"]
    for territory, text in (("3550308", COAST), ("3509502", SEMI_ARID), ("3548708", PARAPHRASE)):
        assembly = FakeAssembly(regional_tier, territory, "SP")
        await assembly.introduce()
        await assembly.send(assembly.report([("saude-1", "national", text)]))
    await eventually(
        lambda: get_json(regional, "/api/v1/items", cycle_id=CYCLE, uf="SP"),
        done=lambda rows: len(rows) == 3,
    )
    result = await regional.post(
        "/api/v1/consolidation/auto-merge",
        headers=staff,
        json={"cycle_id": CYCLE, "uf": "SP", "threshold": 0.6},
    )
    assert result.status_code == 200, result.text
    assert result.json() == {"clusters": 1, "merged_items": 2, "active_items": 2}
    items = await get_json(regional, "/api/v1/items", cycle_id=CYCLE, uf="SP")
    (merged,) = [i for i in items if i["text"] != COAST]  # the coastal one stays on its own
    assert SEMI_ARID in merged["text"] and PARAPHRASE in merged["text"]
    lineage = await get_json(regional, f"/api/v1/items/{merged['id']}/lineage")
    assert {s["text"] for s in lineage["sources"]} == {SEMI_ARID, PARAPHRASE}

    (pending,) = await get_json(regional, "/api/v1/consolidation/review", cycle_id=CYCLE, uf="SP")
    assert pending["payload"]["review"] == "pending"
    assert pending["payload"]["created"] == [merged["id"]]
    refused = await regional.post(f"/api/v1/consolidation/actions/{pending['id']}/accept")
    assert refused.status_code == 401  # nobody signed in
    elsewhere = await regional_tier.person("regional", {"role": "convener", "territory": "RJ"})
    foreign = await regional.post(
        f"/api/v1/consolidation/actions/{pending['id']}/accept", headers=elsewhere
    )
    assert foreign.status_code == 403, foreign.text  # another state's convener
    still = await get_json(regional, "/api/v1/consolidation/review", cycle_id=CYCLE, uf="SP")
    assert [a["id"] for a in still] == [pending["id"]]
    accepted = await regional.post(
        f"/api/v1/consolidation/actions/{pending['id']}/accept", headers=staff
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["payload"]["review"] == "accepted"
    assert await get_json(regional, "/api/v1/consolidation/review", cycle_id=CYCLE, uf="SP") == []
    again = await regional.post(
        f"/api/v1/consolidation/actions/{pending['id']}/accept", headers=staff
    )
    assert again.status_code == 409
    # An accepted merge can still be undone: every item comes back with its own text.
    undone = await regional.post(
        f"/api/v1/consolidation/actions/{pending['id']}/undo", headers=staff
    )
    assert undone.status_code == 200, undone.text
    items = await get_json(regional, "/api/v1/items", cycle_id=CYCLE, uf="SP")
    assert sorted(i["text"] for i in items) == sorted([COAST, SEMI_ARID, PARAPHRASE])


async def test_another_threshold_is_clustered_only_for_the_states_editors(
    regional_tier: Federation,
) -> None:
    """The suggestions at the cycle's threshold are public (computed once, kept); any other
    threshold is a new clustering of the conference, CPU the public must not be able to spend:
    refused anonymously (401) and to a convener of another state (403), served to SP's own."""
    regional = regional_tier.regional
    await seeded(regional_tier)
    params = {"cycle_id": CYCLE, "uf": "SP", "threshold": "0.05"}
    public = await regional.get("/api/v1/consolidation/suggestions", params=params)
    assert public.status_code == 401, public.text
    assert public.headers["content-type"].startswith("application/problem+json")
    elsewhere = await regional_tier.person(
        "regional", {"role": "convener", "territory": "RJ"}, name="Convocadora do Rio"
    )
    other = await regional.get(
        "/api/v1/consolidation/suggestions", params=params, headers=elsewhere
    )
    assert other.status_code == 403, other.text
    own = await regional_tier.person(
        "regional", {"role": "convener", "territory": "SP"}, name="Convocadora de SP"
    )
    looser = await regional.get("/api/v1/consolidation/suggestions", params=params, headers=own)
    assert looser.status_code == 200, looser.text
    default = await get_json(regional, "/api/v1/consolidation/suggestions", cycle_id=CYCLE, uf="SP")
    assert len(default) == 1, "the cycle's own threshold stays public"
