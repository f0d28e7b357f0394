"""Moções, priorização and quórum at the desk and on the phones, in a real browser (pt-BR,
axe-clean, 360 px): a motion typed from paper, signed from two phones, put to the vote and
settled; a priority poll opened at the desk, chosen on the phones ("até 2") with a receipt,
closed and ranked on the desk and the projector; an electronic decision poll driven from the
desk; and another process of the tier, whose ballot box is locked, unlocked by two shares
typed at the desk (one share twice is refused on screen); two polls open at once on every
phone, each with its own form and notice, and a Borda priority ranked 1º 2º 3º on three phones
whose tally the desk shows. Then the refusals, tried for real: no vote opens without quorum (422 with the figures),
a participant neither opens, closes nor puts to vote, a desk account signs no motion, a
second signature is a 409 in words, and nobody chooses more than the cycle allows."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page

from tests.support.assemblies import hand_card
from tests.support.browser import appointed_code, csrf_of, sign_in_with_code, submit
from tests.support.plenary_web import TITLES, approve_three, plenary_desk
from tests.support.tiers import Federation, TierFactory, another_process
from tests.support.web import (
    accessibility_violations,
    chromium,
    screenshot_at_360,
    served,
    served_client,
)

PHONE = {"width": 360, "height": 740}
MOTION = "Moção de apoio ao SUS"


async def press(page: Page, name: str) -> None:
    """Reach a button and use it from the keyboard."""
    await page.get_by_role("button", name=name).first.focus()
    async with page.expect_navigation():
        await page.keyboard.press("Enter")


async def press_in_place(page: Page, name: str) -> None:
    """Use a button whose form HTMX swaps into the page (no navigation)."""
    await page.get_by_role("button", name=name).first.focus()
    await page.keyboard.press("Enter")


async def clean(page: Page) -> None:
    assert await accessibility_violations(page) == []


async def desk_page(browser: Browser, url: str, fed: Federation, aid: str) -> Page:
    code = await appointed_code(
        fed.local,
        fed.staff["local"],
        name="Secretária da plenária",
        role="secretary",
        territory="3550308",
        assembly_id=aid,
    )
    page = await (await browser.new_context(locale="pt-BR")).new_page()
    await page.goto(f"{url}/entrar")
    await page.get_by_label("Código", exact=True).fill(code)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{url}/conta?primeiro=1")
    return page


async def phone_page(browser: Browser, url: str, aid: str, code: str) -> Page:
    phone = await (await browser.new_context(locale="pt-BR", viewport=PHONE)).new_page()
    await phone.goto(f"{url}/participar/{aid}")
    await phone.get_by_label("Código de dentro do crachá").fill(code)
    async with phone.expect_navigation():
        await phone.get_by_role("button", name="Entrar com o crachá").click()
    await phone.get_by_role("heading", name="Moções").wait_for()
    return phone


async def test_motion_priority_and_decision_from_the_desk_and_two_phones(
    tier_factory: TierFactory, tmp_path: Path
) -> None:
    fed = await tier_factory("local")
    desk, _ = await plenary_desk(fed)
    await approve_three(desk)
    aid = desk.aid
    here = f"/assembleias/{aid}/plenaria"
    async with served(fed, "local") as url, chromium() as browser:
        sec = await desk_page(browser, url, fed, aid)
        await sec.goto(f"{url}/assembleias/{aid}")
        assert "quórum: 8 de 6 necessários" in await sec.inner_text("main")

        # A motion typed from paper: it needs 2 signatures (20 % of 8 present).
        await sec.goto(f"{url}{here}")
        await sec.get_by_label("Tipo").select_option(label="Apoio")
        await sec.get_by_label("Título da moção").fill(MOTION)
        await sec.get_by_label("Texto da moção").fill("Apoiamos o SUS público e universal.")
        await press(sec, "Registrar moção")
        await sec.get_by_text("Precisa de 2 assinaturas.").first.wait_for()
        assert "Assinaturas: 0 de 2 necessárias" in await sec.inner_text("#h-mocoes + ul")
        await clean(sec)

        ana = await phone_page(browser, url, aid, desk.people[0]["badge_code"])
        bruno = await phone_page(browser, url, aid, desk.people[1]["badge_code"])
        for phone in (ana, bruno):
            await phone.get_by_role("button", name=f"Assinar {MOTION}").click()
            await phone.get_by_text("Sua assinatura foi registrada.").wait_for()
            await phone.get_by_text("Você assinou").wait_for()
        assert "Assinaturas: 2 de 2 necessárias" in await bruno.inner_text("#secao-mocoes")
        await clean(bruno)
        await screenshot_at_360(bruno, "phone-motions", tmp_path)

        # Enough signatures: the desk puts it to an electronic vote; both phones vote yes.
        await sec.goto(f"{url}{here}")
        await sec.get_by_role("radio", name="Voto eletrônico (urna lacrada)").last.check()
        await press(sec, f"Pôr a moção em votação {MOTION}")
        await sec.get_by_text(f"Em votação: {MOTION}").wait_for()
        for phone in (ana, bruno):
            await phone.reload()
            await phone.get_by_text(MOTION).first.wait_for()
            await phone.get_by_role("radio", name="Sim").check()
            await phone.get_by_role("button", name="Votar").click()
            await phone.get_by_text("Seu voto foi registrado.").wait_for()
        await sec.reload()
        assert "Votos até agora: 2 de 8 credenciados" in await sec.inner_text("main")
        await press_in_place(sec, "Encerrar a votação")
        await sec.get_by_text("Aprovada: 2 sim, 0 não, 0 abstenções, de 2 votos.").first.wait_for()
        assert "Aprovada" in await sec.inner_text("#h-mocoes + ul")

        # Priorização of saude-1's three approved proposals: each phone chooses up to two.
        await sec.get_by_label("Eixo").select_option(index=0)
        await press(sec, "Abrir priorização")
        await sec.get_by_text("Priorização aberta:").first.wait_for()
        await clean(sec)
        await ana.reload()
        await ana.get_by_text("Escolha até 2 propostas").wait_for()
        for title in TITLES[:2]:  # the count follows the boxes; at two, the third waits
            await ana.get_by_role("checkbox", name=title).check()
        await ana.get_by_text("Você escolheu 2 de 2.").wait_for()
        assert await ana.get_by_role("checkbox", name=TITLES[2]).is_disabled()
        await clean(ana)
        for phone, picks in ((ana, TITLES[1:3]), (bruno, TITLES[2:3])):
            await phone.goto(f"{url}/participar/{aid}")  # a new page: no boxes left ticked
            for title in picks:
                await phone.get_by_role("checkbox", name=title).check()
            await phone.get_by_role("button", name="Votar").click()
            await phone.get_by_text(f"Você escolheu {len(picks)} de 2.").wait_for()
            receipt = (await phone.locator(".recibo").inner_text()).strip()
            assert len(receipt) >= 8
        await clean(bruno)
        await screenshot_at_360(bruno, "phone-priority-receipt", tmp_path)
        await sec.reload()
        await press_in_place(sec, "Encerrar a votação")
        ranked = f"Ordem: 1. {TITLES[2]}; 2. {TITLES[1]}; 3. {TITLES[0]} (2 votos)."
        await sec.get_by_text("Ordem: 1.").first.wait_for()
        assert ranked in await sec.inner_text("main"), await sec.inner_text("main")
        projector = await (await browser.new_context(locale="pt-BR")).new_page()
        await projector.goto(f"{url}/assembleias/{aid}/projecao")
        assert ranked in await projector.inner_text("main")
        await clean(projector)

        # An electronic decision poll on the fourth proposal, driven from the desk.
        await sec.get_by_label("Proposta").select_option(label=TITLES[3])
        await sec.get_by_role("radio", name="Voto eletrônico (urna lacrada)").first.check()
        await press_in_place(sec, "Abrir votação")
        await sec.get_by_text(f"Em votação: {TITLES[3]}").wait_for()
        await ana.goto(f"{url}/participar/{aid}")
        await ana.get_by_role("radio", name="Não").check()
        await ana.get_by_role("button", name="Votar").click()
        await ana.get_by_text("Seu voto foi registrado.").wait_for()
        await sec.reload()
        await press_in_place(sec, "Encerrar a votação")
        await sec.get_by_text("Rejeitada: 0 sim, 1 não, 0 abstenções, de 1 votos.").first.wait_for()
        await clean(sec)
        await screenshot_at_360(sec, "desk-plenary-motions-priority", tmp_path)


async def test_no_quorum_no_vote_and_nobody_acts_out_of_their_role(
    tier_factory: TierFactory,
) -> None:
    fed = await tier_factory("local")
    desk, absent = await plenary_desk(fed, also_registered=4)  # 8 of 12 here: ¾ is 9
    aid, plenaria = desk.aid, f"/assembleias/{desk.aid}/plenaria"
    undecided = desk.ids[3]

    # No quorum: neither the API nor the desk's form opens a vote, and the figures are said.
    refused = await desk.post("/polls/", json={"kind": "decision", "proposal_id": undecided})
    assert refused.status_code == 422, refused.text
    assert "no quorum: 8 of the 9 credentialed voters needed" in refused.json()["detail"]
    code = await appointed_code(
        fed.local,
        fed.staff["local"],
        name="Secretária",
        role="secretary",
        territory="3550308",
        assembly_id=aid,
    )
    async with fed.browser("local") as secretary:
        await sign_in_with_code(secretary, code)
        assert "quórum: 8 de 9 necessários" in (await secretary.get(f"/assembleias/{aid}")).text
        counters = await secretary.get(f"/assembleias/{aid}/credenciamento/contagem")
        assert "quórum: 8 de 9 necessários" in counters.text
        tried = await submit(
            secretary, plenaria, f"{plenaria}/votacoes", proposal_id=undecided, mode="counts"
        )
        assert tried.status_code == 422 and "8 of the 9" in tried.text
        en_bloc = await desk.post(
            "/decisions/", json={"decisions": [{"proposal_id": undecided, "yes": 8}]}
        )
        assert en_bloc.status_code == 422 and "8 of the 9" in en_bloc.text
        assert (await desk.get("/polls/")).json() == []

        # The ninth voter arrives (confirmed by a second person of the desk): votes open.
        await hand_card(fed.local, aid, desk.sec, absent[0], second=desk.second)
        assert "quórum: 9 de 9 necessários" in (await secretary.get(f"/assembleias/{aid}")).text
        await approve_three(desk)
        motion = await desk.post(
            "/motions/", json={"kind": "appeal", "title": "Apelo", "text": "Mais verbas."}
        )
        assert motion.status_code == 201 and motion.json()["needed"] == 2, motion.text
        mid = motion.json()["id"]

        # A desk account signs no motion, on the phone's page or through the API.
        as_desk = await submit(secretary, plenaria, f"/participar/{aid}/mocoes/{mid}/assinatura")
        assert as_desk.status_code == 401
        assert (await desk.post(f"/motions/{mid}/signatures")).status_code == 403

    async with fed.browser("local") as phone:
        welcome = await phone.get(f"/participar/{aid}")
        entered = await phone.post(
            f"/participar/{aid}/entrar",
            data={"_csrf_token": csrf_of(welcome), "code": desk.people[0]["badge_code"]},
        )
        assert entered.status_code == 303
        home = await phone.get(f"/participar/{aid}")
        token = csrf_of(home)
        signed = await phone.post(
            f"/participar/{aid}/mocoes/{mid}/assinatura", data={"_csrf_token": token}
        )
        assert signed.status_code == 303
        again = await phone.post(
            f"/participar/{aid}/mocoes/{mid}/assinatura", data={"_csrf_token": token}
        )
        assert again.status_code == 409 and "Você já assinou esta moção." in again.text

        # A participant opens, closes and puts to vote nothing: the desk sends them to sign in.
        priority = await desk.poll(kind="priority", axis="saude-1", mode="electronic")
        for action, fields in (
            ("/votacoes", {"proposal_id": undecided, "mode": "counts"}),
            ("/priorizacao", {"axis": "saude-1"}),
            (f"/mocoes/{mid}/votacao", {"mode": "counts"}),
            (f"/votacoes/{priority['id']}/encerrar", {}),
        ):
            tried = await phone.post(f"{plenaria}{action}", data={"_csrf_token": token, **fields})
            assert tried.status_code == 303 and tried.headers["location"].startswith("/entrar")
        ana = desk.tokens[0]
        assert (
            await desk.post("/polls/", headers=ana, json={"kind": "decision"})
        ).status_code == 403
        assert (await desk.post(f"/motions/{mid}/vote", headers=ana, json={})).status_code == 403
        assert (await desk.post(f"/polls/{priority['id']}/close", headers=ana)).status_code == 403
        polls = (await desk.get("/polls/")).json()
        assert [(p["kind"], p["status"]) for p in polls if p["kind"] != "decision"] == [
            ("priority", "open")
        ]
        motions = (await desk.get("/motions/")).json()
        assert [(m["signatures"], m["status"], m["poll_id"]) for m in motions] == [
            (1, "collecting", None)
        ]

        # Nobody chooses more than the cycle's two: on the phone or through the API.
        three = list(priority["candidates"])
        too_many = await phone.post(
            f"/participar/{aid}/votacoes/{priority['id']}/prioridade",
            data={"_csrf_token": token, "choice": three},
        )
        assert too_many.status_code == 422
        assert "Você escolheu 3 propostas; o máximo é 2." in too_many.text
        api = await desk.ballot(priority["id"], ana, ranking=[three])
        assert api.status_code == 422 and "at most 2" in api.text
        two = await phone.post(
            f"/participar/{aid}/votacoes/{priority['id']}/prioridade",
            data={"_csrf_token": token, "choice": three[:2]},
        )
        assert two.status_code == 200 and "Você escolheu 2 de 2." in two.text
        assert (await desk.ballot(priority["id"], ana, ranking=[three[:1]])).status_code == 409


async def test_another_process_unlocks_the_ballot_box_with_two_shares_typed_at_the_desk(
    tier_factory: TierFactory, tmp_path: Path
) -> None:
    fed = await tier_factory("local")
    desk, _ = await plenary_desk(fed)
    await approve_three(desk)  # the key ceremony happened in the first process
    poll = await desk.poll(kind="decision", proposal_id=desk.ids[3], mode="electronic")
    assert (await desk.ballot(poll["id"], desk.tokens[0], ranking=[["yes"]])).status_code == 201
    async with (
        another_process(fed, "local") as restarted,
        served_client(restarted) as url,
        chromium() as browser,
    ):
        sec = await desk_page(browser, url, fed, desk.aid)
        await sec.goto(f"{url}/assembleias/{desk.aid}/plenaria")
        await sec.get_by_text("A urna está travada depois de um reinício").wait_for()
        await clean(sec)
        first, second = (
            sec.get_by_label("Parte do primeiro membro"),
            sec.get_by_label("Parte do segundo membro"),
        )
        await first.fill(desk.shares[0])
        await second.fill(desk.shares[0])  # one member's share twice rebuilds nothing
        await press(sec, "Destravar a urna")
        shown = await sec.inner_text("main")
        assert "these shares do not rebuild a key" in shown and "A urna está travada" in shown
        await first.fill(desk.shares[2])
        await second.fill(desk.shares[0])
        await press(sec, "Destravar a urna")
        await sec.get_by_text("Urna destravada").first.wait_for()
        await press_in_place(sec, "Encerrar a votação")
        await sec.get_by_text("Aprovada: 1 sim, 0 não, 0 abstenções, de 1 votos.").first.wait_for()
        await clean(sec)
        await screenshot_at_360(sec, "desk-ballot-box-restored", tmp_path)


async def rank_on_the_phone(phone: Page, poll_id: str, places: dict[str, str]) -> None:
    """Order the priority poll's proposals (title → "1", "2", …) and vote: the receipt."""
    box = phone.locator(f"#v-{poll_id}")
    for title, place in places.items():
        await box.get_by_label(title, exact=True).select_option(value=place)
    await box.get_by_role("button", name="Votar").click()
    await phone.get_by_role("heading", name="Seu voto foi registrado.").wait_for()
    assert len((await phone.locator(".recibo").inner_text()).strip()) >= 8


