"""A state's convener reads the seats shared among its assemblies — method, figures, exact
quota, seats per segment — and is warned of an assembly that elected its delegates before the
allocation now in force; the mandates received are listed, paged, to the desk and the state's
convener only, without their claim digests; and the regional board, which is per state, says
so instead of answering an empty board when ``uf`` is missing."""

from __future__ import annotations

from tests.support.api import assert_problem, get_json
from tests.support.browser import appointed_code, sign_in_with_code
from tests.support.reports import CYCLE
from tests.support.seats import CAMPINAS, SAO_PAULO, reallocated_state
from tests.support.tiers import Federation


async def test_the_convener_sees_the_seats_and_who_elected_under_an_older_allocation(
    regional_tier: Federation,
) -> None:
    fed = regional_tier
    convener = await fed.person("regional", {"role": "convener", "territory": "SP"})
    elsewhere = await fed.person("regional", {"role": "convener", "territory": "RJ"})
    await reallocated_state(fed, convener)

    table = await get_json(
        fed.regional, "/api/v1/board/seats", headers=convener, cycle_id=CYCLE, uf="SP"
    )
    assert table["shared"] == 10 and table["total_value"] == 11_451_999 + 3_000_000
    rows = {u["territory"]: u for u in table["units"]}
    assert rows[SAO_PAULO]["name"] == "São Paulo" and rows[CAMPINAS]["name"] == "Campinas"
    assert rows[SAO_PAULO]["quota"] == round(11_451_999 * 10 / 14_451_999, 4)
    assert rows[SAO_PAULO]["seats"] + rows[CAMPINAS]["seats"] == 10
    assert sum(rows[SAO_PAULO]["per_segment"].values()) == rows[SAO_PAULO]["seats"]
    assert rows[SAO_PAULO]["elected"] == 3  # two users' titulars and one workers'
    assert rows[SAO_PAULO]["elected_under_older"] is True
    assert rows[CAMPINAS]["elected_under_older"] is False
    assert table["elected_under_older"] == 1

    # Only a convener of the state (or the commission) reads it.
    assert_problem(
        await fed.regional.get("/api/v1/board/seats", params={"cycle_id": CYCLE, "uf": "SP"}),
        401,
    )
    assert_problem(
        await fed.regional.get(
            "/api/v1/board/seats", headers=elsewhere, params={"cycle_id": CYCLE, "uf": "SP"}
        ),
        403,
    )

    # The page: the same figures, the method in words and the warning.
    code = await appointed_code(
        fed.regional, convener, name="Convocadora SP", role="convener", territory="SP"
    )
    async with fed.browser("regional") as browser:
        anonymous = await browser.get("/estado/SP/vagas")
        assert anonymous.status_code == 303
        assert anonymous.headers["location"].startswith("/entrar?next_path=")
        await sign_in_with_code(browser, code)
        shown = await browser.get("/estado/SP/vagas")
        assert shown.status_code == 200, shown.text[:500]
        assert "Vagas — SP" in shown.text
        assert "11.451.999" in shown.text  # São Paulo's population, in pt-BR figures
        assert "já elegeram seus delegados antes da distribuição atual" in shown.text
        assert shown.text.count("eleitos sob distribuição anterior") == 1
        assert (await browser.get("/estado/RJ/vagas")).status_code == 403
        assert (await browser.get("/estado/XX/vagas")).status_code == 422
        english = await browser.get("/estado/SP/vagas?lang=en")
        assert (
            "Seats — SP" in english.text and "elected under an earlier allocation" in english.text
        )

    # The mandates received: paged, for the desk and the state's convener, no claim digest.
    first = await get_json(
        fed.regional, "/api/v1/mandates", headers=convener, cycle_id=CYCLE, uf="SP", limit=6
    )
    rest = await get_json(
        fed.regional,
        "/api/v1/mandates",
        headers=convener,
        cycle_id=CYCLE,
        uf="SP",
        limit=6,
        offset=6,
    )
    ids = [m["mandate_id"] for m in first + rest]
    assert len(first) == 6 and len(ids) == 10 == len(set(ids))
    assert {i[:3] for i in ids} == {"SP0", "SP1"}
    assert all("claim_sha256" not in m and m["credentialed"] is False for m in first + rest)
    assert_problem(
        await fed.regional.get("/api/v1/mandates", params={"cycle_id": CYCLE, "uf": "SP"}), 401
    )
    assert_problem(
        await fed.regional.get(
            "/api/v1/mandates", headers=elsewhere, params={"cycle_id": CYCLE, "uf": "SP"}
        ),
        403,
    )
    assert_problem(
        await fed.regional.get("/api/v1/mandates", headers=convener, params={"cycle_id": CYCLE}),
        422,
    )

    # The board is per state here: without uf (or with BR) a clear 422, not an empty board.
    for params in ({"cycle_id": CYCLE}, {"cycle_id": CYCLE, "uf": "BR"}):
        missing = await fed.regional.get("/api/v1/board", params=params)
        assert_problem(missing, 422)
        assert "uf=SP" in missing.json()["detail"]
    # So is every other read of a state's conference.
    for path in (
        "/api/v1/consolidation/suggestions",
        "/api/v1/consolidation/actions",
        "/api/v1/plenary/credentials",
    ):
        missing = await fed.regional.get(path, params={"cycle_id": CYCLE})
        assert_problem(missing, 422)
        assert "uf=SP" in missing.json()["detail"], path
    board = await get_json(fed.regional, "/api/v1/board", cycle_id=CYCLE, uf="SP")
    assert board["territory"] == "SP"
    assert len(board["reported"]) + len(board["late"]) == 2
