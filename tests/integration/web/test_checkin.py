"""Credenciamento at the door, and the badges sheet: the secretary finds people by name (accents
and case do not matter), registers, hands voting cards over by pairing number, checks people in
without a card, revokes a lost one; every such form takes effect once however often it is sent,
and the door keeps working with the network cut (the offline outbox), syncing once when it
comes back. A participant's session reaches none of it."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from shared.platform.web.receipts import KEY_FIELD
from tests.support.api import bearer, get_json
from tests.support.assemblies import create
from tests.support.browser import appointed_code, csrf_of, sign_in_with_code
from tests.support.tiers import Federation, TierFactory, operator
from tests.support.web import accessibility_violations, chromium, screenshot, served

KEY_INPUT = f'name="{KEY_FIELD}" value="'


def key_of(html: str) -> str:
    start = html.index(KEY_INPUT) + len(KEY_INPUT)
    return html[start : html.index('"', start)]


async def door(fed: Federation) -> tuple[str, dict[str, str], str]:
    """An assembly with its API secretary (headers) and a browser secretary's sign-in code."""
    created = await create(fed)
    aid = created["id"]
    code = await appointed_code(
        fed.local,
        fed.staff["local"],
        name="Secretária da porta",
        role="secretary",
        territory="3550308",
        assembly_id=aid,
    )
    return aid, bearer(created["secretary_token"]), code


