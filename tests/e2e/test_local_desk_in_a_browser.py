"""(An e2e test, not under tests/integration/web: it needs the regional tier too.) The municipal
secretary's desk in a real browser, from the keyboard: sign in with the code,
open the assembly (true counts on its dashboard), type a proposal, import a CSV (a bad row is
refused by number and nothing is written), open a decision poll, type the paper counts while
the room's projector follows live, close it (the result in words), run the election of the
candidates registered through the API, preview and close — and the signed report arrives at
the regional tier. axe on every screen and after each HTMX swap; each screen at 360 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page
from sqlalchemy import select

from shared.features.consolidation.model import ReceivedReport
from tests.support.api import get_json
from tests.support.assemblies import CYCLE, register
from tests.support.browser import appointed_code
from tests.support.polling import eventually
from tests.support.tiers import Federation
from tests.support.web import accessibility_violations, chromium, screenshot_at_360, served

GOOD_CSV = (
    "axis,competence,title,text,support\n"
    "saude-1,national,Piso nacional da enfermagem,Garantir o piso salarial nacional,12\n"
    "saude-2,municipal,Farmácia popular no bairro,Abrir uma farmácia popular no bairro,3\n"
)
BAD_CSV = GOOD_CSV + "saude-2,everywhere,Título,Texto de uma proposta sem competência válida,1\n"


async def clean(page: Page) -> None:
    assert await accessibility_violations(page) == [], page.url


async def press(page: Page, role: str, name: str) -> None:
    """Reach a control and use it from the keyboard."""
    await page.get_by_role(role, name=name, exact=True).focus()  # type: ignore[arg-type]
    await page.keyboard.press("Enter")


async def step(page: Page, name: str) -> None:
    """To another screen of the assembly, from its navigation, by keyboard."""
    nav = page.get_by_role("navigation", name="Etapas da assembleia")
    await nav.get_by_role("link", name=name, exact=True).focus()
    await page.keyboard.press("Enter")


async def type_into(page: Page, label: str, text: str, *, exact: bool = True) -> None:
    await page.get_by_label(label, exact=exact).first.focus()
    await page.keyboard.type(text)


async def confirm_as_second_person(page: Page, url: str) -> None:
    """Another person of the desk, in their own browser, confirms what the secretary counted."""
    await page.goto(url)
    await clean(page)
    await press(page, "button", "Conferir e encerrar")
    await page.get_by_role("status").get_by_text("Apuração conferida").wait_for()


async def test_a_secretary_runs_an_assembly_from_the_keyboard_and_the_report_arrives(
    federation: Federation, tmp_path: Path
) -> None:
    fed = federation
    staff = fed.staff["local"]
    created = await fed.local.post(
        "/api/v1/assemblies/",
        headers=staff,
        json={
            "secretary": {"name": "Secretária Rita"},
            "cycle_id": CYCLE,
            "kind": "municipal",
            "territory": "3550308",
            "uf": "SP",
            "title": "Conferência Municipal de Saúde de São Paulo",
            "population": 11_450_000,
            "deadline": "2100-01-01T00:00:00Z",
        },
    )
    assert created.status_code == 201, created.text
    aid, code = created.json()["id"], created.json()["secretary_sign_in_code"]
    # The desk's second person: another secretary of the assembly, who confirms the counts.
    second_code = await appointed_code(
        fed.local,
        staff,
        name="Secretário Caio",
        role="secretary",
        territory="3550308",
        assembly_id=aid,
    )
    people = await register(fed.local, aid, staff)  # eight, credentialed
    # The finding of issue 14: the API's count was 0 after people registered.
    shown = await get_json(fed.local, f"/api/v1/assemblies/{aid}")
    assert (shown["registered"], shown["credentialed"], shown["participants"]) == (8, 8, 8)
    here = f"/assembleias/{aid}"
    shots = tmp_path / "screens"

    async with served(fed, "local") as url, chromium() as browser:
        page = await browser.new_page(locale="pt-BR")
        await page.goto(f"{url}{here}")
        await page.wait_for_url(f"{url}/entrar?next_path=%2Fassembleias%2F{aid}")
        await type_into(page, "Código", code)
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{url}/conta?primeiro=1")
        second = await browser.new_page(locale="pt-BR")
        await second.goto(f"{url}/entrar")
        await type_into(second, "Código", second_code)
        await second.keyboard.press("Enter")
        await second.wait_for_url(f"{url}/conta?primeiro=1")

        # Her assemblies, with true counts.
        await page.goto(f"{url}/assembleias")
        row = page.get_by_role("row").nth(1)
        cells = [await c.inner_text() for c in await row.get_by_role("cell").all()]
        assert cells[1:4] == ["Em preparação", "8", "8"], cells
        await clean(page)
        await screenshot_at_360(page, "assembleias", shots)
        await press(page, "link", "Conferência Municipal de Saúde de São Paulo")
        await page.wait_for_url(f"{url}{here}")

        # The dashboard: counts per segment, the checklist, what is missing.
        board = await page.inner_text("main")
        assert "Credenciados com direito a voto: 8" in board
        assert "Propostas apresentadas: 0" in board
        assert "Relatório ainda não enviado" in board
        await clean(page)
        await screenshot_at_360(page, "painel", shots)
        await press(page, "button", "Abrir a assembleia")
        await page.get_by_role("status").get_by_text("Assembleia agora: Aberta.").wait_for()

        # A proposal typed from paper (HTMX: the list swaps in place, the notice is announced).
        await step(page, "Propostas")
        await page.wait_for_url(f"{url}{here}/propostas")
        await type_into(page, "Título", "Reformar a UBS do Jardim Ângela")
        await type_into(page, "Texto da proposta", "Reformar e ampliar a UBS do bairro")
        await page.get_by_label("Competência").select_option("municipal")
        await press(page, "button", "Registrar proposta")
        await page.get_by_role("status").get_by_text("Proposta registrada").wait_for()
        assert page.url == f"{url}{here}/propostas"  # swapped, not reloaded
        assert await page.get_by_role("row").count() == 2
        await clean(page)

        # A sheet with a bad third line: refused by line, nothing written.
        await page.get_by_label("ou cole a planilha aqui").fill(BAD_CSV)
        await press(page, "button", "Importar propostas")
        alert = page.get_by_role("alert")
        await alert.wait_for()
        assert "Nada foi importado: linha 4" in await alert.inner_text()
        assert len(await get_json(fed.local, f"/api/v1/assemblies/{aid}/proposals/")) == 1
        await clean(page)
        await page.get_by_label("ou cole a planilha aqui").fill(GOOD_CSV)
        await press(page, "button", "Importar propostas")
        await page.get_by_role("status").get_by_text("Propostas importadas: 2.").wait_for()
        listed = await page.inner_text("#lista-propostas")
        assert "Piso nacional da enfermagem" in listed and "Farmácia popular" in listed
        await clean(page)
        await screenshot_at_360(page, "propostas", shots)

        # Voting starts; the room's projector follows (public: a page of its own, signed out).
        await step(page, "Painel")
        await press(page, "button", "Iniciar a votação")
        await page.get_by_role("status").get_by_text("Assembleia agora: Em votação.").wait_for()
        projector = await browser.new_page(locale="pt-BR")
        await projector.goto(f"{url}{here}/projecao")
        await projector.get_by_text("Nenhuma votação aberta neste momento.").wait_for()
        await clean(projector)

        await step(page, "Plenária")
        await page.wait_for_url(f"{url}{here}/plenaria")
        await clean(page)
        await page.get_by_label("Proposta", exact=True).select_option(
            label="Reformar a UBS do Jardim Ângela"
        )
        await press(page, "button", "Abrir votação")
        await page.get_by_role("status").get_by_text("Votação aberta").wait_for()
        await projector.get_by_text("Votaram 0 de 8").wait_for(timeout=10_000)
        await type_into(page, "Sim", "6")
        await page.keyboard.press("Tab")
        await page.keyboard.type("1")
        await page.keyboard.press("Tab")
        await page.keyboard.type("1")
        await page.keyboard.press("Enter")
        await page.get_by_role("status").get_by_text("Contagem registrada: 8 votos.").wait_for()
        await clean(page)
        # Live on the projector, without a reload.
        await projector.get_by_text("Votaram 8 de 8").wait_for(timeout=10_000)
        await clean(projector)
        await screenshot_at_360(projector, "projecao", shots)
        await press(page, "button", "Encerrar a votação")
        await page.get_by_role("status").get_by_text("Votação apurada").wait_for()
        assert "Resultados" not in await page.inner_text("main")  # nothing decided yet
        # The secretary cannot confirm her own count…
        await press(page, "button", "Conferir e encerrar")
        await page.get_by_text("Não foi possível").first.wait_for()
        assert "cannot also confirm" in await page.inner_text("main")
        # …another person of the desk does.
        await confirm_as_second_person(second, f"{url}{here}/plenaria")
        await page.goto(f"{url}{here}/plenaria")
        results = await page.get_by_role("region", name="Resultados").inner_text()
        assert "Aprovada: 6 sim, 1 não, 1 abstenções, de 8 votos." in results, results
        await clean(page)
        await screenshot_at_360(page, "plenaria", shots)
        await projector.get_by_text("Aprovada: 6 sim").wait_for(timeout=10_000)

        # Block vote with a destaque: the other two are decided together, the destaque stays.
        await page.get_by_role("checkbox", name="Farmácia popular no bairro").focus()
        await page.keyboard.press("Space")
        await type_into(page, "Sim", "7")
        await press(page, "button", "Votar o bloco")
        await page.get_by_role("status").get_by_text("Bloco apurado: 1 propostas").wait_for()
        await page.get_by_label("Proposta", exact=True).select_option(
            label="Farmácia popular no bairro"
        )
        await press(page, "button", "Abrir votação")
        await page.get_by_role("status").get_by_text("Votação aberta").wait_for()
        # The connection drops while the count is typed: the outbox keeps it on this device and
        # sends it once when the network returns (a resend never adds it twice).
        await page.context.set_offline(True)
        await type_into(page, "Não", "5")
        await page.keyboard.press("Enter")
        await page.get_by_text("ainda não enviado").wait_for()
        await page.context.set_offline(False)
        await page.get_by_text("1 formulário(s) enviado(s)").wait_for(timeout=20_000)
        await page.reload()
        assert "Votos até agora: 5 de 8" in await page.inner_text("main")
        await press(page, "button", "Encerrar a votação")
        await page.get_by_role("status").get_by_text("Votação apurada").wait_for()
        await confirm_as_second_person(second, f"{url}{here}/plenaria")  # the block and this one
        await page.goto(f"{url}{here}/plenaria")
        await (
            page.get_by_role("region", name="Resultados")
            .get_by_text("Rejeitada: 0 sim, 5 não")
            .wait_for()
        )

        # The election: seats typed here, candidates registered through the API.
        await fed.local.put(
            f"/api/v1/assemblies/{aid}/allocation", headers=staff, json={"seats": 4}
        )
        stood = await fed.local.post(
            f"/api/v1/assemblies/{aid}/candidacies/bulk",
            headers=staff,
            json={"participant_ids": [p["id"] for p in people[:6]]},
        )
        assert stood.status_code == 201, stood.text
        await step(page, "Eleição")
        await page.wait_for_url(f"{url}{here}/eleicao")
        candidates = await page.get_by_role("region", name="Candidaturas").inner_text()
        assert "Ana" in candidates and "Elisa" in candidates
        await clean(page)
        await press(page, "button", "Abrir a eleição")
        await page.get_by_role("status").get_by_text("Eleição aberta.").wait_for()
        # One paper ballot per voter, each for one candidate: eight in all.
        votes = {"Ana": "2", "Bruno": "1", "Carla": "1", "Diego": "1", "Elisa": "2", "Fábio": "1"}
        for name, n in votes.items():
            await type_into(page, name, n, exact=False)
        await press(page, "button", "Registrar contagem")
        await page.get_by_role("status").get_by_text("Contagem registrada").wait_for()
        await press(page, "button", "Apurar a eleição")
        await page.get_by_role("status").get_by_text("Eleição apurada: os eleitos saem").wait_for()
        await confirm_as_second_person(second, f"{url}{here}/plenaria")
        await page.goto(f"{url}{here}/eleicao")
        result = await page.get_by_role("region", name="Resultado").inner_text()
        assert "Titular" in result and "Suplente" in result, result
        assert "Paridade e cotas" in result and "Empates e como foram resolvidos" in result
        await clean(page)
        await screenshot_at_360(page, "eleicao", shots)
        election: dict[str, Any] = await get_json(fed.local, f"/api/v1/assemblies/{aid}/election")
        assert sum(1 for m in election["mandates"] if m["role"] == "titular") >= 1

        # Preview, then close: the receipt; the report arrives at the regional tier.
        await step(page, "Encerrar e enviar")
        await page.wait_for_url(f"{url}{here}/encerramento")
        preview = page.get_by_role("region", name="Prévia: exatamente o que será enviado")
        text = await preview.inner_text()
        assert "Competência Nacional" in text and "Piso nacional da enfermagem" in text
        items = text.split("Mandatos")[0]
        assert "Farmácia popular" not in items  # rejected: in the manifests only
        assert "Farmácia popular no bairro · Rejeitada · 5 votos" in text
        assert "Tudo de acordo com as regras do ciclo" in await page.inner_text("main")
        await clean(page)
        await screenshot_at_360(page, "encerramento", shots)
        await press(page, "button", "Encerrar a assembleia e enviar o relatório")
        receipt = page.get_by_role("region", name="Recibo do relatório")
        await receipt.wait_for()
        closed = await get_json(fed.local, f"/api/v1/assemblies/{aid}")
        assert closed["status"] == "closed" and closed["report_id"]
        assert closed["report_id"] in await receipt.inner_text()
        await clean(page)

        async def arrived() -> list[ReceivedReport]:
            async with fed.nodes["regional"].sessions() as session:
                return list((await session.scalars(select(ReceivedReport))).all())

        [report] = await eventually(arrived)
        assert report.body["report_id"] == closed["report_id"]
        titles = {i["title"] for i in report.body["items"]}
        assert "Piso nacional da enfermagem" in titles
        assert "Farmácia popular no bairro" not in titles

        # In English, and in high contrast (a link, no JavaScript needed), still accessible.
        await page.goto(f"{url}{here}?lang=en")
        await page.get_by_role("heading", name="Before the report is sent").wait_for()
        await clean(page)
        await press(page, "link", "High contrast")
        await page.wait_for_url(f"{url}{here}")
        assert await page.evaluate("document.documentElement.className") == "alto-contraste"
        await clean(page)
        await press(page, "link", "Accessibility")
        await page.get_by_role("heading", name="Accessibility", level=1).wait_for()
        await clean(page)
        await screenshot_at_360(page, "acessibilidade", shots)
