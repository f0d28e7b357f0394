"""The secretary places participants in working groups from the desk in a real browser: the
places per segment fill, a full group is refused on the screen in Portuguese with the figures,
and the screen is axe-clean at 360 px."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page

from tests.support.api import bearer
from tests.support.assemblies import create, register
from tests.support.browser import appointed_code
from tests.support.tiers import Federation, operator
from tests.support.web import accessibility_violations, chromium, screenshot_at_360, served
from tests.support.working_groups import WORKING_GROUP_CYCLE, working_group_cycle


async def place(page: Page, person: str, group: str) -> None:
    await page.get_by_label("Pessoa", exact=True).select_option(label=person)
    await page.get_by_label("Grupo", exact=True).select_option(label=group)
    await page.get_by_role("button", name="Colocar no grupo", exact=True).focus()
    async with page.expect_navigation():
        await page.keyboard.press("Enter")


async def test_the_desk_fills_a_working_group_and_is_told_when_it_is_full(
    local_tier: Federation, tmp_path: Path
) -> None:
    fed = local_tier
    loaded = await fed.local.post(
        "/api/v1/cycles/", headers=operator("local"), json={"rules_toml": working_group_cycle()}
    )
    assert loaded.status_code == 201, loaded.text
    created = await create(fed, cycle_id=WORKING_GROUP_CYCLE)
    aid, sec = created["id"], bearer(created["secretary_token"])
    assert (await fed.local.post(f"/api/v1/assemblies/{aid}/open", headers=sec)).status_code == 201
    await register(fed.local, aid, sec)
    axis = loaded.json()["axes"][0]["title_pt"]
    code = await appointed_code(
        fed.local,
        fed.staff["local"],
        name="Secretária dos grupos",
        role="secretary",
        territory="3550308",
        assembly_id=aid,
    )
    here = f"/assembleias/{aid}/grupos"

    async with served(fed, "local") as url, chromium() as browser:
        page = await browser.new_page(locale="pt-BR", viewport={"width": 360, "height": 800})
        await page.goto(f"{url}/entrar")
        await page.get_by_label("Código", exact=True).fill(code)
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{url}/conta?primeiro=1")
        await page.goto(f"{url}{here}")
        await page.get_by_role("heading", name="Grupos de trabalho", exact=True).wait_for()
        assert await page.get_by_role("link", name="Grupos de trabalho", exact=True).count() == 1
        assert await accessibility_violations(page) == []

        first = f"{axis} · grupo 1"
        for person in ("Ana · Usuários", "Bruno · Usuários"):
            await place(page, person, first)
            await page.get_by_text("está no grupo 1.").first.wait_for()
        section = page.get_by_role("region", name=first, exact=True)
        assert "2 de 2" in await section.inner_text()
        assert "completo" in await section.inner_text()

        await place(page, "Carla · Usuários", first)
        alert = await page.inner_text("main")
        assert "O grupo 1 deste eixo está cheio para Usuários: 2 de 2 vagas ocupadas." in alert
        assert await accessibility_violations(page) == []
        await place(page, "Carla · Usuários", f"{axis} · grupo 2")
        await page.get_by_text("Carla está no grupo 2.").wait_for()
        groups = await fed.local.get(f"/api/v1/assemblies/{aid}/working-groups/", headers=sec)
        names = [[m["public_name"] for m in g["members"]] for g in groups.json()[:2]]
        assert names == [["Ana", "Bruno"], ["Carla"]]
        await screenshot_at_360(page, "desk-working-groups", tmp_path)
