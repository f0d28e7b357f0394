"""The participant's phone at 360 px: a phone card the desk binds (in a second browser), then a
proposal past its similar ones, a support ("2 de 3"), and a vote on the poll open now; a badge's
code read from its QR (in the URL fragment); a revoked card signs the phone out; the badge-code
form is rate-limited. The code is in no page the desk sees and in no log line; axe passes on
every page and after each HTMX swap."""

from __future__ import annotations

import json

from playwright.async_api import Browser, Page
from structlog.testing import capture_logs

from tests.support.api import bearer, get_json
from tests.support.assemblies import create, open_ballot_box, submit
from tests.support.browser import appointed_code, csrf_of
from tests.support.tiers import Federation, TierFactory
from tests.support.web import accessibility_violations, chromium, screenshot, served

PHONE = {"width": 360, "height": 740}
EXISTING = "Ampliar as equipes de saúde da família nas periferias"


async def secretary_page(browser: Browser, url: str, fed: Federation, aid: str) -> Page:
    code = await appointed_code(
        fed.local,
        fed.staff["local"],
        name="Secretária da mesa",
        role="secretary",
        territory="3550308",
        assembly_id=aid,
    )
    page = await (await browser.new_context(locale="pt-BR")).new_page()
    await page.goto(f"{url}/entrar")
    await page.get_by_role("textbox", name="Código", exact=True).fill(code)
    await page.get_by_role("button", name="Entrar com o código").click()
    await page.wait_for_url(f"{url}/conta?primeiro=1")
    return page


async def no_violations(page: Page) -> None:
    assert await accessibility_violations(page) == []


async def test_a_phone_card_is_bound_then_the_phone_proposes_supports_and_votes(
    tier_factory: TierFactory,
) -> None:
    fed = await tier_factory("local")
    created = await create(fed, kind="digital")
    aid, sec = created["id"], bearer(created["secretary_token"])
    registered = await fed.local.post(
        f"/api/v1/assemblies/{aid}/participants/",
        headers=sec,
        json={"public_name": "Ana Júlia", "segment": "users"},
    )
    assert registered.status_code == 201
    first = await submit(
        fed.local,
        aid,
        sec,
        axis="saude-1",
        competence="national",
        title=EXISTING,
        text="Mais equipes de saúde da família nas periferias das cidades grandes",
    )
    assert first.status_code == 201
    seen_by_desk: list[str] = []
    with capture_logs() as logs:
        async with served(fed, "local") as url, chromium() as browser:
            phone = await (await browser.new_context(locale="pt-BR", viewport=PHONE)).new_page()
            await phone.goto(f"{url}/participar/{aid}")
            await no_violations(phone)
            await screenshot(phone, "participar")
            await phone.get_by_role("button", name="Quero minha credencial").click()
            pairing = (await phone.locator(".pareamento").inner_text()).strip()
            assert len(pairing.replace(" ", "")) == 8
            await no_violations(phone)
            await screenshot(phone, "participar-numero")

            desk = await secretary_page(browser, url, fed, aid)
            desk.on("response", lambda r: seen_by_desk.append(r.url))
            await desk.goto(f"{url}/assembleias/{aid}/credenciamento")
            await desk.get_by_label("Buscar pelo nome").fill("ana julia")
            number = desk.get_by_label("Número do cartão de Ana Júlia")
            await number.wait_for()
            await no_violations(desk)
            await number.fill(pairing)
            await desk.get_by_role("button", name="Entregar credencial").click()
            await desk.wait_for_url("**aviso=cartao**")
            desk_html = [await desk.content()]

            # The phone's poll notices the binding; the code is shown there, once.
            ready = phone.get_by_role("heading", name="Pronto: você está credenciado(a).")
            await ready.wait_for(timeout=15_000)
            code = (await phone.locator(".codigo").inner_text()).strip()
            assert len(code) == 19
            await no_violations(phone)
            await phone.get_by_role("link", name="Continuar").click()
            await phone.wait_for_url(f"{url}/participar/{aid}")
            assert code not in await phone.content()
            await no_violations(phone)
            await screenshot(phone, "participar-inicio")

            # A proposal like one already here: the similar ones first, then confirmed.
            await phone.get_by_label("Título").fill("Ampliar equipes de saúde da família")
            await phone.get_by_label("Texto").fill(
                "Ampliar as equipes de saúde da família nas periferias da cidade"
            )
            await phone.get_by_role("button", name="Continuar").click()
            await phone.get_by_role("heading", name="Propostas parecidas").wait_for()
            assert EXISTING in await phone.locator(".parecidas").inner_text()
            await no_violations(phone)
            await screenshot(phone, "participar-parecidas")
            await phone.get_by_role("button", name="Enviar mesmo assim").click()
            await phone.wait_for_url("**aviso=enviada**")
            mine = await get_json(
                fed.local, f"/api/v1/assemblies/{aid}/participants/me", headers=bearer(code)
            )
            assert len(mine["proposals"]) == 1

            # Supports: three per participant in this cycle.
            assert "Você ainda tem 3 de 3 apoios." in await phone.locator("#apoios").inner_text()
            await phone.get_by_role("button", name=f"Apoiar {EXISTING}").click()
            await phone.wait_for_url("**aviso=apoiada**")
            assert "Você ainda tem 2 de 3 apoios." in await phone.locator("#apoios").inner_text()
            await no_violations(phone)

            # The desk opens the ballot box and a decision poll (through the API).
            await open_ballot_box(fed.local, aid, sec)
            voting = await fed.local.post(f"/api/v1/assemblies/{aid}/voting", headers=sec)
            assert voting.status_code == 201
            opened = await fed.local.post(
                f"/api/v1/assemblies/{aid}/polls/",
                headers=sec,
                json={"kind": "decision", "proposal_id": first.json()["id"]},
            )
            assert opened.status_code == 201, opened.text
            poll_id = opened.json()["id"]
            # The phone's HTMX poll shows it without a reload.
            await phone.get_by_role("heading", name="Votação aberta").wait_for(timeout=15_000)
            await no_violations(phone)
            await phone.get_by_label("Sim").check()
            await screenshot(phone, "participar-votacao")
            await phone.get_by_role("button", name="Votar").click()
            await phone.wait_for_url("**aviso=votou**")
            status = await phone.get_by_role("status").inner_text()
            assert "Seu voto foi registrado." in status
            assert "aviso=votou" in phone.url and "yes" not in phone.url
            turnout = phone.get_by_label("Comparecimento: 1 de 1 votaram")
            assert await turnout.get_attribute("value") == "1"
            await no_violations(phone)
            assert "Você já votou nesta votação." in await phone.content()
            assert await phone.get_by_role("button", name="Votar").count() == 0
            closed = await fed.local.post(
                f"/api/v1/assemblies/{aid}/polls/{poll_id}/close", headers=sec
            )
            assert closed.status_code == 201, closed.text
            assert closed.json()["ballots"] == 1

            # A participant's session reaches no desk page.
            refused = await phone.goto(f"{url}/assembleias/{aid}/credenciamento")
            assert refused is not None and refused.status == 403
            await desk.reload()
            desk_html.append(await desk.content())
    assert all(code not in html for html in desk_html)
    assert all(code not in u and code.replace("-", "") not in u for u in seen_by_desk)
    logged = json.dumps(logs, default=str)
    assert code not in logged and code.replace("-", "") not in logged
    assert "participant.signed_in" in logged  # the capture did see the pages' events
    # The choice was sealed, not logged.
    assert not any(e.get("choice") for e in logs)


