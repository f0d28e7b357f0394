"""The national conference's plenary pages (``/estado/BR/…``, the same code as a state's): the
national commission's desk holds the key ceremony (three shares, shown once), the public
projector and the delegates' sign-in page answer without an account, and neither the public
nor a council member reaches the national desk."""

from __future__ import annotations

from shared.core.cycle import preset_text
from tests.support.browser import appointed_code, sign_in_with_code, submit
from tests.support.tiers import TierFactory, operator


async def test_the_national_desk_is_the_national_commissions_alone(
    tier_factory: TierFactory,
) -> None:
    fed = await tier_factory("national")
    announced = await fed.national.post(
        "/api/v1/cycles/announce",
        headers=fed.staff["national"],
        json={"rules_toml": preset_text("health")},
    )
    assert announced.status_code == 202, announced.text
    code = await appointed_code(
        fed.national, operator("national"), name="Comissão Nacional", role="commission"
    )
    async with fed.browser("national") as public:
        to_sign_in = await public.get("/estado/BR/plenaria")
        assert to_sign_in.status_code == 303
        assert to_sign_in.headers["location"].startswith("/entrar")
        screen = await public.get("/estado/BR/plenaria/telao")
        assert screen.status_code == 200, screen.text[:500]
        assert "Nenhuma votação aberta neste momento." in screen.text
        phone = await public.get("/estado/BR/delegado")
        assert phone.status_code == 200 and "Código de acesso" in phone.text
    async with fed.browser("national") as desk:
        await sign_in_with_code(desk, code)
        page = await desk.get("/estado/BR/plenaria")
        assert page.status_code == 200, page.text[:500]
        assert "Credenciamento dos delegados" in page.text
        ceremony = await submit(desk, "/estado/BR/plenaria", "/estado/BR/plenaria/urna")
        assert ceremony.status_code == 200, ceremony.text[:500]
        assert ceremony.text.count('class="segredo"') == 3
        again = await desk.get("/estado/BR/plenaria")
        assert 'class="segredo"' not in again.text, "the shares are shown once"
        assert "A urna está aberta" in again.text
    council = await appointed_code(
        fed.national, fed.staff["national"], name="Conselheira Ana", role="council", council="CNS"
    )
    async with fed.browser("national") as elsewhere:
        await sign_in_with_code(elsewhere, council)
        refused = await elsewhere.get("/estado/BR/plenaria")
        assert refused.status_code == 403, refused.text[:500]
        assert "Credenciamento dos delegados" not in refused.text
