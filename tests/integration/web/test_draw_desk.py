"""The secretary runs the civic lottery from the desk in a real browser: volunteers by name,
the commitment, the pool closed, the secret revealed, the drawn names shown; a participant's
session is sent to the desk's sign-in and changes nothing, and a wrong secret is refused on the
screen (axe-clean, 360 px)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page

from tests.support.assemblies import create, register
from tests.support.browser import appointed_code, csrf_of
from tests.support.lottery import COMMITMENT, LOTTERY_CYCLE, SECRET, load_lottery_cycle
from tests.support.tiers import Federation
from tests.support.web import accessibility_violations, chromium, screenshot_at_360, served


async def press(page: Page, name: str) -> None:
    await page.get_by_role("button", name=name, exact=True).focus()
    async with page.expect_navigation():
        await page.keyboard.press("Enter")


async def test_the_desk_draws_two_users_seats_among_volunteers(
    local_tier: Federation, tmp_path: Path
) -> None:
    fed = local_tier
    await load_lottery_cycle(fed, "local")
    created = await create(fed, cycle_id=LOTTERY_CYCLE)
    aid = created["id"]
    sec = {"Authorization": f"Bearer {created['secretary_token']}"}
    assert (await fed.local.post(f"/api/v1/assemblies/{aid}/open", headers=sec)).status_code == 201
    people = await register(fed.local, aid, sec)
    r = await fed.local.put(f"/api/v1/assemblies/{aid}/allocation", headers=sec, json={"seats": 8})
    assert r.status_code == 200, r.text
    code = await appointed_code(
        fed.local,
        fed.staff["local"],
        name="Secretária do sorteio",
        role="secretary",
        territory="3550308",
        assembly_id=aid,
    )
    here = f"/assembleias/{aid}/sorteio"

    # A participant signed in on their phone is refused the desk's screen and its steps.
    async with fed.browser("local") as phone:
        welcome = await phone.get(f"/participar/{aid}")
        entered = await phone.post(
            f"/participar/{aid}/entrar",
            data={"_csrf_token": csrf_of(welcome), "code": people[0]["badge_code"]},
        )
        assert entered.status_code == 303
        home = await phone.get(f"/participar/{aid}")
        shown = await phone.get(here)
        assert shown.status_code == 303 and shown.headers["location"].startswith("/entrar")
        tried = await phone.post(
            f"{here}/compromisso", data={"_csrf_token": csrf_of(home), "commitment": COMMITMENT}
        )
        assert tried.status_code == 303 and tried.headers["location"].startswith("/entrar")
        untouched = await fed.local.get(f"/api/v1/assemblies/{aid}/lottery")
        assert untouched.json()["commitment_sha256"] is None

    async with served(fed, "local") as url, chromium() as browser:
        page = await browser.new_page(locale="pt-BR")
        await page.goto(f"{url}/entrar")
        await page.get_by_label("Código", exact=True).fill(code)
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{url}/conta?primeiro=1")
        await page.goto(f"{url}{here}")
        await page.get_by_role("heading", name="Sorteio cívico", exact=True).wait_for()
        assert await accessibility_violations(page) == []
        assert await page.get_by_role("link", name="Sorteio", exact=True).count() == 1

        for name in ("Ana", "Bruno", "Carla", "Diego"):
            await page.get_by_label("Inscrever credenciado").select_option(label=name)
            await press(page, "Inscrever")
            await page.get_by_text("Voluntário inscrito como").wait_for()
        table = await page.get_by_role("table").inner_text()
        assert "V001" in table and "Ana" in table and "V004" in table and "Diego" in table
        assert await page.get_by_label("Inscrever credenciado").count() == 0  # the users are in

        await page.get_by_label("SHA-256 do segredo (64 caracteres hexadecimais)").fill(COMMITMENT)
        await press(page, "Publicar compromisso")
        await page.get_by_text(COMMITMENT).wait_for()
        await press(page, "Fechar a lista de voluntários")
        await page.get_by_text("Lista de voluntários fechada e publicada.").first.wait_for()
        assert await accessibility_violations(page) == []

        await page.get_by_label("Segredo", exact=True).fill("um-segredo-que-nao-confere")
        await press(page, "Revelar e sortear")
        assert "does not match the commitment" in await page.inner_text("main")
        await page.get_by_label("Segredo", exact=True).fill(SECRET)
        await press(page, "Revelar e sortear")
        for _ in range(100):
            if "Sorteados:" in await page.inner_text("main"):
                break
            await page.wait_for_timeout(300)
            await page.goto(f"{url}{here}")
        shown = await page.inner_text("main")
        drawn = shown.split("Sorteados:")[1].splitlines()[0]
        assert len(drawn.split(",")) == 2
        assert (("Ana" in drawn) != ("Carla" in drawn)) and (
            ("Bruno" in drawn) != ("Diego" in drawn)
        )
        assert await accessibility_violations(page) == []
        await screenshot_at_360(page, "desk-draw", tmp_path)
