"""The councils' desk in a real browser: a council member signs in with their code, sees their
council's consolidated mandates with the weight behind each (sortable), and answers one from
the keyboard; an answer short of adoption without a justification is refused inline; the
answer is the API's (every version listed there). Every page passes axe-core, in both
languages."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from tests.support.api import get_json
from tests.support.browser import appointed_code
from tests.support.national_desk import published_mandates
from tests.support.tiers import TierFactory
from tests.support.web import accessibility_violations, chromium, served


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
