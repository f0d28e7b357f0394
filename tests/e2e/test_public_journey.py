"""The public follow-up across the three tiers, in a real browser and from the keyboard only: a
council member answers a national item at the national desk, and a citizen, signed in nowhere,
finds their municipality at the local tier by typing its name without accents, opens one of
its proposals that reached that item, and sees the answer — decision, justification, body,
instrument, milestones with their dates and progress — and what the proposal was merged into
at the state, with a progress picture whose steps are also in words. Every page passes axe and
fits a 360 px screen."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from tests.support.api import get_json
from tests.support.browser import appointed_code
from tests.support.national_cycle import (
    Cycle,
    announce,
    close_states,
    hold_local_assemblies,
    publish_nationally,
    share_state_seats,
)
from tests.support.polling import eventually
from tests.support.tiers import Federation
from tests.support.web import accessibility_violations, chromium, served

SAO_PAULO = "3550308"


async def fits_360(page: Page) -> bool:
    width: int = await page.evaluate("document.documentElement.scrollWidth")
    return width <= 360


async def press_on(page: Page, locator: Any, key: str = "Enter") -> None:
    await locator.focus()
    await page.keyboard.press(key)


async def test_a_council_answer_reaches_the_public_journey_of_its_origin(
    federation: Federation,
) -> None:
    fed = federation
    cycle = Cycle(fed)
    await announce(cycle)
    await share_state_seats(cycle)
    await hold_local_assemblies(cycle)
    await close_states(cycle)
    await publish_nationally(cycle)
    # São Paulo's UBS proposal (the first of its assembly) and the national item it reached.
    origin = cycle.local_ids[cycle.assemblies["SP"][0]][0]
    ubs = next(i for i in cycle.items if i["id"] == cycle.reached[origin])
    code = await appointed_code(
        fed.national, fed.staff["national"], name="Conselheira Ana", role="council", council="CNS"
    )

    async with (
        served(fed, "national") as national,
        served(fed, "local") as local,
        chromium() as browser,
    ):
        desk = await browser.new_page(locale="pt-BR")
        await desk.goto(f"{national}/entrar")
        await desk.get_by_role("textbox", name="Código", exact=True).focus()
        await desk.keyboard.type(code)
        await desk.keyboard.press("Enter")
        await desk.wait_for_url(f"{national}/conta?primeiro=1")
        await desk.goto(f"{national}/conselho/mandatos/{ubs['id']}")
        await press_on(desk, desk.get_by_role("radio", name="Acolhida parcialmente"), "Space")
        await desk.get_by_label("Justificativa (obrigatória, salvo quando acolhida)").focus()
        await desk.keyboard.type("Cabe no PPA 2028-2031 apenas para as capitais.")
        await desk.keyboard.press("Tab")
        await desk.keyboard.type("Ministério da Saúde")
        await desk.keyboard.press("Tab")
        await desk.keyboard.type("PPA 2028-2031")
        await desk.get_by_label("O que será feito").first.focus()
        await desk.keyboard.type("Abrir 200 UBS nas capitais")
        await desk.keyboard.press("Tab")
        await desk.get_by_label("Prazo").first.fill("2028-06-30")
        await desk.get_by_label("Progresso (%)").first.fill("")
        await desk.get_by_label("Progresso (%)").first.focus()
        await desk.keyboard.type("25")
        await press_on(desk, desk.get_by_role("button", name="Publicar devolutiva"))
        await desk.wait_for_url(f"{national}/conselho/mandatos/{ubs['id']}?publicada=1*")

        # The answer goes down the bus to the local tier.
        await eventually(
            lambda: get_json(fed.local, f"/api/v1/proposals/{origin}/journey"),
            done=lambda j: len(j["responses"]) == 1,
        )

        citizen = await browser.new_page(locale="pt-BR", viewport={"width": 360, "height": 800})
        await citizen.goto(f"{local}/acompanhamento")
        assert await accessibility_violations(citizen) == []
        assert await fits_360(citizen)
        await citizen.get_by_role("searchbox", name="Nome do município").focus()
        await citizen.keyboard.type("SAO PAULO")
        await citizen.keyboard.press("Enter")
        await citizen.wait_for_url(f"{local}/acompanhamento?busca=SAO+PAULO")
        await press_on(citizen, citizen.get_by_role("link", name="São Paulo (SP)", exact=True))
        await citizen.wait_for_url(f"{local}/acompanhamento/municipios/{SAO_PAULO}")
        assert await accessibility_violations(citizen) == []
        assert await citizen.get_by_role("heading", name="São Paulo (SP)").count() == 1
        # Its assembly, with every proposal; the UBS one says the council's decision already.
        rows = citizen.get_by_role("row")
        assert await rows.count() == 1 + 5
        ubs_row = rows.filter(has_text="Unidades Básicas")
        assert "Acolhida parcialmente" in await ubs_row.inner_text()
        await press_on(citizen, ubs_row.get_by_role("link"))
        await citizen.wait_for_url(f"{local}/acompanhamento/propostas/{origin}")
        assert await accessibility_violations(citizen) == []
        assert await fits_360(citizen)

        journey = await citizen.inner_text("main")
        for shown in (
            "Acolhida parcialmente",
            "Cabe no PPA 2028-2031 apenas para as capitais.",
            "Ministério da Saúde",
            "PPA 2028-2031",
            "Abrir 200 UBS nas capitais",
            "30/06/2028",  # the milestone's due date, in pt-BR
            ubs["title"],
            "Na etapa estadual (SP), juntou-se a:",
        ):
            assert shown in journey, shown
        assert await citizen.get_by_role("img", name="25% concluído").count() == 1
        # The picture and its words: six of seven steps (no milestone is done yet).
        steps = citizen.get_by_role("img", name="Etapas cumpridas: 6 de 7")
        assert await steps.count() == 1
        listed = citizen.locator("ol.passos li")
        assert await listed.count() == 7
        assert "ainda não" in await listed.nth(6).inner_text()
        assert "cumprida" in await listed.nth(5).inner_text()

        # The permalink works for anyone, and in English.
        await citizen.goto(f"{local}/acompanhamento/propostas/{origin}?lang=en")
        await citizen.get_by_role("heading", name="Council's answer").wait_for()
        assert "Adopted in part" in await citizen.inner_text("main")
        assert await accessibility_violations(citizen) == []
