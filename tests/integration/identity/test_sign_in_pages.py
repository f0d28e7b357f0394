"""Signing in with a browser at a tier: one-time codes, passwords, sessions and CSRF.

Each test tries what an attacker would: a code used twice, a form posted from another site, a
session id planted before sign-in, a guessed password, an open redirect, the cookie sent to the
API.
"""

from __future__ import annotations

import pytest

from tests.support.browser import appointed_code, csrf_of, sign_in_with_code, submit
from tests.support.tiers import TierFactory, operator

CONVENER = {
    "name": "Joana Convocadora",
    "email": "joana@sp.example",
    "role": "convener",
    "territory": "SP",
}
PASSWORD = "uma senha comprida o bastante"


async def test_a_code_signs_in_once_and_the_person_sets_a_password(
    tier_factory: TierFactory,
) -> None:
    fed = await tier_factory("regional")
    code = await appointed_code(fed.regional, operator("regional"), **CONVENER)
    async with fed.browser("regional") as browser:
        home = await browser.get("/")
        assert home.status_code == 200 and 'href="/entrar"' in home.text
        assert 'href="/acompanhamento"' not in home.text  # the local tier's page
        entered = await submit(browser, "/entrar", "/entrar/codigo", code=code.lower())
        assert entered.status_code == 303
        assert entered.headers["location"] == "/conta?primeiro=1"
        account = await browser.get("/conta?primeiro=1")
        assert account.status_code == 200
        assert (
            "Joana Convocadora" in account.text and "comissão organizadora estadual" in account.text
        )
        assert account.headers["cache-control"] == "no-store"
        set_password = await browser.post(
            "/conta/senha",
            data={"_csrf_token": csrf_of(account), "password": PASSWORD, "confirmation": PASSWORD},
        )
        assert set_password.status_code == 200 and "Senha definida" in set_password.text
        out = await browser.post("/sair", data={"_csrf_token": csrf_of(set_password)})
        assert out.status_code == 303
        assert (await browser.get("/conta")).headers["location"].startswith("/entrar")

    async with fed.browser("regional") as other:
        again = await submit(other, "/entrar", "/entrar/codigo", code=code)
        assert again.status_code == 401 and "já usado" in again.text
        entered = await submit(
            other, "/entrar", "/entrar/senha", email="JOANA@sp.example", password=PASSWORD
        )
        assert entered.status_code == 303 and entered.headers["location"] == "/conta"
        assert (await other.get("/conta")).status_code == 200


async def test_forms_without_the_csrf_token_are_refused(tier_factory: TierFactory) -> None:
    fed = await tier_factory("regional")
    code = await appointed_code(fed.regional, operator("regional"), **CONVENER)
    async with fed.browser("regional") as browser:
        await browser.get("/entrar")  # the CSRF cookie is set, as in a real visit
        forged = await browser.post("/entrar/codigo", data={"code": code})
        assert forged.status_code == 403
        assert forged.headers["content-type"].startswith("application/problem+json")
        wrong = await browser.post("/entrar/codigo", data={"code": code, "_csrf_token": "x" * 64})
        assert wrong.status_code == 403
        # The code was not spent by the refused posts.
        entered = await submit(browser, "/entrar", "/entrar/codigo", code=code)
        assert entered.status_code == 303
        account = await browser.get("/conta")
        forged_token = await browser.post("/conta/tokens", data={"label": "forjada"})
        assert forged_token.status_code == 403
        issued = await browser.post(
            "/conta/tokens", data={"_csrf_token": csrf_of(account), "label": "planilha"}
        )
        assert issued.status_code == 201 and "planilha" in issued.text


async def test_signing_in_renews_a_planted_session_id(tier_factory: TierFactory) -> None:
    fed = await tier_factory("regional")
    code = await appointed_code(fed.regional, operator("regional"), **CONVENER)
    planted = "a" * 64
    async with fed.browser("regional") as victim:
        victim.cookies.set("plenaria_session", planted)
        entered = await submit(victim, "/entrar", "/entrar/codigo", code=code)
        assert entered.status_code == 303
        issued = [
            c.split(";")[0].split("=", 1)[1]
            for c in entered.headers.get_list("set-cookie")
            if c.startswith("plenaria_session=")
        ]
        assert issued and issued[0] not in (planted, "null")
        assert (await victim.get("/conta")).status_code == 200
    async with fed.browser("regional") as attacker:
        attacker.cookies.set("plenaria_session", planted)
        assert (await attacker.get("/conta")).status_code == 303


