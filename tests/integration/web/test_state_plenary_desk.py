"""The state plenary in a real browser: the desk credentials delegates from the mandates the
reports carried, holds the key ceremony and opens an electronic decision; a delegate binds
their own 360 px phone with the claim code handed at their election and votes; the projector
follows the turnout; the desk closes the poll and the result is shown in words. The same claim
code on a second phone is refused, a delegate's phone is not the desk, and a convener of
another state is refused. Every page passes axe-core."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from playwright.async_api import Page

from shared.core.cycle import preset_text
from shared.tools.simulation.workbench import sign_in as workbench_sign_in
from tests.support.api import get_json
from tests.support.browser import appointed_code
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly, claim_code, mandates
from tests.support.state_plenary import BASE, TEXTS, seats_from_the_nation
from tests.support.tiers import Federation, TierFactory, operator
from tests.support.web import accessibility_violations, chromium, screenshot_at_360, served

TELAO = "/estado/BA/plenaria/telao"


async def reported(fed: Federation) -> list[dict[str, object]]:
    await seats_from_the_nation(fed)
    for n, town in enumerate(("2927408", "2910800")):
        assembly = FakeAssembly(fed, town, "BA")
        await assembly.introduce()
        await assembly.send(assembly.report(TEXTS[n::2], mandates=mandates(f"BA{n}")))
    items: list[dict[str, object]] = await eventually(
        lambda: get_json(fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="BA"),
        done=lambda rows: len(rows) == 3,
    )
    return items


async def sign_in(page: Page, url: str, code: str, target: str) -> None:
    await page.goto(f"{url}{target}")
    await page.get_by_role("textbox", name="Código", exact=True).fill(code)
    await page.get_by_role("button", name="Entrar com o código").click()
    await page.wait_for_url(f"{url}/conta?primeiro=1")


async def credential(page: Page, mandate_id: str) -> None:
    await page.get_by_label("Mandato recebido").select_option(mandate_id)
    await page.get_by_label("Documento conferido na mesa").fill(f"RG {mandate_id}")
    await page.get_by_role("button", name="Credenciar").focus()
    await page.keyboard.press("Enter")
    await page.get_by_role("status").get_by_text("credenciado(a)").wait_for()


async def test_a_state_plenary_from_credentials_to_a_delegates_vote_on_their_phone(
    tier_factory: TierFactory, tmp_path: Path
) -> None:
    fed = await tier_factory("regional")
    items = await reported(fed)
    code = await appointed_code(
        fed.regional, operator("regional"), name="Rita da Mesa", role="convener", territory="BA"
    )
    async with served(fed, "regional") as url, chromium() as browser:
        desk = await browser.new_page(locale="pt-BR")
        await sign_in(desk, url, code, "/estado/BA/plenaria")
        await desk.goto(f"{url}/estado/BA/plenaria")
        assert await accessibility_violations(desk) == []
        for mandate_id in ("BA0-u1", "BA1-u1"):
            await credential(desk, mandate_id)
        credentialed = await get_json(
            fed.regional, "/api/v1/plenary/credentials", cycle_id=CYCLE, uf="BA"
        )
        assert sorted(c["mandate_id"] for c in credentialed) == ["BA0-u1", "BA1-u1"]
        assert "RG BA0-u1" not in await desk.content(), "the holder's document is not shown"

        await desk.get_by_role("button", name="Abrir a urna (cerimônia da chave)").click()
        shares = desk.locator(".segredo-cerimonia li")
        await shares.first.wait_for()
        assert await shares.count() == 3
        assert await accessibility_violations(desk) == []
        await desk.goto(f"{url}/estado/BA/plenaria")
        assert await desk.locator(".segredo-cerimonia").count() == 0, "shares are shown once"

        first = str(items[0]["id"])
        await desk.get_by_label("Item (para uma decisão)").select_option(first)
        await desk.get_by_label("Voto eletrônico (urna lacrada)").check()
        await desk.get_by_label("Título no telão (opcional)").fill("Leitos de UTI")
        await desk.get_by_role("button", name="Abrir votação").click()
        await desk.get_by_role("status").get_by_text("Votação aberta: Leitos de UTI").wait_for()
        assert "Votos até agora: 0 de 2 credenciados" in await desk.inner_text("main")
        assert await accessibility_violations(desk) == []
        await screenshot_at_360(desk, "plenaria-estadual-mesa", tmp_path)

        # The delegate's own phone: the claim code binds it, then Sim.
        phone = await browser.new_page(locale="pt-BR", viewport={"width": 360, "height": 800})
        await phone.goto(f"{url}/estado/BA/delegado")
        assert await accessibility_violations(phone) == []
        await phone.get_by_label("Código do mandato").fill("BA0-u1")
        await phone.get_by_label("Código de acesso").fill(claim_code("BA0-u1"))
        await phone.get_by_role("button", name="Entrar", exact=True).click()
        await phone.get_by_role("heading", name="Leitos de UTI").wait_for()
        assert "BA0 Ana" in await phone.inner_text("main")
        assert await accessibility_violations(phone) == []
        await phone.get_by_label("Sim").check()
        await phone.get_by_role("button", name="Votar").click()
        await phone.get_by_role("heading", name="Seu voto foi registrado.").wait_for()
        assert await accessibility_violations(phone) == []
        await screenshot_at_360(phone, "plenaria-estadual-celular", tmp_path)

        # The phone is a delegate's, not the desk: the desk sends it to sign in as a person.
        await phone.goto(f"{url}/estado/BA/plenaria")
        assert "/entrar" in phone.url

        # The same claim code on another phone is refused.
        other = await browser.new_page(locale="pt-BR", viewport={"width": 360, "height": 800})
        await other.goto(f"{url}/estado/BA/delegado")
        await other.get_by_label("Código do mandato").fill("BA0-u1")
        await other.get_by_label("Código de acesso").fill(claim_code("BA0-u1"))
        await other.get_by_role("button", name="Entrar", exact=True).click()
        alert = other.get_by_role("alert")
        await alert.wait_for()
        assert "already bound to a device" in await alert.inner_text()

        # The projector follows the turnout.
        screen = await browser.new_page(locale="pt-BR")
        await screen.goto(f"{url}/estado/BA/plenaria/telao")
        assert "Votaram 1 de 2" in await screen.inner_text("#quadro")
        assert await accessibility_violations(screen) == []
        await screenshot_at_360(screen, "plenaria-estadual-telao", tmp_path)

        await desk.goto(f"{url}/estado/BA/plenaria")
        await desk.get_by_role("button", name="Encerrar a votação Leitos de UTI").click()
        await desk.get_by_role("status").get_by_text("Votação encerrada").wait_for()
        results = await desk.inner_text("section[aria-labelledby=h-resultados]")
        assert "1 sim, 0 não" in results, results
        assert await accessibility_violations(desk) == []
        await screen.reload()
        assert "1 sim, 0 não" in await screen.inner_text("#quadro")

        # A convener of another state reaches nothing here.
        stranger = await appointed_code(
            fed.regional, operator("regional"), name="Outro Estado", role="convener", territory="SE"
        )
        away = await browser.new_page(locale="pt-BR")
        await sign_in(away, url, stranger, "/estado/BA/plenaria")
        refused = await away.goto(f"{url}/estado/BA/plenaria")
        assert refused is not None and refused.status == 403
        assert await away.locator("#c-mandate").count() == 0


EX_OFFICIO = """
[seats.state]

