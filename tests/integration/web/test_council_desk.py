"""The councils' desk in a real browser: a council member signs in with their code, sees their
council's consolidated mandates with the weight behind each (sortable), and answers one from
the keyboard; an answer short of adoption without a justification is refused inline; the
answer is the API's (every version listed there). Every page passes axe-core, in both
languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page

from tests.support.api import get_json
from tests.support.browser import appointed_code
from tests.support.national_desk import published_mandates
from tests.support.tiers import TierFactory
from tests.support.web import accessibility_violations, chromium, screenshot_at_360, served


async def signed_in(page: Page, url: str, code: str) -> None:
    await page.goto(f"{url}/entrar")
    await page.get_by_role("textbox", name="Código", exact=True).fill(code)
    await page.get_by_role("button", name="Entrar com o código").click()
    await page.wait_for_url(f"{url}/conta?primeiro=1")


async def test_a_council_member_answers_an_item_from_the_keyboard(
    tier_factory: TierFactory,
) -> None:
    fed = await tier_factory("national")
    items = await published_mandates(fed)
    staff = fed.staff["national"]
    moved = next(i for i in items if i["title"].startswith("Financiar o SUAS"))
    assigned = await fed.national.post(
        f"/api/v1/council/items/{moved['id']}/assignment", headers=staff, json={"council": "CNAS"}
    )
    assert assigned.status_code == 200
    code = await appointed_code(
        fed.national, staff, name="Conselheira Ana", role="council", council="CNS"
    )
    ubs = next(i for i in items if i["title"].startswith("Ampliar a atenção"))
    async with served(fed, "national") as url, chromium() as browser:
        page = await browser.new_page(locale="pt-BR")
        await page.goto(f"{url}/conselho/mandatos")
        await page.wait_for_url(f"{url}/entrar?next_path=%2Fconselho%2Fmandatos")
        await signed_in(page, url, code)
        await page.goto(f"{url}/conselho/mandatos")
        table = page.get_by_role("table")
        # Only CNS's items: the one reassigned to CNAS is not here.
        assert await table.get_by_role("row").count() == 1 + 2
        assert "Financiar o SUAS" not in await table.inner_text()
        assert await accessibility_violations(page) == []
        # Sorted by municipalities behind: the UBS item (3 towns in SP) comes first.
        await page.get_by_role("link", name="Municípios").click()
        await page.wait_for_url(f"{url}/conselho/mandatos?ordem=municipalities")
        first = page.get_by_role("row").nth(1)
        cells = [await c.inner_text() for c in await first.get_by_role("cell").all()]
        assert cells[1] == ubs["title"]
        assert cells[3] == "1" and cells[4].startswith("3") and cells[5] == "3", cells
        assert cells[6] == "1.200", cells  # SP's state conference participants
        assert cells[7] == "sem resposta"
        assert await page.get_attribute("th[aria-sort]", "aria-sort") == "descending"

        # To the item, then answer it from the keyboard only.
        await page.get_by_role("link", name=ubs["title"]).focus()
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{url}/conselho/mandatos/{ubs['id']}")
        assert await accessibility_violations(page) == []
        # "Não acolhida" without a justification: refused, and said so.
        await page.get_by_role("radio", name="Não acolhida").focus()
        await page.keyboard.press("Space")
        await page.get_by_role("button", name="Publicar devolutiva").focus()
        await page.keyboard.press("Enter")
        alert = page.get_by_role("alert")
        await alert.wait_for()
        assert "justification is required" in await alert.inner_text()
        assert await accessibility_violations(page) == []
        assert await get_json(fed.national, f"/api/v1/council/items/{ubs['id']}/responses") == []

        await page.get_by_role("radio", name="Acolhida parcialmente").focus()
        await page.keyboard.press("Space")
        await page.get_by_label("Justificativa (obrigatória, salvo quando acolhida)").focus()
        await page.keyboard.type("Cabe no PPA 2028-2031 apenas para as capitais.")
        await page.keyboard.press("Tab")
        await page.keyboard.type("Ministério da Saúde")
        await page.keyboard.press("Tab")
        await page.keyboard.type("PPA 2028-2031")
        await page.get_by_label("O que será feito").first.focus()
        await page.keyboard.type("Abrir 200 UBS nas capitais")
        await page.keyboard.press("Tab")
        # The date field is next (its typed format follows the browser's locale: fill it).
        assert await page.evaluate("document.activeElement.type") == "date"
        await page.get_by_label("Prazo").first.fill("2028-06-30")
        await page.get_by_label("Progresso (%)").first.fill("")
        await page.get_by_label("Progresso (%)").first.focus()
        await page.keyboard.type("25")
        await page.get_by_role("button", name="Publicar devolutiva").focus()
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{url}/conselho/mandatos/{ubs['id']}?publicada=1&origens=3")
        status = page.get_by_role("status")
        assert "versão 1" in await status.inner_text()
        history = await page.get_by_role("region", name="Histórico da devolutiva").inner_text()
        assert "Acolhida parcialmente" in history and "Abrir 200 UBS nas capitais" in history
        assert await page.get_by_role("img", name="25% concluído").count() == 1
        assert await accessibility_violations(page) == []

        answers: list[dict[str, Any]] = await get_json(
            fed.national, f"/api/v1/council/items/{ubs['id']}/responses"
        )
        assert [(a["version"], a["decision"]) for a in answers] == [(1, "adopted_in_part")]
        assert answers[0]["milestones"] == [
            {
                "title": "Abrir 200 UBS nas capitais",
                "due": "2028-06-30",
                "status": "planned",
                "progress": 25,
                "note": "",
            }
        ]
        assert answers[0]["responsible_body"] == "Ministério da Saúde"

        # The item's lineage, public, with the answer: signed out, from its permalink.
        public = await browser.new_page(locale="pt-BR")
        await public.goto(f"{url}/rastreabilidade/{ubs['id']}")
        tree = await public.inner_text("main")
        assert "De onde veio: 1 fontes, 3 propostas locais" in tree
        assert "3550308: 1" in tree and "Acolhida parcialmente" in tree
        assert await accessibility_violations(public) == []

        # The form of another council's item is not offered, and a forged post is refused.
        await page.goto(f"{url}/conselho/mandatos/{moved['id']}")
        assert await page.get_by_role("button", name="Publicar devolutiva").count() == 0
        forged = await page.request.post(
            f"{url}/conselho/mandatos/{moved['id']}/devolutiva",
            form={"decision": "adopted"},
            headers={
                "x-csrftoken": await page.evaluate(
                    "document.cookie.match(/plenaria_csrf=([^;]+)/)[1]"
                )
            },
        )
        assert forged.status == 403

        await page.goto(f"{url}/conselho/mandatos?lang=en")
        await page.get_by_role("heading", name="Consolidated mandates").wait_for()
        assert await accessibility_violations(page) == []


async def test_drafts_saved_on_the_form_are_published_together_from_the_list(
    tier_factory: TierFactory, tmp_path: Path
) -> None:
    """A rapporteur names herself, saves two drafts from the devolutiva form (nothing is
    published), then publishes the selected drafts from the list with HTMX: a batch with a
    draft that is gone meanwhile publishes nothing and says why in the live region; the batch
    of the rest publishes it. At 360 px and axe-clean."""
    fed = await tier_factory("national")
    items = await published_mandates(fed)
    staff = fed.staff["national"]
    code = await appointed_code(
        fed.national, staff, name="Conselheira Ana", role="council", council="CNS"
    )
    colleague = await fed.person("national", {"role": "council", "council": "CNS"}, name="Beto")
    ubs = next(i for i in items if i["title"].startswith("Ampliar a atenção"))
    uti = next(i for i in items if i["title"].startswith("Regular os leitos"))
    suas = next(i for i in items if i["title"].startswith("Financiar o SUAS"))
    async with served(fed, "national") as url, chromium() as browser:
        page = await browser.new_page(locale="pt-BR")
        await page.goto(f"{url}/entrar")
        await signed_in(page, url, code)
        await page.goto(f"{url}/conselho/mandatos")
        # She names herself rapporteur of the UBS item; "meus itens" then lists it alone.
        await page.get_by_label(f"Relatoria de {ubs['title']}").select_option(
            label="Conselheira Ana"
        )
        await page.get_by_role("button", name=f"Designar {ubs['title']}").click()
        await page.get_by_role("status").get_by_text("Conselheira Ana é a relatoria").wait_for()
        await page.get_by_role("link", name="Meus itens (relatoria)").click()
        table = page.get_by_role("table")
        assert await table.get_by_role("row").count() == 1 + 1
        assert ubs["title"] in await table.inner_text()

        # Two drafts, saved from the form: nothing published, nothing public.
        await page.goto(f"{url}/conselho/mandatos/{ubs['id']}")
        await page.get_by_role("radio", name="Acolhida parcialmente").check()
        await page.get_by_label("Justificativa (obrigatória, salvo quando acolhida)").fill(
            "Rascunho: só nas capitais."
        )
        await page.get_by_label("O que será feito").first.fill("Abrir 200 UBS nas capitais")
        await page.get_by_label("Prazo").first.fill("2028-06-30")
        await page.get_by_role("button", name="Salvar rascunho").click()
        await page.wait_for_url(f"{url}/conselho/mandatos/{ubs['id']}?rascunho=1")
        assert "Ainda não foi publicado" in await page.get_by_role("status").inner_text()
        assert await page.get_by_label("O que será feito").first.input_value() == (
            "Abrir 200 UBS nas capitais"
        )
        assert await accessibility_violations(page) == []
        await screenshot_at_360(page, "conselho-rascunho", tmp_path)
        for item in (uti, suas):
            await page.goto(f"{url}/conselho/mandatos/{item['id']}")
            await page.get_by_role("radio", name="Acolhida", exact=True).check()
            await page.get_by_role("button", name="Salvar rascunho").click()
            await page.wait_for_url(f"{url}/conselho/mandatos/{item['id']}?rascunho=1")
        assert await get_json(fed.national, f"/api/v1/council/items/{ubs['id']}/responses") == []
        public = await browser.new_page(locale="pt-BR")
        await public.goto(f"{url}/rastreabilidade/{ubs['id']}")
        assert "só nas capitais" not in await public.inner_text("main")

        await page.goto(f"{url}/conselho/mandatos")
        for item in (ubs, uti, suas):
            await page.get_by_role("checkbox", name=f"Publicar {item['title']}").check()
        # Meanwhile a colleague answers the SUAS item directly: its draft is superseded.
        direct = await fed.national.post(
            f"/api/v1/council/items/{suas['id']}/responses",
            headers=colleague,
            json={"decision": "under_study", "justification": "Em estudo no CNS."},
        )
        assert direct.status_code == 201, direct.text
        await page.get_by_role("button", name="Publicar selecionadas").click()
        live = page.locator("#aviso[role=status][aria-live=polite]")
        await live.get_by_text("Nada foi publicado").wait_for()
        said = await live.inner_text()
        assert f"{suas['title']}: the item has no draft" in said, said
        assert page.url == f"{url}/conselho/mandatos"  # swapped in place by HTMX
        assert await get_json(fed.national, f"/api/v1/council/items/{ubs['id']}/responses") == []
        assert await accessibility_violations(page) == []

        for item in (ubs, uti):
            await page.get_by_role("checkbox", name=f"Publicar {item['title']}").check()
        await page.get_by_role("button", name="Publicar selecionadas").click()
        await live.get_by_text("2 devolutivas publicadas").wait_for()
        assert "a caminho de 5 propostas de origem" in await live.inner_text()
        assert page.url == f"{url}/conselho/mandatos"
        assert await page.get_by_role("checkbox").count() == 0
        decisions = await page.get_by_role("table").inner_text()
        assert decisions.count("Acolhida parcialmente") == 1 and "Em estudo" in decisions
        assert await accessibility_violations(page) == []
        await screenshot_at_360(page, "conselho-mandatos", tmp_path)

        answers = await get_json(fed.national, f"/api/v1/council/items/{ubs['id']}/responses")
        assert [(a["version"], a["decision"]) for a in answers] == [(1, "adopted_in_part")]
        assert answers[0]["milestones"][0]["due"] == "2028-06-30"
        await public.goto(f"{url}/rastreabilidade/{ubs['id']}")
        assert "só nas capitais" in await public.inner_text("main")