async def test_the_session_cookie_does_not_authorise_the_api(tier_factory: TierFactory) -> None:
    fed = await tier_factory("regional")
    code = await appointed_code(fed.regional, operator("regional"), **CONVENER)
    async with fed.browser("regional") as browser:
        await submit(browser, "/entrar", "/entrar/codigo", code=code)
        assert (await browser.get("/conta")).status_code == 200
        me = await browser.get("/api/v1/identity/me")
        assert me.json()["kind"] == "anonymous"
        refused = await browser.post(
            "/api/v1/identity/appointments",
            json={"name": "Outra", "role": "rapporteur", "territory": "SP"},
        )
        assert refused.status_code == 401


async def test_wrong_passwords_lock_the_account_for_a_while(tier_factory: TierFactory) -> None:
    fed = await tier_factory("regional", lockout_after=3, sign_in_attempts_per_minute=100)
    code = await appointed_code(fed.regional, operator("regional"), **CONVENER)
    async with fed.browser("regional") as browser:
        await sign_in_with_code(browser, code, password=PASSWORD)
    async with fed.browser("regional") as guesser:
        for guess in ("senha123456789", "joana2027joana", "convencao-sp-27"):
            wrong = await submit(
                guesser, "/entrar", "/entrar/senha", email=CONVENER["email"], password=guess
            )
            assert wrong.status_code == 401
        # Locked now: even the right password is refused, with the same answer.
        right = await submit(
            guesser, "/entrar", "/entrar/senha", email=CONVENER["email"], password=PASSWORD
        )
        assert right.status_code == 401 and "E-mail ou senha incorretos" in right.text
        unknown = await submit(
            guesser, "/entrar", "/entrar/senha", email="ninguem@sp.example", password=PASSWORD
        )
        assert unknown.status_code == 401 and "E-mail ou senha incorretos" in unknown.text


async def test_sign_in_attempts_are_rate_limited_per_address(tier_factory: TierFactory) -> None:
    fed = await tier_factory("regional", sign_in_attempts_per_minute=3)
    async with fed.browser("regional") as guesser:
        answers = [
            (await submit(guesser, "/entrar", "/entrar/codigo", code=f"AAAAA-BBBB{n}")).status_code
            for n in range(2, 7)
        ]
        # At most three tries (the staff's own code exchange at start counted as one), then
        # every further one is refused.
        first_refused = answers.index(429)
        assert 1 <= first_refused <= 3
        assert set(answers[:first_refused]) == {401} and set(answers[first_refused:]) == {429}
        exchange = await guesser.post(
            "/api/v1/identity/tokens/exchange", json={"code": "AAAAA-BBBBB"}
        )
        assert exchange.status_code == 429
        # Pages that try no secret are not limited.
        assert (await guesser.get("/entrar")).status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/conta", "//evil.example", "/\\evil"])
async def test_sign_in_never_redirects_off_the_site(tier_factory: TierFactory, target: str) -> None:
    fed = await tier_factory("regional")
    code = await appointed_code(fed.regional, operator("regional"), **CONVENER)
    async with fed.browser("regional") as browser:
        await sign_in_with_code(browser, code, password=PASSWORD)
        entered = await submit(
            browser,
            "/entrar",
            "/entrar/senha",
            email=CONVENER["email"],
            password=PASSWORD,
            next=target,
        )
        assert entered.headers["location"] == "/conta"


async def test_secrets_never_reach_the_logs(
    tier_factory: TierFactory, capfd: pytest.CaptureFixture[str]
) -> None:
    fed = await tier_factory("regional")
    code = await appointed_code(fed.regional, operator("regional"), **CONVENER)
    async with fed.browser("regional") as browser:
        account = await sign_in_with_code(browser, code, password=PASSWORD)
        issued = await browser.post(
            "/conta/tokens", data={"_csrf_token": csrf_of(account), "label": "planilha"}
        )
        secret = issued.text.split('id="nova-chave">')[1].split("<")[0]
        await submit(
            browser, "/entrar", "/entrar/senha", email=CONVENER["email"], password="x" * 14
        )
        session = browser.cookies.get("plenaria_session")
    logged = capfd.readouterr()
    everything = logged.out + logged.err
    assert "signed_in" in everything  # the events are there…
    for value in (code, code.replace("-", ""), PASSWORD, "x" * 14, secret, session):
        assert value and value not in everything  # …the secrets are not