[[seats.state.ex_officio]]
id = "ces"
title_pt = "Conselheiros estaduais natos"
seats = 1
segment = "users"
"""


async def register(desk: Page, category: str, name: str, document: str) -> None:
    await desk.get_by_label(category).check()
    await desk.get_by_label("Nome público").fill(name)
    await desk.get_by_label("Documento do membro conferido na mesa").fill(document)
    await desk.get_by_role("button", name="Registrar membro").focus()
    await desk.keyboard.press("Enter")


async def test_the_desk_registers_ex_officio_members_and_guests_and_ends_a_registration(
    tier_factory: TierFactory,
) -> None:
    """An ex officio member (within their entry's one seat) is registered and handed their
    codes once, and votes from their own phone; a guest has voice only; the same document
    twice is refused on the desk; ending a registration frees the seat."""
    fed = await tier_factory("regional")
    loaded = await fed.regional.post(
        "/api/v1/cycles/",
        headers=operator("regional"),
        json={"rules_toml": preset_text("health") + EX_OFFICIO},
    )
    assert loaded.status_code == 201, loaded.text
    await reported(fed)
    code = await appointed_code(
        fed.regional, operator("regional"), name="Rita da Mesa", role="convener", territory="BA"
    )
    async with served(fed, "regional") as url, chromium() as browser:
        desk = await browser.new_page(locale="pt-BR")
        await sign_in(desk, url, code, "/estado/BA/plenaria")
        await desk.goto(f"{url}/estado/BA/plenaria")
        entry = desk.get_by_label("Vaga de membro nato (para um membro nato)")
        assert "0 de 1 vagas ocupadas" in await entry.inner_text()
        await register(desk, "Membro nato (vota)", "Carla Conselheira", "RG 111")
        handed = desk.locator("section[aria-labelledby=h-membros] .segredo-cerimonia")
        await handed.wait_for()
        member_id, claim = await handed.locator("strong.segredo").all_inner_texts()
        assert "Carla Conselheira registrado(a)." in await desk.get_by_role("status").inner_text()
        assert await accessibility_violations(desk) == []

        await desk.goto(f"{url}/estado/BA/plenaria")
        assert await desk.locator(".segredo-cerimonia").count() == 0, "the codes are shown once"
        assert "RG 111" not in await desk.content(), "the document is not shown"
        assert await desk.locator("#m-entry option[value=ces][disabled]").count() == 1
        await register(desk, "Convidado(a) (só voz)", "Pedro Convidado", "RG 222")
        await desk.locator(".segredo-cerimonia").wait_for()
        counts = await desk.inner_text("section[aria-labelledby=h-membros] > p")
        assert "1 membros natos · 1 convidados · 0 observadores" in counts, counts

        # The same person twice is refused on the desk, in words, with nothing registered.
        await desk.goto(f"{url}/estado/BA/plenaria")
        await register(desk, "Observador(a) (só voz)", "Pedro de Novo", "RG 222")
        alert = desk.get_by_role("alert")
        await alert.wait_for()
        assert "Não foi possível" in await alert.inner_text()
        assert await accessibility_violations(desk) == []
        listed = await get_json(fed.regional, "/api/v1/plenary/members", cycle_id=CYCLE, uf="BA")
        assert listed["counts"] == {
            "delegates": 0, "ex_officio": 1, "guests": 1, "observers": 0, "voters": 1
        }  # fmt: skip

        # The member's own phone: their codes bind it; they vote, the guest's phone does not.
        await desk.goto(f"{url}/estado/BA/plenaria")
        await desk.get_by_role("button", name="Abrir a urna (cerimônia da chave)").click()
        await desk.locator(".segredo-cerimonia li").first.wait_for()
        await desk.goto(f"{url}/estado/BA/plenaria")
        await desk.get_by_label("Voto eletrônico (urna lacrada)").check()
        await desk.get_by_label("Título no telão (opcional)").fill("Leitos de UTI")
        phone = await browser.new_page(locale="pt-BR", viewport={"width": 360, "height": 800})
        await phone.goto(f"{url}/estado/BA/delegado")
        await phone.get_by_label("Código do mandato").fill(member_id)
        await phone.get_by_label("Código de acesso").fill(claim)
        await phone.get_by_role("button", name="Entrar", exact=True).click()
        await phone.get_by_text("Carla Conselheira · Membro nato (vota)").wait_for()
        assert await phone.get_by_role("button", name="Candidatar-me").count() == 0
        # the poll opened now appears on the phone by itself
        await desk.get_by_role("button", name="Abrir votação").click()
        await desk.get_by_role("status").get_by_text("Votação aberta: Leitos de UTI").wait_for()
        await phone.get_by_role("heading", name="Leitos de UTI").wait_for(timeout=20_000)
        assert await accessibility_violations(phone) == []
        await phone.get_by_label("Sim").check()
        await phone.get_by_role("button", name="Votar").click()
        await phone.get_by_role("heading", name="Seu voto foi registrado.").wait_for()

        # Ending the registration frees the seat.
        await desk.goto(f"{url}/estado/BA/plenaria")
        await desk.get_by_role("button", name="Encerrar o registro Carla Conselheira").click()
        await (
            desk.get_by_role("status")
            .get_by_text("Registro de Carla Conselheira encerrado.")
            .wait_for()
        )
        assert (
            "0 de 1 vagas ocupadas"
            in await desk.get_by_label("Vaga de membro nato (para um membro nato)").inner_text()
        )
        assert await accessibility_violations(desk) == []
    after = await get_json(fed.regional, "/api/v1/plenary/members", cycle_id=CYCLE, uf="BA")
    assert [m["public_name"] for m in after["ex_officio"]] == []
    assert [m["public_name"] for m in after["guests"]] == ["Pedro Convidado"]


async def test_a_fresh_tier_says_what_opens_its_pages(tier_factory: TierFactory) -> None:
    """No cycle loaded and no report yet: the desk, the projector, the phone and the workbench
    explain it (404) instead of failing on an empty cycle id."""
    fed = await tier_factory("regional")
    async with fed.browser("regional") as client:
        await workbench_sign_in(client, operator("regional"), uf="BA")
        for path in (
            "/estado/BA/plenaria",
            "/estado/BA/plenaria/telao",
            "/estado/BA/delegado",
            "/estado/BA/sistematizacao",
            "/estado/BA/priorizacao",
            "/estado/BA/recebimento",
            "/estado/BA/vagas",
        ):
            answer = await client.get(path)
            assert answer.status_code == 404, (path, answer.status_code)
            assert "Este nível ainda não tem ciclo" in answer.text, path
            assert "/api/v1/cycles/announce" in answer.text, path


async def test_the_desk_votes_a_bloc_leaving_a_destaque_and_another_person_confirms(
    tier_factory: TierFactory,
) -> None:
    fed = await tier_factory("regional")
    items = await reported(fed)
    code = await appointed_code(
        fed.regional, operator("regional"), name="Rita da Mesa", role="convener", territory="BA"
    )
    second = await appointed_code(
        fed.regional, operator("regional"), name="Caio da Mesa", role="commission", territory="BA"
    )
    destaque = str(items[2]["id"])
    async with served(fed, "regional") as url, chromium() as browser:
        desk = await browser.new_page(locale="pt-BR")
        await sign_in(desk, url, code, "/estado/BA/plenaria")
        await desk.goto(f"{url}/estado/BA/plenaria")
        for mandate_id in ("BA0-u1", "BA1-u1"):
            await credential(desk, mandate_id)
        bloc = desk.locator("form[aria-labelledby=h-bloco]")
        assert await bloc.get_by_role("checkbox").count() == 3
        await bloc.locator(f"input[value='{destaque}']").uncheck()
        await bloc.get_by_label("Sim").fill("2")
        await bloc.get_by_role("button", name="Registrar a votação em bloco").focus()
        await desk.keyboard.press("Enter")
        await desk.get_by_role("status").get_by_text("Bloco registrado: 2 itens").wait_for()
        waiting = desk.locator("section[aria-labelledby=h-conferir]")
        assert await waiting.get_by_role("checkbox").count() == 2
        # the destaque is still there to be put to a vote of its own
        options = await desk.get_by_label("Item (para uma decisão)").locator("option").all()
        assert [await o.get_attribute("value") for o in options] == [destaque]
        assert await accessibility_violations(desk) == []

        other = await browser.new_page(locale="pt-BR")
        await sign_in(other, url, second, "/estado/BA/plenaria")
        await other.goto(f"{url}/estado/BA/plenaria")
        await other.get_by_role("button", name="Conferir e encerrar").click()
        await other.get_by_role("status").wait_for()
        results = await other.inner_text("section[aria-labelledby=h-resultados]")
        assert results.count("2 sim, 0 não") == 2, results
        assert await accessibility_violations(other) == []
    decided = await get_json(fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="BA", status="all")
    assert sorted(i["status"] for i in decided) == ["active", "active", "active"]


async def next_version(lines: AsyncIterator[str]) -> str:
    """The data of the stream's next ``mudou`` event."""
    event = ""
    async for line in lines:
        if line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:") and event == "mudou":
            return line.removeprefix("data:").strip()
    raise AssertionError("the stream ended")


async def test_the_projector_follows_the_plenary_by_server_sent_events(
    tier_factory: TierFactory,
) -> None:
    """The stream's first event is the version the page shows; a delegate credentialed (and
    a poll opened) make the next ones, each the version the board then carries; the page in a
    browser is connected to it."""
    fed = await tier_factory("regional")
    items = await reported(fed)
    async with served(fed, "regional") as url, httpx.AsyncClient(base_url=url) as client:
        shown = re.search(r'data-versao="([0-9a-f]+)"', (await client.get(TELAO)).text)
        assert shown is not None
        async with client.stream("GET", f"{TELAO}/eventos", timeout=30) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            assert await next_version(lines) == shown.group(1)
            admitted = await fed.regional.post(
                "/api/v1/plenary/credentials",
                headers=fed.staff["regional"],
                json={**BASE, "mandate_id": "BA0-u1", "holder": "doc-BA0-u1"},
            )
            assert admitted.status_code == 201, admitted.text
            credentialed = await next_version(lines)
            assert credentialed != shown.group(1)
            opened = await fed.regional.post(
                "/api/v1/plenary/polls",
                headers=fed.staff["regional"],
                json={**BASE, "kind": "decision", "subject": items[0]["id"]},
            )
            assert opened.status_code == 201, opened.text
            polled = await next_version(lines)
            assert polled not in (shown.group(1), credentialed)
        now = re.search(r'data-versao="([0-9a-f]+)"', (await client.get(TELAO)).text)
        assert now is not None and now.group(1) == polled
        async with chromium() as browser:
            screen = await browser.new_page(locale="pt-BR")
            await screen.goto(f"{url}{TELAO}")
            await screen.wait_for_function("window.plenariaAoVivo === true", timeout=10_000)
            assert "1 credenciados" in await screen.inner_text("#quadro")
            assert await accessibility_violations(screen) == []
