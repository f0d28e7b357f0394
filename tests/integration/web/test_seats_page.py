"""The Vagas page in a real browser: a state's convener signs in from the keyboard and reads
the seats of the state's assemblies with the method and figures, and the warning about the
assembly that elected under an earlier allocation; axe-clean, usable at 360 px, in both
languages."""

from __future__ import annotations

from shared.platform.web.labels import SEAT_METHODS
from tests.support.api import get_json
from tests.support.browser import appointed_code
from tests.support.reports import CYCLE
from tests.support.seats import reallocated_state
from tests.support.tiers import TierFactory
from tests.support.web import accessibility_violations, chromium, served


async def test_a_convener_reads_the_seats_and_the_warning(tier_factory: TierFactory) -> None:
    fed = await tier_factory("regional")
    convener = await fed.person("regional", {"role": "convener", "territory": "SP"})
    await reallocated_state(fed, convener)
    code = await appointed_code(
        fed.regional, convener, name="Convocadora SP", role="convener", territory="SP"
    )
    table_of = await get_json(
        fed.regional, "/api/v1/board/seats", headers=convener, cycle_id=CYCLE, uf="SP"
    )
    async with served(fed, "regional") as url, chromium() as browser:
        page = await browser.new_page(locale="pt-BR", viewport={"width": 360, "height": 800})
        await page.goto(f"{url}/estado/SP/vagas")
        await page.wait_for_url(f"{url}/entrar?next_path=%2Festado%2FSP%2Fvagas")
        await page.get_by_role("textbox", name="Código", exact=True).focus()
        await page.keyboard.type(code)
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{url}/conta?primeiro=1")
        await page.goto(f"{url}/estado/SP/vagas")
        await page.get_by_role("heading", name="Vagas — SP").wait_for()
        alert = await page.get_by_role("alert").inner_text()
        assert "1 conferência(s) já elegeram seus delegados" in alert
        table = page.get_by_role("table", name="Vagas por conferência")
        rows = table.get_by_role("row")
        assert await rows.count() == 1 + 2
        capital = rows.filter(has_text="São Paulo")
        assert "eleitos sob distribuição anterior" in await capital.inner_text()
        assert "11.451.999" in await capital.inner_text()
        assert (
            "eleitos sob distribuição anterior"
            not in await rows.filter(has_text="Campinas").inner_text()
        )
        # The method, in words (the one the API names).
        assert SEAT_METHODS[table_of["method"]] in await page.inner_text("main")
        assert await accessibility_violations(page) == []
        # At 360 px only the table scrolls, inside its own keyboard-reachable region.
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360
        region = page.get_by_role("region", name="Vagas por conferência")
        assert await region.get_attribute("tabindex") == "0"

        await page.goto(f"{url}/estado/SP/vagas?lang=en")
        await page.get_by_role("heading", name="Seats — SP").wait_for()
        assert "elected under an earlier allocation" in await page.inner_text("main")
        assert await accessibility_violations(page) == []
