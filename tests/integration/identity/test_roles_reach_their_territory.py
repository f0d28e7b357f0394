"""A role acts only where it was given: a convener of SP on SP's items and conference, never
RJ's; a council member only on items of their own council; the operator on neither."""

from __future__ import annotations

from typing import Any

from tests.support.api import get_json
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly, send_state_report
from tests.support.tiers import Federation, operator

TEXTS = [
    ("saude-1", "national", "Ampliar a atenção básica"),
    ("saude-1", "state", "Regular leitos"),
]


async def items_of(fed: Federation, uf: str, count: int) -> list[dict[str, Any]]:
    async def found() -> list[dict[str, Any]] | None:
        items: list[dict[str, Any]] = await get_json(
            fed.regional, "/api/v1/items", cycle_id=CYCLE, uf=uf
        )
        return items if len(items) >= count else None

    return await eventually(found)


async def test_a_convener_of_sp_acts_on_sp_and_not_on_rj(regional_tier: Federation) -> None:
    fed = regional_tier
    for territory, uf in (("3550308", "SP"), ("3304557", "RJ")):
        assembly = FakeAssembly(fed, territory, uf)
        await assembly.introduce()
        await assembly.send(assembly.report(TEXTS))
    sp, rj = await items_of(fed, "SP", 2), await items_of(fed, "RJ", 2)
    convener = await fed.person("regional", {"role": "convener", "territory": "SP"})

    def rewrite(item: dict[str, Any]) -> dict[str, Any]:
        return {"item_id": item["id"], "text": item["text"] + " (revisto)"}

    own = await fed.regional.post(
        "/api/v1/consolidation/rewrite", headers=convener, json=rewrite(sp[0])
    )
    assert own.status_code == 200, own.text
    other = await fed.regional.post(
        "/api/v1/consolidation/rewrite", headers=convener, json=rewrite(rj[0])
    )
    assert other.status_code == 403
    assert other.headers["content-type"].startswith("application/problem+json")
    merge = {"item_ids": [sp[1]["id"], rj[1]["id"]], "title": "t", "text": "t"}
    mixed = await fed.regional.post("/api/v1/consolidation/merge", headers=convener, json=merge)
    assert mixed.status_code == 403
    for path, body in (
        ("/api/v1/ranking", {"cycle_id": CYCLE, "uf": "RJ"}),
        ("/api/v1/conference/close", {"cycle_id": CYCLE, "uf": "RJ"}),
    ):
        assert (await fed.regional.post(path, headers=convener, json=body)).status_code == 403
    ranked = await fed.regional.post(
        "/api/v1/ranking", headers=convener, json={"cycle_id": CYCLE, "uf": "SP"}
    )
    assert ranked.status_code == 200

    # They appoint a rapporteur for their own state only, and the operator none at all.
    rapporteur = {"name": "Relatora", "role": "rapporteur"}
    for by, territory, status in (
        (convener, "SP", 201),
        (convener, "RJ", 403),
        (operator("regional"), "SP", 403),
    ):
        appointed = await fed.regional.post(
            "/api/v1/identity/appointments", headers=by, json={**rapporteur, "territory": territory}
        )
        assert appointed.status_code == status, (territory, appointed.text)
    # Nor may the operator edit anything, anywhere.
    assert (
        await fed.regional.post(
            "/api/v1/consolidation/rewrite", headers=operator("regional"), json=rewrite(sp[0])
        )
    ).status_code == 403
    texts = [
        i["text"] for i in await get_json(fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="RJ")
    ]
    assert not any("(revisto)" in t for t in texts)


async def test_a_council_member_answers_only_their_council_s_items(
    national_tier: Federation,
) -> None:
    fed = national_tier
    await send_state_report(fed, texts=("Ampliar a atenção básica", "Financiar o SUAS"))
    await eventually(lambda: get_json(fed.national, "/api/v1/reports"))
    staff = fed.staff["national"]
    published = await fed.national.post(
        "/api/v1/council/publish", headers=staff, json={"cycle_id": CYCLE, "council": "CNS"}
    )
    assert published.status_code == 200, published.text
    items = await get_json(fed.national, "/api/v1/items", cycle_id=CYCLE)
    health, social = sorted(items, key=lambda i: i["title"])[:2]
    moved = await fed.national.post(
        f"/api/v1/council/items/{social['id']}/assignment",
        headers=staff,
        json={"council": "CNAS"},
    )
    assert moved.status_code == 200, moved.text
    cns = await fed.person("national", {"role": "council", "council": "CNS"}, by=staff)
    cnas = await fed.person("national", {"role": "council", "council": "CNAS"}, by=staff)
    answer = {"decision": "rejected", "justification": "Sem fonte de custeio neste PPA."}

    def answering(item: dict[str, Any]) -> str:
        return f"/api/v1/council/items/{item['id']}/responses"

    assert (await fed.national.post(answering(social), headers=cns, json=answer)).status_code == 403
    assert (
        await fed.national.post(answering(health), headers=cnas, json=answer)
    ).status_code == 403
    assert (
        await fed.national.post(answering(health), headers=operator("national"), json=answer)
    ).status_code == 403
    assert (await fed.national.post(answering(health), json=answer)).status_code == 401
    assert (await fed.national.post(answering(health), headers=cns, json=answer)).status_code == 201
    assert (
        await fed.national.post(answering(social), headers=cnas, json=answer)
    ).status_code == 201
    assert len(await get_json(fed.national, answering(health))) == 1