async def people(fed: Federation, aid: str, sec: dict[str, str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await get_json(
        fed.local, f"/api/v1/assemblies/{aid}/participants/", headers=sec
    )
    return rows


async def test_the_door_registers_checks_in_and_revokes_once_per_form(
    tier_factory: TierFactory,
) -> None:
    fed = await tier_factory("local")
    aid, sec, code = await door(fed)
    base = f"/assembleias/{aid}/credenciamento"
    async with fed.browser("local") as secretary:
        await sign_in_with_code(secretary, code)
        page = await secretary.get(base)
        assert page.status_code == 200
        form = {"_csrf_token": csrf_of(page), KEY_FIELD: key_of(page.text)}
        fields = {**form, "public_name": "João Araújo", "segment": "users"}
        first = await secretary.post(f"{base}/inscrever", data=fields)
        again = await secretary.post(f"{base}/inscrever", data=fields)  # the outbox resending
        assert first.status_code == again.status_code == 303
        assert first.headers["location"] == again.headers["location"]
        assert [p["public_name"] for p in await people(fed, aid, sec)] == ["João Araújo"]
        # A form without its key, or with another form's key, does nothing.
        keyless = await secretary.post(f"{base}/inscrever", data={**fields, KEY_FIELD: ""})
        assert keyless.status_code == 422
        [joao] = await people(fed, aid, sec)
        stolen = await secretary.post(f"{base}/{joao['id']}/presenca", data=form)
        assert stolen.status_code == 409
        assert len(await people(fed, aid, sec)) == 1 and not joao["credentialed"]

        # Found whatever the accents and case; without JavaScript the search is a GET form.
        found = await secretary.get(base, params={"q": "JOAO araujo"})
        assert "João Araújo" in found.text and f"{base}/{joao['id']}/cartao" in found.text
        assert "Ninguém com esse nome" in (await secretary.get(base, params={"q": "Zé"})).text

        # A card from a phone, bound by its pairing number (the desk never sees its code).
        phone = (await fed.local.post(f"/api/v1/assemblies/{aid}/voting-cards/device")).json()
        page = await secretary.get(base, params={"q": "joao"})
        bind = {"_csrf_token": csrf_of(page), KEY_FIELD: key_of(page.text)}
        bound = await secretary.post(
            f"{base}/{joao['id']}/cartao", data={**bind, "pairing": phone["pairing"]}
        )
        assert bound.status_code == 303 and bound.headers["location"].endswith("aviso=cartao")
        resent = await secretary.post(
            f"{base}/{joao['id']}/cartao", data={**bind, "pairing": phone["pairing"]}
        )
        assert resent.status_code == 303  # the same answer, not "already handed out"
        shown = await secretary.get(bound.headers["location"])
        assert phone["code"] not in shown.text
        assert "1 de 1 inscritos credenciados" in shown.text
        me = await fed.local.get(
            f"/api/v1/assemblies/{aid}/participants/me", headers=bearer(phone["code"])
        )
        assert me.status_code == 200

        # A wrong pairing number is refused on a page that says why (and releases its key).
        page = await secretary.get(base, params={"q": "joao"})
        wrong = {"_csrf_token": csrf_of(page), KEY_FIELD: key_of(page.text), "pairing": "0000 0000"}
        refused = await secretary.post(f"{base}/{joao['id']}/cartao", data=wrong)
        assert refused.status_code == 404 and "no voting card" in refused.text

        # The card is lost: revoked, it stops working at once.
        page = await secretary.get(base, params={"q": "joao"})
        revoke = {"_csrf_token": csrf_of(page), KEY_FIELD: key_of(page.text)}
        revoked = await secretary.post(f"{base}/{joao['id']}/revogar", data=revoke)
        assert revoked.status_code == 303
        me = await fed.local.get(
            f"/api/v1/assemblies/{aid}/participants/me", headers=bearer(phone["code"])
        )
        assert me.status_code == 401

        # Someone without a phone or badge is checked in to vote on paper.
        page = await secretary.get(base)
        await secretary.post(
            f"{base}/inscrever",
            data={
                "_csrf_token": csrf_of(page),
                KEY_FIELD: key_of(page.text),
                "public_name": "Maria",
                "segment": "workers",
            },
        )
        maria = next(p for p in await people(fed, aid, sec) if p["public_name"] == "Maria")
        page = await secretary.get(base, params={"q": "maria"})
        paper = {"_csrf_token": csrf_of(page), KEY_FIELD: key_of(page.text)}
        assert (
            await secretary.post(f"{base}/{maria['id']}/presenca", data=paper)
        ).status_code == 303
        maria = next(p for p in await people(fed, aid, sec) if p["public_name"] == "Maria")
        assert maria["credentialed"]
        # A guest is registered with voice only.
        page = await secretary.get(base)
        await secretary.post(
            f"{base}/inscrever",
            data={
                "_csrf_token": csrf_of(page),
                KEY_FIELD: key_of(page.text),
                "public_name": "Convidado",
                "segment": "workers",
                "voice_only": "1",
            },
        )
        guest = next(p for p in await people(fed, aid, sec) if p["public_name"] == "Convidado")
        assert guest["voice_only"]
        assert "só voz" in (await secretary.get(base, params={"q": "convidado"})).text
        counts = await secretary.get(f"{base}/contagem")
        assert "Trabalhadores da saúde: 1 / 2" in counts.text


async def test_a_participant_or_a_stranger_reaches_no_desk_page(tier_factory: TierFactory) -> None:
    fed = await tier_factory("local")
    aid, sec, _ = await door(fed)
    registered = await fed.local.post(
        f"/api/v1/assemblies/{aid}/participants/",
        headers=sec,
        json={"public_name": "Ana", "segment": "users"},
    )
    ana = registered.json()
    phone = (await fed.local.post(f"/api/v1/assemblies/{aid}/voting-cards/device")).json()
    await fed.local.post(
        f"/api/v1/assemblies/{aid}/participants/{ana['id']}/card",
        headers=sec,
        json={"pairing": phone["pairing"]},
    )
    async with fed.browser("local") as browser:
        welcome = await browser.get(f"/participar/{aid}")
        entered = await browser.post(
            f"/participar/{aid}/entrar",
            data={"_csrf_token": csrf_of(welcome), "code": phone["code"].lower()},
        )
        assert entered.status_code == 303
        home = await browser.get(f"/participar/{aid}")
        assert "Olá, Ana." in home.text
        desk_pages = [
            f"/assembleias/{aid}/credenciamento",
            f"/assembleias/{aid}/credenciamento/busca?q=ana",
            f"/assembleias/{aid}/credenciamento/contagem",
            f"/assembleias/{aid}/crachas",
        ]
        for path in desk_pages:
            assert (await browser.get(path)).status_code == 403, path
        tried = await browser.post(
            f"/assembleias/{aid}/credenciamento/{ana['id']}/revogar",
            data={"_csrf_token": csrf_of(home), KEY_FIELD: key_of(home.text)},
        )
        assert tried.status_code == 403
        printed = await browser.post(
            f"/assembleias/{aid}/crachas", data={"_csrf_token": csrf_of(home), "count": "2"}
        )
        assert printed.status_code == 403
        assert (
            await get_json(
                fed.local,
                f"/api/v1/assemblies/{aid}/participants/me",
                headers=bearer(phone["code"]),
            )
        )["participant"]["credentialed"]
    async with fed.browser("local") as stranger:
        to_sign_in = await stranger.get(f"/assembleias/{aid}/credenciamento")
        assert to_sign_in.status_code == 303
        assert to_sign_in.headers["location"].startswith("/entrar?next_path=")
        # The secretary who hands badges out cannot print them.
        await sign_in_with_code(
            stranger,
            await appointed_code(
                fed.local,
                fed.staff["local"],
                name="Outra secretária",
                role="secretary",
                territory="3550308",
                assembly_id=aid,
            ),
        )
        assert (await stranger.get(f"/assembleias/{aid}/crachas")).status_code == 403


async def test_the_badges_sheet_has_each_code_and_qr_inside_the_fold(
    tier_factory: TierFactory,
) -> None:
    fed = await tier_factory("local")
    aid, _, _ = await door(fed)
    code = await appointed_code(
        fed.local, operator("local"), name="Organizadora", role="organiser", territory="SP"
    )
    async with fed.browser("local") as organiser:
        await sign_in_with_code(organiser, code)
        form = await organiser.get(f"/assembleias/{aid}/crachas")
        assert form.status_code == 200
        sheet = await organiser.post(
            f"/assembleias/{aid}/crachas", data={"_csrf_token": csrf_of(form), "count": "3"}
        )
        assert sheet.status_code == 201 and sheet.headers["cache-control"] == "no-store"
        assert sheet.text.count('class="cracha"') == 3
        assert sheet.text.count('<svg role="img"') == 3
        assert "@page" not in sheet.text  # print CSS lives in the stylesheet
        too_many = await organiser.post(
            f"/assembleias/{aid}/crachas", data={"_csrf_token": csrf_of(form), "count": "5000"}
        )
        assert too_many.status_code == 422


async def _status(page: Page) -> str:
    return await page.locator("[data-outbox-status]").inner_text()


async def test_check_in_continues_offline_and_syncs_once(tier_factory: TierFactory) -> None:
    fed = await tier_factory("local")
    aid, sec, code = await door(fed)
    async with served(fed, "local") as url, chromium() as browser:
        context = await browser.new_context(locale="pt-BR", viewport={"width": 360, "height": 800})
        page = await context.new_page()
        await page.goto(f"{url}/entrar")
        await page.get_by_role("textbox", name="Código", exact=True).fill(code)
        await page.get_by_role("button", name="Entrar com o código").click()
        await page.wait_for_url(f"{url}/conta?primeiro=1")
        await page.goto(f"{url}/assembleias/{aid}/credenciamento")
        await page.locator("[data-outbox-status]", has_text="Conectado").wait_for()
        assert await accessibility_violations(page) == []
        await screenshot(page, "credenciamento")

        # Online: registered at once, and found as you type (an HTMX swap).
        await page.get_by_label("Nome", exact=True).fill("Cecília Prado")
        await page.get_by_role("button", name="Inscrever").click()
        await page.wait_for_url("**aviso=inscrito**")
        await page.get_by_label("Buscar pelo nome").fill("cecilia")
        await page.get_by_label("Número do cartão de Cecília Prado").wait_for()
        assert await accessibility_violations(page) == []

        await context.set_offline(True)
        for name in ("Offline Um", "Offline Dois"):
            await page.get_by_label("Nome", exact=True).fill(name)
            await page.get_by_role("button", name="Inscrever").click()
            await page.wait_for_function(
                "n => document.querySelector('[data-outbox-status]').dataset.waiting === n",
                arg=str(["Offline Um", "Offline Dois"].index(name) + 1),
            )
        assert "Sem conexão" in await _status(page)
        assert "2 formulário(s) guardado(s)" in await _status(page)
        assert await accessibility_violations(page) == []
        await screenshot(page, "credenciamento-sem-conexao")
        names = [p["public_name"] for p in await people(fed, aid, sec)]
        assert names == ["Cecília Prado"]

        await context.set_offline(False)
        await page.wait_for_function(
            "document.querySelector('[data-outbox-status]').dataset.waiting === '0'"
        )
        assert "2 formulário(s) enviado(s)" in await _status(page)
        # Sending now again, or a reload replaying the queue, adds nobody.
        await page.reload()
        await page.locator("[data-outbox-status]", has_text="Conectado").wait_for()
        names = sorted(p["public_name"] for p in await people(fed, aid, sec))
        assert names == ["Cecília Prado", "Offline Dois", "Offline Um"]
        await context.close()
