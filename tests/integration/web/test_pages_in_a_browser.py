"""The sign-in pages in a real browser (Debian's Chromium through Playwright): a person signs in
with the code they were handed, sets a password, switches the language; every page passes
axe-core's WCAG 2.1 AA rules, in both languages, and works from the keyboard."""

from __future__ import annotations

from tests.support.browser import appointed_code
from tests.support.tiers import TierFactory, operator
from tests.support.web import accessibility_violations, chromium, served

CONVENER = {"name": "Joana Convocadora", "role": "convener", "territory": "SP"}


async def test_signing_in_with_a_code_in_a_browser(tier_factory: TierFactory) -> None:
    fed = await tier_factory("regional")
    code = await appointed_code(fed.regional, operator("regional"), **CONVENER)
    async with served(fed, "regional") as url, chromium() as browser:
        page = await browser.new_page(locale="pt-BR")
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        await page.goto(f"{url}/")
        await page.wait_for_function("window.htmx !== undefined")
        assert await page.get_attribute("html", "lang") == "pt-BR"
        assert await accessibility_violations(page) == []
        await page.get_by_role("link", name="Entrar (equipes, comissões e conselhos)").click()
        await page.wait_for_url(f"{url}/entrar")
        assert await accessibility_violations(page) == []

        # From the keyboard: the skip link first, then into the code field.
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.textContent") == "Ir para o conteúdo"
        await page.get_by_role("textbox", name="Código", exact=True).fill(code)
        await page.get_by_role("button", name="Entrar com o código").click()
        await page.wait_for_url(f"{url}/conta?primeiro=1")
        assert "Joana Convocadora" in await page.inner_text("main")
        assert await accessibility_violations(page) == []

        await page.get_by_label("Nova senha (ao menos 12 caracteres)").fill(
            "uma senha comprida demais"
        )
        await page.get_by_label("Repita a nova senha").fill("uma senha comprida demais")
        await page.get_by_role("button", name="Definir senha").click()
        await page.get_by_text("Senha definida.").wait_for()

        await page.get_by_role("link", name="English").click()
        await page.get_by_role("heading", name="Your account").wait_for()
        assert await page.get_attribute("html", "lang") == "en"
        assert await accessibility_violations(page) == []
        # The choice sticks across pages (cookie).
        await page.goto(f"{url}/")
        assert await page.get_by_role("link", name="Your account and your roles").count() == 1
        await page.get_by_role("button", name="Sign out").click()
        await page.wait_for_url(f"{url}/entrar")
        assert await accessibility_violations(page) == []
    # Nothing the pages load comes from off the machine (venues go offline).
    assert requested and all(r.startswith(url) for r in requested), requested


async def test_a_wrong_code_is_announced(tier_factory: TierFactory) -> None:
    fed = await tier_factory("regional")
    async with served(fed, "regional") as url, chromium() as browser:
        page = await browser.new_page(locale="en-US")
        await page.goto(f"{url}/entrar")
        assert await page.get_attribute("html", "lang") == "en"  # from Accept-Language
        await page.get_by_role("textbox", name="Code", exact=True).fill("AAAAA-BBBBB")
        await page.get_by_role("button", name="Sign in with the code").click()
        alert = page.get_by_role("alert")
        await alert.wait_for()
        assert "Unknown, used or expired code" in await alert.inner_text()
        assert await accessibility_violations(page) == []
