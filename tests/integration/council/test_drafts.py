"""The councils' rapporteurs, drafts and batch publication, attacked at the national tier: a
member of another council can neither read, write nor publish an item's draft nor name its
rapporteur; the public and other roles are refused; a draft never reaches a public surface or
the outbox; a stale edit is a 409; a batch with one bad item publishes nothing; a good batch
becomes answers through the ordinary answer path, and the drafts are gone."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from shared.platform.bus.models import OutboxEntry
from tests.support.api import assert_problem, get_json
from tests.support.browser import appointed_code, csrf_of, sign_in_with_code
from tests.support.national_desk import CouncilDesk, council_desk
from tests.support.tiers import Federation, TierFactory, operator

SECRET = "Rascunho interno: não publicar ainda"
DRAFT = {
    "decision": "adopted_in_part",
    "justification": SECRET,
    "responsible_body": "Ministério da Saúde",
    "instrument": "PPA 2028-2031",
    "milestones": [{"title": "Abrir 200 UBS", "due": "2028-06-30", "progress": 10}],
}


async def responses_staged(fed: Federation) -> int:
    async with fed.node("national").sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(OutboxEntry).where(OutboxEntry.kind == "response")
        )
    return int(count or 0)


async def put_draft(desk: CouncilDesk, who: str, item: dict[str, Any], **body: Any) -> Any:
    return await desk.fed.national.put(
        f"/api/v1/council/items/{item['id']}/draft",
        headers=desk.people[who],
        json={**DRAFT, **body},
    )


async def test_another_council_and_the_public_cannot_touch_an_item_s_draft_or_rapporteur(
    tier_factory: TierFactory,
) -> None:
    desk = await council_desk(await tier_factory("national"))
    national, people, item = desk.fed.national, desk.people, desk.cns[0]
    draft_url = f"/api/v1/council/items/{item['id']}/draft"
    rapporteur_url = f"/api/v1/council/items/{item['id']}/rapporteur"
    saved = await put_draft(desk, "ana (CNS)", item)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 1 and saved.json()["updated_by_name"] == "Conselheira Ana"
    named = await national.post(
        rapporteur_url,
        headers=people["commission"],
        json={"account_id": desk.accounts["ana (CNS)"]},
    )
    assert named.status_code == 200, named.text
    before = (await get_json(national, draft_url, headers=people["ana (CNS)"]), named.json())

    carla = people["carla (CNAS)"]
    assert_problem(await national.get(draft_url, headers=carla), 403)
    assert_problem(await put_draft(desk, "carla (CNAS)", item, version=1, justification="x"), 403)
    assert_problem(
        await national.post(
            "/api/v1/council/drafts/publish", headers=carla, json={"item_ids": [item["id"]]}
        ),
        403,
    )
    assert_problem(await national.get(rapporteur_url, headers=carla), 403)
    assert_problem(
        await national.post(
            rapporteur_url, headers=carla, json={"account_id": desk.accounts["carla (CNAS)"]}
        ),
        403,
    )
    # Not even the commission may make a member of another council (or a stranger) rapporteur.
    for account in (desk.accounts["carla (CNAS)"], desk.accounts["commission"], str(uuid.uuid4())):
        refused = await national.post(
            rapporteur_url, headers=people["commission"], json={"account_id": account}
        )
        assert_problem(refused, 422)
        assert "only a member of the item's council" in refused.json()["detail"]
    # The public, the operator and a rapporteur of the sistematização are refused too.
    rapporteur_role = await desk.fed.person(
        "national", {"role": "rapporteur", "territory": "BR"}, by=people["commission"]
    )
    for headers, status in (({}, 401), (operator("national"), 403), (rapporteur_role, 403)):
        assert_problem(await national.get(draft_url, headers=headers), status)
        assert_problem(await national.put(draft_url, headers=headers, json=DRAFT), status)
        assert_problem(
            await national.post(
                "/api/v1/council/drafts/publish", headers=headers, json={"item_ids": [item["id"]]}
            ),
            status,
        )
        assert_problem(
            await national.post(
                rapporteur_url, headers=headers, json={"account_id": desk.accounts["ana (CNS)"]}
            ),
            status,
        )
    # The commission reads the draft but does not write it; writing is the council's.
    assert_problem(await put_draft(desk, "commission", item, version=1), 403)
    # On the pages too: the commission sees the draft; another council's member neither sees
    # it nor saves over it with a forged form.
    for name, council, sees in (("Dora", "CNAS", False), ("Comissão", None, True)):
        grant = {"role": "council", "council": council} if council else {"role": "commission"}
        code = await appointed_code(national, people["commission"], name=name, **grant)
        async with desk.fed.browser("national") as browser:
            await sign_in_with_code(browser, code)
            shown = await browser.get(f"/conselho/mandatos/{item['id']}")
            assert shown.status_code == 200
            assert (SECRET in shown.text) is sees and ("Salvar rascunho" in shown.text) is False
            if not sees:
                forged = await browser.post(
                    f"/conselho/mandatos/{item['id']}/rascunho",
                    data={
                        "_csrf_token": csrf_of(shown),
                        "decision": "adopted",
                        "draft_version": "1",
                    },
                )
                assert forged.status_code == 403

    after = (
        await get_json(national, draft_url, headers=people["commission"]),
        await get_json(national, rapporteur_url, headers=people["bruno (CNS)"]),
    )
    assert after == before
    assert await get_json(national, f"/api/v1/council/items/{item['id']}/responses") == []
    assert await responses_staged(desk.fed) == 0

    # A member of the item's council may name its rapporteur as well; "meus itens" follows.
    renamed = await national.post(
        rapporteur_url,
        headers=people["bruno (CNS)"],
        json={"account_id": desk.accounts["bruno (CNS)"]},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Conselheiro Bruno"
    assert renamed.json()["assigned_by"] == desk.accounts["bruno (CNS)"]


async def test_drafts_stay_private_stale_edits_conflict_and_batches_are_all_or_nothing(
    tier_factory: TierFactory,
) -> None:
    desk = await council_desk(await tier_factory("national"))
    national, people = desk.fed.national, desk.people
    first, second = desk.cns
    # Checked exactly as an answer is: refused drafts leave nothing behind.
    for wrong in (
        {"decision": "rejected", "justification": " "},
        {"milestones": [{"title": "Abrir UBS", "due": "amanhã talvez"}]},
        {"milestones": [{"title": " ", "due": "2028-01-01"}]},
    ):
        assert_problem(await put_draft(desk, "ana (CNS)", first, **wrong), 422)
    assert_problem(
        await national.get(
            f"/api/v1/council/items/{first['id']}/draft", headers=people["ana (CNS)"]
        ),
        404,
    )

    # Two editors: the second save on the same version is refused and changes nothing.
    assert (await put_draft(desk, "ana (CNS)", first)).json()["version"] == 1
    bruno = await put_draft(desk, "bruno (CNS)", first, version=1, instrument="LOA 2028")
    assert bruno.status_code == 200 and bruno.json()["version"] == 2, bruno.text
    stale = await put_draft(desk, "ana (CNS)", first, version=1, instrument="outro")
    assert_problem(stale, 409)
    assert stale.json()["version"] == 2
    assert_problem(await put_draft(desk, "ana (CNS)", first, version=0), 409)
    current = await get_json(
        national, f"/api/v1/council/items/{first['id']}/draft", headers=people["ana (CNS)"]
    )
    assert (current["version"], current["instrument"], current["updated_by_name"]) == (
        2,
        "LOA 2028",
        "Conselheiro Bruno",
    )

    # Nowhere public: the answers, open data, the lineage, the public pages, the journey, and
    # nothing staged to go down.
    lineage = await get_json(national, f"/api/v1/items/{first['id']}/lineage")
    proposal = lineage["origins"][0]["proposal_id"]
    public = [
        await national.get(f"/api/v1/council/items/{first['id']}/responses"),
        await national.get("/api/v1/open-data/responses"),
        await national.get("/api/v1/open-data/responses", params={"format": "csv"}),
        await national.get(f"/api/v1/items/{first['id']}/lineage"),
        await national.get(f"/rastreabilidade/{first['id']}"),
        await national.get(f"/api/v1/proposals/{proposal}/journey"),
        await national.get("/api/v1/items"),
    ]
    for answer in public:
        assert answer.status_code == 200, answer.text
        assert SECRET not in answer.text and "LOA 2028" not in answer.text, answer.request.url
    assert await responses_staged(desk.fed) == 0

    # A batch with one item that has no draft (and one that does not exist) publishes none.
    missing = str(uuid.uuid4())
    batch = [first["id"], second["id"], missing]
    refused = await national.post(
        "/api/v1/council/drafts/publish",
        headers=people["bruno (CNS)"],
        json={"item_ids": [first["id"], second["id"], missing]},
    )
    assert_problem(refused, 422)
    reasons = {f["item_id"]: f["reason"] for f in refused.json()["items"]}
    assert reasons == {second["id"]: "the item has no draft", missing: f"no item {missing}"}
    assert await get_json(national, f"/api/v1/council/items/{first['id']}/responses") == []
    assert await responses_staged(desk.fed) == 0

    saved = await put_draft(desk, "ana (CNS)", second, decision="adopted", justification="")
    assert saved.status_code == 200, saved.text
    published = await national.post(
        "/api/v1/council/drafts/publish",
        headers=people["bruno (CNS)"],
        json={"item_ids": batch[:2]},
    )
    assert published.status_code == 200, published.text
    sent = {a["national_item_id"]: a for a in published.json()["published"]}
    assert set(sent) == {first["id"], second["id"]}
    assert sent[first["id"]]["instrument"] == "LOA 2028" and sent[first["id"]]["origins"] == 3
    assert sent[second["id"]]["decision"] == "adopted"
    for item in (first, second):
        answers = await get_json(national, f"/api/v1/council/items/{item['id']}/responses")
        assert [a["version"] for a in answers] == [1]
        assert_problem(
            await national.get(
                f"/api/v1/council/items/{item['id']}/draft", headers=people["ana (CNS)"]
            ),
            404,
        )
    assert await responses_staged(desk.fed) == 2
    # Published once: the same batch again has no drafts left to publish.
    again = await national.post(
        "/api/v1/council/drafts/publish", headers=people["ana (CNS)"], json={"item_ids": batch[:2]}
    )
    assert_problem(again, 422)
    assert await responses_staged(desk.fed) == 2
