"""The national tier refuses a cycle with any problem, with the lines ``plenaria cycle check``
prints, and allocates the seats ``plenaria cycle seats`` shows (national tier alone)."""

from __future__ import annotations

from shared.core.cycle import preset, preset_text
from shared.core.cycle_check import check_text
from shared.core.seats import national_units, stage_table
from tests.support.tiers import Federation


async def test_an_invalid_cycle_is_refused_with_every_problem(national_tier: Federation) -> None:
    text = (
        preset_text("health")
        .replace(
            'id = "managers"\ntitle_pt = "Gestores e prestadores"\nshare = 0.25',
            'id = "managers"\ntitle_pt = "Gestores e prestadores"\nshare = 0.5',
        )
        .replace("[caps.intermunicipal]", "[caps.intermunicpal]")
    )
    response = await national_tier.national.post(
        "/api/v1/cycles/announce",
        headers=national_tier.staff["national"],
        json={"rules_toml": text},
    )
    assert response.status_code == 422
    body = response.json()
    _, expected = check_text(text)
    assert body["problems"] == [str(p) for p in expected] and len(expected) == 2
    assert "segment shares sum to 1.25" in body["detail"]
    # the bad text was not stored: the tier still answers with the packaged preset's rules
    shown = await national_tier.national.get("/api/v1/cycles/cns-2027")
    assert shown.status_code == 200
    assert shown.json()["delegates"]["segments"][2]["share"] == 0.25


async def test_the_nation_allocates_the_seats_the_preview_shows(national_tier: Federation) -> None:
    announced = await national_tier.national.post(
        "/api/v1/cycles/announce",
        headers=national_tier.staff["national"],
        json={"rules_toml": preset_text("lgbtqia")},
    )
    assert announced.status_code == 202
    response = await national_tier.national.post(
        "/api/v1/allocations/states",
        headers=national_tier.staff["national"],
        json={"cycle_id": "lgbtqia-2027"},
    )
    assert response.status_code == 201
    sent = {row["territory"]: row for row in response.json()}
    rules = preset("lgbtqia")
    preview = stage_table(rules, "national", national_units())
    assert {u.unit: u.seats for u in preview.units} == {uf: r["seats"] for uf, r in sent.items()}
    assert sent["SC"]["seats"] == 45 and sent["SC"]["method"] == "min-plus-proportional"
    assert sum(r["seats"] for r in sent.values()) == 1212