async def test_a_printed_badge_signs_in_from_its_qr_and_a_revoked_one_signs_out(
    tier_factory: TierFactory,
) -> None:
    fed = await tier_factory("local", sign_in_attempts_per_minute=5)
    created = await create(fed)
    aid, sec = created["id"], bearer(created["secretary_token"])
    printed = await fed.local.post(
        f"/api/v1/assemblies/{aid}/voting-cards/printed",
        headers=fed.staff["local"],
        json={"count": 1},
    )
    [badge] = printed.json()
    person = await fed.local.post(
        f"/api/v1/assemblies/{aid}/participants/",
        headers=sec,
        json={"public_name": "Bruno", "segment": "workers"},
    )
    pid = person.json()["id"]
    bound = await fed.local.post(
        f"/api/v1/assemblies/{aid}/participants/{pid}/card",
        headers=sec,
        json={"pairing": badge["pairing"]},
    )
    assert bound.status_code == 201
    with capture_logs() as logs:
        async with served(fed, "local") as url, chromium() as browser:
            phone = await (await browser.new_context(locale="pt-BR", viewport=PHONE)).new_page()
            # What the badge's QR opens: the code in the fragment, never sent to the server.
            requested: list[str] = []
            phone.on("request", lambda r: requested.append(r.url))
            await phone.goto(f"{url}/participar/{aid}#codigo={badge['code']}")
            field = phone.get_by_label("Código de dentro do crachá")
            assert await field.input_value() == badge["code"]
            assert "#" not in phone.url  # the fragment is wiped from the address bar
            await no_violations(phone)
            await phone.get_by_role("button", name="Entrar com o crachá").click()
            await phone.wait_for_url(f"{url}/participar/{aid}")
            assert "Olá, Bruno." in await phone.content()
            assert all(badge["code"] not in u for u in requested)

            # Lost: the desk revokes it, and the phone is signed out at its next page.
            revoked = await fed.local.post(
                f"/api/v1/assemblies/{aid}/participants/{pid}/revoke", headers=sec
            )
            assert revoked.status_code == 201
            await phone.reload()
            await phone.get_by_role("button", name="Quero minha credencial").wait_for()
            # The revoked code no longer signs in; the refusal says what to do.
            await phone.get_by_label("Código de dentro do crachá").fill(badge["code"])
            await phone.get_by_role("button", name="Entrar com o crachá").click()
            assert "Código desconhecido" in await phone.get_by_role("alert").inner_text()
            await no_violations(phone)
    assert badge["code"] not in json.dumps(logs, default=str)

    # Guessing badge codes is slow: the sign-in limit applies per address.
    async with fed.browser("local") as guesser:
        welcome = await guesser.get(f"/participar/{aid}")
        answers = [
            (
                await guesser.post(
                    f"/participar/{aid}/entrar",
                    data={"_csrf_token": csrf_of(welcome), "code": f"AAAA-BBBB-CCCC-DDD{n}"},
                )
            ).status_code
            for n in range(2, 9)
        ]
    assert 401 in answers and answers[-1] == 429, answers