async def test_a_phone_votes_in_every_open_poll_and_ranks_a_borda_priority(
    tier_factory: TierFactory, tmp_path: Path
) -> None:
    """Two polls open at once — a Borda priority on saude-1 and a decision on the fourth
    proposal: each phone shows both, each with its own form and its own "Seu voto foi
    registrado."; three phones rank the proposals (1º, 2º, 3º); the desk closes the priority
    and shows its tally in words and the proposals' new ranks."""
    fed = await tier_factory("local")
    desk, _ = await plenary_desk(fed, priority="borda")
    await approve_three(desk)
    aid = desk.aid
    priority = await desk.poll(kind="priority", axis="saude-1", mode="electronic")
    decision = await desk.poll(kind="decision", proposal_id=desk.ids[3], mode="electronic")
    assert priority["method"] == "borda"
    first, second, third = TITLES[:3]
    ballots = (  # Borda: third 2+2+1 = 5, first 1+0+2 = 3, second 0+1+0 = 1
        {third: "1", first: "2", second: "3"},
        {third: "1", second: "2", first: "3"},
        {first: "1", third: "2", second: "3"},
    )
    async with served(fed, "local") as url, chromium() as browser:
        ana = await phone_page(browser, url, aid, desk.people[0]["badge_code"])
        polls = ana.get_by_role("heading", name="Votação aberta")
        assert await polls.count() == 2
        voting = ana.locator(f"#v-{decision['id']}")
        ranking = ana.locator(f"#v-{priority['id']}")
        assert TITLES[3] in await voting.inner_text()
        await clean(ana)
        await screenshot_at_360(ana, "phone-two-open-polls", tmp_path)

        # The decision first: its box says the vote was taken, the priority's form stays.
        await voting.get_by_role("radio", name="Sim").check()
        await voting.get_by_role("button", name="Votar").click()
        await ana.wait_for_url(f"**votacao={decision['id']}**")
        said = ana.get_by_role("status")
        assert (await said.inner_text()).strip() == "Seu voto foi registrado."
        assert await voting.get_by_role("status").count() == 1
        assert "Você já votou nesta votação." in await voting.inner_text()
        assert await ranking.get_by_role("combobox").count() == 3
        await clean(ana)

        # Then the priority, ranked 1º, 2º, 3º; back home, both polls say she voted.
        await rank_on_the_phone(ana, priority["id"], ballots[0])
        await clean(ana)
        await ana.goto(f"{url}/participar/{aid}")
        assert await ana.get_by_text("Você já votou nesta votação.").count() == 2
        assert await ana.get_by_role("button", name="Votar").count() == 0
        for person, places in zip(desk.people[1:3], ballots[1:], strict=True):
            phone = await phone_page(browser, url, aid, person["badge_code"])
            await rank_on_the_phone(phone, priority["id"], places)

        # The desk closes the priority: the Borda order in words, and the proposals' ranks.
        sec = await desk_page(browser, url, fed, aid)
        await sec.goto(f"{url}/assembleias/{aid}/plenaria")
        assert "Votos até agora: 3 de 8 credenciados" in await sec.inner_text(
            f"section[aria-labelledby='h-{priority['id']}']"
        )
        await press_in_place(sec, "Encerrar a votação")
        tally = f"Prioridades definidas. Ordem: 1. {third}; 2. {first}; 3. {second} (3 votos)."
        await sec.get_by_text(tally).first.wait_for()
        await clean(sec)
        await sec.goto(f"{url}/assembleias/{aid}/propostas")
        table = sec.locator("#lista-propostas")
        for title, rank in ((third, 1), (first, 2), (second, 3)):
            row = await table.get_by_role("row").filter(has_text=title).inner_text()
            assert f"Aprovada\n{rank}ª prioridade do eixo" in row, row
        unranked = await table.get_by_role("row").filter(has_text=TITLES[3]).inner_text()
        assert "prioridade do eixo" not in unranked
        await clean(sec)
        await screenshot_at_360(sec, "desk-proposals-ranked", tmp_path)
