"""The public follow-up at the local tier, without a browser: a municipality found by name
without its accents, its assemblies and proposals (the page and the API say the same), a
proposal's permalink, and every bad address refused with a clear status instead of a crash;
a proposal's text is shown, never run as markup."""

from __future__ import annotations

import uuid

from tests.support.api import assert_problem, get_json
from tests.support.assemblies import create, submit
from tests.support.tiers import Federation

SCRIPT = "<script>alert('x')</script>"


async def test_a_citizen_finds_a_municipality_its_assemblies_and_a_proposal(
    local_tier: Federation,
) -> None:
    tier = local_tier
    assembly = await create(tier)
    secretary = {"Authorization": f"Bearer {assembly['secretary_token']}"}
    made = await submit(
        tier.local,
        assembly["id"],
        secretary,
        axis="saude-1",
        competence="national",
        title=f"Ampliar as UBS {SCRIPT}",
        text="Ampliar o número de Unidades Básicas de Saúde nas periferias",
    )
    assert made.status_code == 201, made.text
    proposal = made.json()["id"]

    towns = await get_json(tier.local, "/api/v1/municipalities/", q="sao paulo")
    assert towns[0] == {"ibge_code": "3550308", "name": "São Paulo", "uf": "SP"}
    follow = await get_json(tier.local, "/api/v1/municipalities/3550308/follow-up")
    assert follow["name"] == "São Paulo" and follow["total"] == 1
    [held] = follow["assemblies"]
    assert held["id"] == assembly["id"]
    assert [p["id"] for p in held["proposals"]] == [proposal]
    assert held["proposals"][0]["decision"] is None

    front = await tier.local.get("/")  # the citizens find the follow-up from the front page
    assert 'href="/acompanhamento"' in front.text and 'href="/assembleias"' in front.text
    found = await tier.local.get("/acompanhamento", params={"busca": "SÃO PAULO"})
    assert found.status_code == 200
    assert 'href="/acompanhamento/municipios/3550308"' in found.text
    town = await tier.local.get("/acompanhamento/municipios/3550308")
    assert town.status_code == 200
    assert f'href="/acompanhamento/propostas/{proposal}"' in town.text
    assert SCRIPT not in town.text and "&lt;script&gt;" in town.text

    # Straight to a proposal by its number: the permalink, public.
    jump = await tier.local.get("/acompanhamento", params={"proposta": f" {proposal} "})
    assert jump.status_code == 303
    assert jump.headers["location"] == f"/acompanhamento/propostas/{proposal}"
    trip = await tier.local.get(jump.headers["location"])
    assert trip.status_code == 200
    assert "Ainda sem resposta do conselho." in trip.text
    assert "Etapas cumpridas: 1 de 7" in trip.text
    assert SCRIPT not in trip.text


async def test_bad_addresses_are_refused_clearly(local_tier: Federation) -> None:
    tier = local_tier
    wrong = await tier.local.get("/acompanhamento", params={"proposta": "javascript:alert(1)"})
    assert wrong.status_code == 422
    assert "Isso não é um número de proposta" in wrong.text
    assert (await tier.local.get(f"/acompanhamento/propostas/{uuid.uuid4()}")).status_code == 404
    assert (await tier.local.get("/acompanhamento/municipios/9999999")).status_code == 404
    assert (await tier.local.get("/acompanhamento/municipios/abc")).status_code == 404
    huge = await tier.local.get("/acompanhamento/municipios/3550308", params={"pagina": 10**30})
    assert huge.status_code in (200, 400)
    nothing = await tier.local.get("/acompanhamento", params={"busca": "zzzzqqq"})
    assert nothing.status_code == 200 and "Nenhum município com esse nome" in nothing.text
    assert_problem(await tier.local.get("/api/v1/municipalities/9999999/follow-up"), 404)
    assert_problem(await tier.local.get("/api/v1/municipalities/", params={"q": "x"}), 400)
    assert_problem(
        await tier.local.get("/api/v1/municipalities/3550308/follow-up", params={"offset": 2**64}),
        400,
    )
