"""The workbench at a big state's scale: the seeded conference is ranked, the Sistematização and
Priorização pages show one page of items however many the axis holds, and the bench's timing
of those pages reports its percentiles (the figures themselves are measured by `plenaria
bench`, never asserted here)."""

from __future__ import annotations

import re

from babel.numbers import format_decimal

from shared.tools.simulation.workbench import (
    CYCLE,
    after_a_merge,
    seed_state,
    sign_in,
    time_pages,
    until_suggested,
    workbench_paths,
)
from tests.support.api import get_json
from tests.support.tiers import Federation, operator

PER_PAGE = 20
SHOWN = 8


def csrf_of_text(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def test_the_pages_show_one_page_of_a_big_axis_and_the_bench_times_them(
    regional_tier: Federation,
) -> None:
    fed = regional_tier
    async with fed.nodes["regional"].db.transaction() as session:
        seeded = await seed_state(session, uf="SP", proposals=1200, towns=40)
    assert seeded == {"reports": 40, "items": 1200, "ranked": 1200}
    axis = await get_json(
        fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="SP", axis="saude-1", limit=1000
    )
    assert len(axis) > PER_PAGE * 3
    best = axis[0]
    assert best["rank"] == 1 and best["breakdown"]["contributions"]

    paths = workbench_paths("SP")
    async with fed.browser("regional") as client:
        await sign_in(client, operator("regional"), uf="SP")
        workbench = (await client.get(paths[0])).text
        priorities = (await client.get(paths[2])).text
        assert workbench.count('<article class="item"') == PER_PAGE
        heading = re.search(r"Itens do eixo: ([0-9.]+) · página 1 de ([0-9]+)<", workbench)
        assert heading is not None, workbench[:3000]
        assert heading.groups() == (str(len(axis)), str(-(-len(axis) // PER_PAGE)))
        assert priorities.count('class="cartao classificado"') == PER_PAGE
        first = re.search(r'<svg class="barras" role="img" aria-label="([^"]+)"', priorities)
        assert first is not None
        score = format_decimal(best["breakdown"]["score"], locale="pt_BR")  # 13.328, pt-BR
        assert first.group(1).startswith(f"Pontuação {score};")
        first = await until_suggested(client, paths[0], uf="SP", cycle_id=CYCLE)
        assert set(first) == {"first_page_ms", "suggestions_ready_s"}
        timed = await time_pages(client, paths, rounds=3)
        after = await after_a_merge(client, paths[0], uf="SP", cycle_id=CYCLE)
        assert set(after) == {"after_merge_ms", "after_undo_ms"}
        log = await get_json(client, "/api/v1/consolidation/actions", cycle_id=CYCLE, uf="SP")
        assert [(a["kind"], a["undone_at"] is not None) for a in log] == [("merge", True)]

        # A common demand gathers more items than a card shows: 8 side by side, the rest
        # merged with them by one checkbox.
        (big,) = [
            s
            for s in await get_json(
                client, "/api/v1/consolidation/suggestions", cycle_id=CYCLE, uf="SP", axis="saude-1"
            )
            if len(s["items"]) > SHOWN
        ][:1]
        page = (await client.get(paths[0])).text
        (card,) = [
            form.split("</form>")[0]
            for form in page.split('<form class="cartao grupo"')[1:]
            if big["items"][0]["id"] in form.split("</form>")[0]
        ]
        assert card.count('name="item_ids"') == SHOWN
        hidden = re.search(r'name="more_ids" value="([^"]+)"', card)
        assert hidden is not None and len(hidden.group(1).split(",")) == len(big["items"]) - SHOWN
        merged = await client.post(
            "/estado/SP/sistematizacao/mesclar",
            data={
                "_csrf_token": csrf_of_text(page),
                "ciclo": CYCLE,
                "eixo": "saude-1",
                "item_ids": [i["id"] for i in big["items"][:SHOWN]],
                "more_ids": hidden.group(1),
                "include_more": "1",
            },
        )
        assert merged.status_code == 303
        log = await get_json(client, "/api/v1/consolidation/actions", cycle_id=CYCLE, uf="SP")
        assert sorted(log[0]["payload"]["retired"]) == sorted(i["id"] for i in big["items"])
    assert set(timed) == set(paths)
    for figures in timed.values():
        assert figures["n"] == 3
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]
        assert figures["bytes"] > 0
