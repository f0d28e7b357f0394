"""The state conveners' workbench in a real browser.

Recebimento: every one of São Paulo's 645 municipalities from the IBGE list, each with its
status — reported, late, open (an assembly known, no report), dead-lettered (its report was
refused on the way in), not convened — filtered from the keyboard and updated in place when a
report arrives. Sistematização: a convener merges three duplicates from three municipalities,
with the shared words marked and every source kept, then undoes it; splits an origin off a
merged item and reclassifies the new one, in place (HTMX), the focus on the item that resulted
and the notice announced — a convener of another state is refused and nothing changes.
Priorização: the ranking with each item's breakdown as a chart and in a table, and the routing
rule in words, in both languages. Every page passes axe-core, and reads at 360 px.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
from playwright.async_api import Page

from shared.core.territory import municipalities
from tests.support.api import get_json
from tests.support.browser import appointed_code, csrf_of, sign_in_with_code
from tests.support.national_cycle import UBS
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly
from tests.support.tiers import Federation, TierFactory, operator
from tests.support.web import accessibility_violations, chromium, screenshot_at_360, served

REPORTING = {"3550308": 0, "3509502": 1, "3548708": 2}  # São Paulo, Campinas, São Bernardo
LATE, OPEN, REFUSED = "3518800", "3552205", "3543402"  # Guarulhos, Sorocaba, Ribeirão Preto


async def reported_state(fed: Federation) -> FakeAssembly:
    """Three on time (a UBS duplicate each), one late, one open, one refused; the open one."""
    for town, n in REPORTING.items():
        assembly = FakeAssembly(fed, town, "SP")
        await assembly.introduce()
        await assembly.send(
            assembly.report(
                [
                    ("saude-1", "national", UBS[n]),
                    ("saude-2", "state", f"Reformar a policlínica regional número {n}"),
                ]
            )
        )
    late = FakeAssembly(fed, LATE, "SP")
    await late.introduce()
    report = late.report([("saude-2", "municipal", "Pintar a UBS central")])
    await late.send(msgspec.structs.replace(report, late=True))
    waiting = FakeAssembly(fed, OPEN, "SP")
    await waiting.introduce()
    stranger = FakeAssembly(fed, REFUSED, "SP")  # never introduced: its key is unknown
    await stranger.send(stranger.report([("saude-1", "state", "Texto qualquer")]))

    async def arrived() -> Any:
        board = await get_json(
            fed.regional, "/api/v1/board/municipalities", cycle_id=CYCLE, uf="SP"
        )
        counts = board["counts"]
        return (
            board
            if counts["reported"] == 3 and counts["late"] == 1 and counts["dead_lettered"] == 1
            else None
        )

    await eventually(arrived)
    return waiting


async def signed_in(page: Page, url: str, code: str) -> None:
    await page.goto(f"{url}/entrar")
    await page.get_by_role("textbox", name="Código", exact=True).fill(code)
    await page.get_by_role("button", name="Entrar com o código").click()
    await page.wait_for_url(f"{url}/conta?primeiro=1")


async def count(page: Page, status: str) -> str:
    return await page.inner_text(f"strong[data-status={status}]")


async def test_reception_lists_every_municipality_and_updates_in_place(
    tier_factory: TierFactory,
) -> None:
    fed = await tier_factory("regional")
    waiting = await reported_state(fed)
    board = await get_json(fed.regional, "/api/v1/board/municipalities", cycle_id=CYCLE, uf="SP")
    assert len(board["municipalities"]) == len(municipalities("SP")) == 645
    status = {m["code"]: m["status"] for m in board["municipalities"]}
    assert [status[t] for t in (*REPORTING, LATE, OPEN, REFUSED)] == [
        "reported",
        "reported",
        "reported",
        "late",
        "open",
        "dead_lettered",
    ]
    assert board["counts"]["not_convened"] == 645 - 6
    async with served(fed, "regional") as url, chromium() as browser:
        page = await browser.new_page(locale="pt-BR")
        await page.goto(f"{url}/estado/SP/recebimento")
        assert [await count(page, s) for s in ("not_convened", "open", "reported", "late")] == [
            "639",
            "1",
            "3",
            "1",
        ]
        assert await count(page, "dead_lettered") == "1"
        assert await page.locator("table.municipios tbody tr").count() == 645
        assert await page.locator("svg.cartograma rect").count() == 645
        assert await accessibility_violations(page) == []

        # Filter from the keyboard: only the late one.
        await page.get_by_label("Situação", exact=True).select_option("late")
        await page.get_by_role("button", name="Aplicar").focus()
        await page.keyboard.press("Enter")
        await page.wait_for_url("**situacao=late**")
        rows = page.locator("table.municipios tbody tr")
        assert await rows.count() == 1
        assert "Guarulhos" in await rows.inner_text()
        assert await accessibility_violations(page) == []

        # Live: Sorocaba reports, and the open count falls to 0 without a reload.
        await page.goto(f"{url}/estado/SP/recebimento")
        await waiting.send(waiting.report([("saude-1", "state", "Ampliar o SAMU regional")]))
        await page.wait_for_function(
            "document.querySelector('strong[data-status=open]').textContent.trim() === '0'",
            timeout=30_000,
        )
        assert await count(page, "reported") == "4"
        assert await accessibility_violations(page) == []


async def test_a_convener_merges_three_duplicates_and_undoes_it_from_the_keyboard(
    tier_factory: TierFactory,
) -> None:
    fed = await tier_factory("regional")
    await reported_state(fed)
    code = await appointed_code(
        fed.regional,
        operator("regional"),
        name="Joana Convocadora",
        role="convener",
        territory="SP",
    )
    async with served(fed, "regional") as url, chromium() as browser:
        page = await browser.new_page(locale="pt-BR")
        await page.goto(f"{url}/estado/SP/sistematizacao")
        await page.wait_for_url("**/entrar?next_path=%2Festado%2FSP%2Fsistematizacao")
        await page.get_by_role("textbox", name="Código", exact=True).fill(code)
        await page.get_by_role("button", name="Entrar com o código").click()
        await page.wait_for_url(f"{url}/conta?primeiro=1")
        await page.goto(f"{url}/estado/SP/sistematizacao?eixo=saude-1")
        group = page.locator("form.grupo").first
        assert await group.get_by_role("checkbox").count() == 3
        marked = await group.locator("mark").all_inner_texts()
        # The shared words, thesaurus phrases included ("Unidades Básicas de Saúde" is "ubs").
        assert {"Ampliar", "Unidades", "Básicas", "Saúde", "periferias"} <= set(marked)
        assert "nas" not in marked
        origins = await group.locator(".origens li").all_inner_texts()
        assert sorted(o.split(" · ")[0] for o in origins) == sorted(REPORTING)
        assert all("apoios 10" in o for o in origins)
        assert await accessibility_violations(page) == []

        await page.get_by_label("Texto reescrito").first.focus()
        await page.keyboard.press("Control+A")
        await page.keyboard.type("Ampliar as Unidades Básicas de Saúde nas periferias urbanas")
        await page.get_by_role("button", name="Mesclar o grupo 1").focus()
        await page.keyboard.press("Enter")
        notice = page.get_by_role("status")
        await notice.wait_for()
        assert "3 itens mesclados" in await notice.inner_text()
        assert await accessibility_violations(page) == []
        items = await get_json(
            fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="SP", axis="saude-1"
        )
        assert len(items) == 1
        lineage = await get_json(fed.regional, f"/api/v1/items/{items[0]['id']}/lineage")
        assert sorted(s["territory"] for s in lineage["sources"]) == sorted(REPORTING)
        assert sorted(s["text"] for s in lineage["sources"]) == sorted(UBS)
        assert items[0]["text"] == "Ampliar as Unidades Básicas de Saúde nas periferias urbanas"

        await page.get_by_role("button", name="Desfazer").first.focus()
        await page.keyboard.press("Enter")
        await page.get_by_text("Ação desfeita").wait_for()
        back = await get_json(
            fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="SP", axis="saude-1"
        )
        assert sorted(i["text"] for i in back) == sorted(UBS)
        assert await page.locator("form.grupo").first.get_by_role("checkbox").count() == 3
        assert await accessibility_violations(page) == []

        # Someone from another state is refused, with the reason shown.
        other = await page.goto(f"{url}/estado/RJ/sistematizacao")
        assert other is not None and other.status == 403
        assert "does not reach this territory" in await page.get_by_role("alert").inner_text()
        assert await page.locator("form.grupo").count() == 0


async def test_suggestions_still_being_computed_never_hold_up_the_page(
    tier_factory: TierFactory,
) -> None:
    """A big axis takes seconds to cluster: the page comes at once, says so, is usable, and
    the suggestions appear by themselves (computed in the tier's worker process), announced."""
    fed = await tier_factory("regional", suggestions_wait_s=0.0, suggestions_off_loop_items=0)
    await reported_state(fed)
    code = await appointed_code(
        fed.regional, operator("regional"), name="Joana Convocadora", role="convener",
        territory="SP",
    )  # fmt: skip
    async with served(fed, "regional") as url, chromium() as browser:
        page = await browser.new_page(locale="pt-BR")
        await signed_in(page, url, code)
        await page.goto(f"{url}/estado/SP/sistematizacao?eixo=saude-1")
        waiting = page.locator("#sugestoes[aria-busy=true]")
        assert "calculando" in await waiting.get_by_role("heading").inner_text()
        # without JavaScript, a link asks again; the axis's items are already there
        assert await waiting.get_by_role("link", name="Atualizar a página").count() == 1
        assert await page.locator("#itens article.item").count() == 3
        assert await accessibility_violations(page) == []

        mesclar = page.get_by_role("button", name="Mesclar o grupo 1")
        await mesclar.wait_for(timeout=30_000)
        assert await page.locator("#sugestoes[aria-busy]").count() == 0
        assert "Sugestões prontas: 1 grupos" in await page.locator("#aviso").inner_text()
        assert await page.locator("form.grupo").first.get_by_role("checkbox").count() == 3
        assert await accessibility_violations(page) == []
        await mesclar.focus()
        await page.keyboard.press("Enter")
        await page.get_by_text("3 itens mesclados").wait_for()
    (merged,) = await get_json(
        fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="SP", axis="saude-1"
    )
    lineage = await get_json(fed.regional, f"/api/v1/items/{merged['id']}/lineage")
    assert sorted(s["text"] for s in lineage["sources"]) == sorted(UBS)


async def test_an_automatic_merge_waits_on_the_page_until_a_convener_accepts_it(
    tier_factory: TierFactory,
) -> None:
    fed = await tier_factory("regional")
    await reported_state(fed)
    merged = await fed.regional.post(
        "/api/v1/consolidation/auto-merge",
        headers=fed.staff["regional"],
        json={"cycle_id": CYCLE, "uf": "SP", "threshold": 0.5},
    )
    assert merged.status_code == 200 and merged.json()["clusters"] >= 1, merged.text
    (item,) = await get_json(fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="SP", axis="saude-1")
    # The UBS texts differ only in accents and inflection, so the proposal shows that wording
    # once; each source keeps its own text in the lineage.
    assert any(text in item["text"] for text in UBS)
    lineage = await get_json(fed.regional, f"/api/v1/items/{item['id']}/lineage")
    assert sorted(s["text"] for s in lineage["sources"]) == sorted(UBS)
    code = await appointed_code(
        fed.regional,
        operator("regional"),
        name="Joana Convocadora",
        role="convener",
        territory="SP",
    )
    async with served(fed, "regional") as url, chromium() as browser:
        page = await browser.new_page(locale="pt-BR")
        await page.goto(f"{url}/entrar?next_path=%2Festado%2FSP%2Fsistematizacao")
        await page.get_by_role("textbox", name="Código", exact=True).fill(code)
        await page.get_by_role("button", name="Entrar com o código").click()
        await page.wait_for_url(f"{url}/conta?primeiro=1")
        await page.goto(f"{url}/estado/SP/sistematizacao?eixo=saude-1")
        heading = page.get_by_role("heading", name="Para revisão", exact=False)
        assert "mesclagens automáticas" in await heading.inner_text()
        assert await accessibility_violations(page) == []
        accept = page.get_by_role("button", name="Aceitar", exact=False)
        pending = await accept.count()
        assert pending >= 1
        await accept.first.focus()
        await page.keyboard.press("Enter")
        await page.get_by_text("Mesclagem automática aceita").wait_for()
        assert await page.get_by_role("button", name="Aceitar", exact=False).count() == pending - 1
        assert await accessibility_violations(page) == []
    queue = await get_json(fed.regional, "/api/v1/consolidation/review", cycle_id=CYCLE, uf="SP")
    assert len(queue) == pending - 1


async def test_a_convener_groups_proposals_under_a_diretriz_on_the_page(
    tier_factory: TierFactory,
) -> None:
    fed = await tier_factory("regional")
    await reported_state(fed)
    items = await get_json(fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="SP", axis="saude-1")
    diretriz, *proposals = sorted(items, key=lambda i: i["text"])
    code = await appointed_code(
        fed.regional, operator("regional"), name="Joana Convocadora", role="convener",
        territory="SP",
    )  # fmt: skip
    async with served(fed, "regional") as url, chromium() as browser:
        page = await browser.new_page(locale="pt-BR")
        await page.goto(f"{url}/entrar?next_path=%2Festado%2FSP%2Fsistematizacao")
        await page.get_by_role("textbox", name="Código", exact=True).fill(code)
        await page.get_by_role("button", name="Entrar com o código").click()
        await page.wait_for_url(f"{url}/conta?primeiro=1")
        await page.goto(f"{url}/estado/SP/sistematizacao?eixo=saude-1")
        await page.get_by_label("Diretriz", exact=True).select_option(diretriz["id"])
        group = page.get_by_role("group", name="Propostas a agrupar")
        for p in proposals:
            await group.locator(f"input[value='{p['id']}']").check()
        await page.get_by_role("button", name="Agrupar sob a diretriz").click()
        notice = page.get_by_role("status")
        await notice.wait_for()
        assert "2 propostas agrupadas" in await notice.inner_text()
        assert await accessibility_violations(page) == []
        nested = await get_json(
            fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="SP", axis="saude-1"
        )
        assert {i["id"]: i["parent_id"] for i in nested} == {
            diretriz["id"]: None, **{p["id"]: diretriz["id"] for p in proposals}
        }  # fmt: skip
        await page.get_by_role("button", name="Tirar da diretriz").first.click()
        await page.get_by_text("A proposta saiu da diretriz").wait_for()
        after = await get_json(
            fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="SP", axis="saude-1"
        )
        assert sorted(i["parent_id"] or "" for i in after) == ["", "", diretriz["id"]]
        assert await accessibility_violations(page) == []


async def test_a_convener_splits_and_reclassifies_in_place_and_reads_the_ranking(
    tier_factory: TierFactory, tmp_path: Path
) -> None:
    fed = await tier_factory("regional")
    await reported_state(fed)
    ubs = [
        i["id"]
        for i in await get_json(
            fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="SP", axis="saude-1"
        )
    ]
    merged = await fed.regional.post(
        "/api/v1/consolidation/merge",
        headers=fed.staff["regional"],
        json={"item_ids": ubs, "title": "UBS nas periferias", "text": UBS[0]},
    )
    assert merged.status_code == 201, merged.text
    item = merged.json()["id"]
    lineage = await get_json(fed.regional, f"/api/v1/items/{item}/lineage")
    campinas = next(s["item_id"] for s in lineage["sources"] if s["territory"] == "3509502")

    # A convener of Rio de Janeiro posts the same forms: refused, nothing changes.
    stranger = await appointed_code(
        fed.regional, operator("regional"), name="Rita do Rio", role="convener", territory="RJ"
    )
    async with fed.browser("regional") as other:
        account = await sign_in_with_code(other, stranger)
        token = csrf_of(account)
        split_off = await other.post(
            f"/estado/SP/sistematizacao/separar/{item}",
            data={"_csrf_token": token, "source_ids": campinas, "title": "Só Campinas"},
        )
        moved = await other.post(
            f"/estado/SP/sistematizacao/reclassificar/{item}",
            data={"_csrf_token": token, "axis": "saude-2", "competence": "state"},
        )
        as_htmx = await other.post(
            f"/estado/SP/sistematizacao/separar/{item}",
            data={"_csrf_token": token, "source_ids": campinas},
            headers={"HX-Request": "true"},
        )
    assert [split_off.status_code, moved.status_code, as_htmx.status_code] == [403, 403, 403]
    unchanged = await get_json(fed.regional, f"/api/v1/items/{item}/lineage")
    assert unchanged["item"]["status"] == "active" and unchanged["item"]["axis"] == "saude-1"
    assert len(unchanged["sources"]) == 3
    log = await get_json(fed.regional, "/api/v1/consolidation/actions", cycle_id=CYCLE, uf="SP")
    assert [a["kind"] for a in log] == ["merge"]

    code = await appointed_code(
        fed.regional,
        operator("regional"),
        name="Joana Convocadora",
        role="convener",
        territory="SP",
    )
    async with served(fed, "regional") as url, chromium() as browser:
        page = await browser.new_page(locale="pt-BR")
        await signed_in(page, url, code)

        # Priorização: unranked until the convener recomputes; then the chart and its numbers.
        await page.goto(f"{url}/estado/SP/priorizacao?eixo=saude-1")
        rule = await page.locator("section.regra").inner_text()
        assert "Sobem para a etapa nacional os 20 itens de competência nacional" in rule
        assert "os de competência municipal ficaram no município" in rule
        assert await page.locator("svg.barras").count() == 0
        await page.get_by_role("button", name="Recalcular a classificação").click()
        await page.get_by_text("Classificação recalculada").wait_for()
        (ranked,) = await get_json(
            fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="SP", axis="saude-1"
        )
        points = sum(int(c["points"]) for c in ranked["breakdown"]["contributions"])
        assert (
            points == ranked["breakdown"]["score"]
            and len(ranked["breakdown"]["contributions"]) == 3
        )
        chart = page.locator("svg.barras").first
        label = await chart.get_attribute("aria-label")
        assert label == f"Pontuação {points}; Conferências municipais {points}"
        assert await chart.locator("rect").count() == 2  # the track and one kind of source
        await page.get_by_text("Números da pontuação").first.click()
        row = page.locator("li.classificado table").first.locator("tbody tr").first
        assert (await row.inner_text()).split("\t")[1:] == ["3", "300", str(points)]
        towns = (
            await page.locator("li.classificado table").nth(1).locator("tbody th").all_inner_texts()
        )
        assert sorted(towns) == ["Campinas", "São Bernardo do Campo", "São Paulo"]
        assert await accessibility_violations(page) == []
        await screenshot_at_360(page, "state-priorities", tmp_path)
        await page.goto(f"{url}/estado/SP/priorizacao?eixo=saude-1&lang=en")
        english = await page.locator("section.regra").inner_text()
        assert (
            "The 20 best-ranked items of national competence, across all axes, go up to the national stage"
            in english
        )
        assert await page.locator("svg.barras").first.get_attribute("aria-label") == (
            f"Score {points}; Municipal conferences {points}"
        )
        await page.goto(f"{url}/estado/SP/priorizacao?eixo=saude-1&lang=pt-BR")

        # Sistematização: split Campinas off the merged item, in place.
        await page.goto(f"{url}/estado/SP/sistematizacao?eixo=saude-1")
        await page.evaluate("window.notReloaded = true")
        card = page.locator("#itens article.item").first
        assert await card.locator("h3").inner_text() == "UBS nas periferias"
        form = card.locator("form.separar")
        assert await form.get_by_role("checkbox").count() == 3
        await form.get_by_role("checkbox", name="Campinas", exact=False).check()
        await form.get_by_label("Título do novo item").fill("UBS em Campinas")
        await form.get_by_label("Texto do novo item").fill(
            "Ampliar as UBS das periferias de Campinas"
        )
        await form.get_by_role("button", name="Separar origens").focus()
        await page.keyboard.press("Enter")
        await page.get_by_role("status").get_by_text("Origens separadas").wait_for()
        assert await page.evaluate("window.notReloaded") is True
        # htmx moves the focus to the swapped-in [autofocus] when it settles, which may come
        # just after the notice's out-of-band swap: wait for it (fails after the timeout).
        await page.wait_for_function("document.activeElement.textContent === 'UBS em Campinas'")
        after = await get_json(
            fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="SP", axis="saude-1"
        )
        by_title = {i["title"]: i["id"] for i in after}
        assert sorted(by_title) == ["UBS em Campinas", "UBS nas periferias"]
        alone = await get_json(fed.regional, f"/api/v1/items/{by_title['UBS em Campinas']}/lineage")
        assert [s["territory"] for s in alone["sources"]] == ["3509502"]
        rest = await get_json(
            fed.regional, f"/api/v1/items/{by_title['UBS nas periferias']}/lineage"
        )
        assert sorted(s["territory"] for s in rest["sources"]) == ["3548708", "3550308"]
        assert await accessibility_violations(page) == []
        await screenshot_at_360(page, "state-after-split", tmp_path)

        # Reclassify the new item to the funding axis, state competence: it leaves this axis.
        new = page.locator("article.item", has=page.get_by_role("heading", name="UBS em Campinas"))
        await new.get_by_label("Novo eixo").select_option("saude-2")
        await new.get_by_label("Nova competência").select_option("state")
        await new.get_by_role("button", name="Reclassificar").focus()
        await page.keyboard.press("Enter")
        await page.get_by_role("status").get_by_text("reclassificado").wait_for()
        assert await page.evaluate("window.notReloaded") is True
        await page.wait_for_function("document.activeElement.id === 't-itens'")
        assert await page.locator("#itens article.item").count() == 1
        moved_item = (
            await get_json(fed.regional, f"/api/v1/items/{by_title['UBS em Campinas']}/lineage")
        )["item"]
        assert (moved_item["axis"], moved_item["competence"]) == ("saude-2", "state")
        assert await accessibility_violations(page) == []

        # The log has all three, newest first; undoing the reclassification brings it back.
        await page.reload()
        kinds = await page.locator(
            "#t-log ~ .rolagem table tbody tr td:nth-child(2)"
        ).all_inner_texts()
        assert [k.split(" ")[0] for k in kinds] == ["reclassify", "split", "merge"]
        await page.get_by_role("button", name="Desfazer").first.focus()
        await page.keyboard.press("Enter")
        await page.get_by_text("Ação desfeita").wait_for()
        back = (
            await get_json(fed.regional, f"/api/v1/items/{by_title['UBS em Campinas']}/lineage")
        )["item"]
        assert (back["axis"], back["competence"]) == ("saude-1", "national")
