"""A block vote at the state plenary, counted from paper: the items of the bloc each get their
decision poll with the bloc's counts, the *destaque* left out stays to be voted on its own;
nothing decides until another person of the desk confirms; a bloc with a mistake in it (an item
twice, one already decided or being voted, negative counts) writes nothing, and only this
state's desk may send one."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.api import get_json
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly, mandates
from tests.support.state_plenary import BASE, TEXTS, seats_from_the_nation
from tests.support.tiers import Federation


async def items_of(fed: Federation) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await get_json(
        fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="BA", status="all"
    )
    return rows


async def polls_of(fed: Federation) -> list[str]:
    """The subjects of the plenary's polls, as its desk's board lists them."""
    board = await fed.nodes["regional"].services["plenary"].board(cycle_id=CYCLE, uf="BA")
    return [p.subject for p in board.polls]


async def bloc(fed: Federation, headers: dict[str, str], decisions: list[Any]) -> httpx.Response:
    return await fed.regional.post(
        "/api/v1/plenary/decisions", headers=headers, json={**BASE, "decisions": decisions}
    )


async def test_a_block_vote_decides_its_items_once_confirmed_and_leaves_the_destaque(
    regional_tier: Federation,
) -> None:
    fed = regional_tier
    await seats_from_the_nation(fed)
    for n, town in enumerate(("2927408", "2910800")):
        assembly = FakeAssembly(fed, town, "BA")
        await assembly.introduce()
        await assembly.send(assembly.report(TEXTS[n::2], mandates=mandates(f"BA{n}")))
    items = await eventually(lambda: items_of(fed), done=lambda rows: len(rows) == 3)
    for mandate_id in ("BA0-u1", "BA1-u1"):
        admitted = await fed.regional.post(
            "/api/v1/plenary/credentials",
            headers=fed.staff["regional"],
            json={**BASE, "mandate_id": mandate_id, "holder": f"doc-{mandate_id}"},
        )
        assert admitted.status_code == 201, admitted.text
    kept, rejected, destaque = (i["id"] for i in items)
    desk = fed.staff["regional"]

    # Mistakes refuse the whole bloc, and write nothing.
    twice = await bloc(fed, desk, [{"item_id": kept, "yes": 2}, {"item_id": kept, "no": 1}])
    assert twice.status_code == 422 and "more than once" in twice.text, twice.text
    negative = await bloc(fed, desk, [{"item_id": kept, "yes": 2}, {"item_id": rejected, "no": -1}])
    assert negative.status_code == 422, negative.text
    stuffed = await bloc(fed, desk, [{"item_id": kept, "yes": 3}])
    assert stuffed.status_code == 422 and "voters present" in stuffed.text, stuffed.text
    unknown = await bloc(fed, desk, [{"item_id": kept, "yes": 1}, {"item_id": "nada", "yes": 1}])
    assert unknown.status_code == 422, unknown.text
    assert await polls_of(fed) == []

    # Only this state's desk sends a bloc: not a convener of another state, not the public.
    sergipe = await fed.person("regional", {"role": "convener", "territory": "SE"})
    assert (await bloc(fed, sergipe, [{"item_id": kept, "yes": 1}])).status_code == 403
    assert (await bloc(fed, {}, [{"item_id": kept, "yes": 1}])).status_code == 401

    counted = await bloc(fed, desk, [{"item_id": kept, "yes": 2}, {"item_id": rejected, "no": 2}])
    assert counted.status_code == 201, counted.text
    polls = counted.json()
    assert [(p["subject"], p["status"]) for p in polls] == [
        (kept, "counted"),
        (rejected, "counted"),
    ]
    assert {i["id"]: i["status"] for i in await items_of(fed)} == dict.fromkeys(
        (kept, rejected, destaque), "active"
    ), "counted, nothing is decided yet"
    again = await bloc(fed, desk, [{"item_id": rejected, "yes": 2}])
    assert again.status_code in (409, 422), "an item already being voted is refused"

    mine = await fed.regional.post(
        "/api/v1/plenary/polls/confirm",
        headers=desk,
        json={**BASE, "poll_ids": [p["id"] for p in polls]},
    )
    assert mine.status_code == 403, "who counted the bloc cannot confirm it"
    second = await fed.person("regional", {"role": "commission", "territory": "BA"})
    confirmed = await fed.regional.post(
        "/api/v1/plenary/polls/confirm",
        headers=second,
        json={**BASE, "poll_ids": [p["id"] for p in polls]},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert {i["id"]: i["status"] for i in await items_of(fed)} == {
        kept: "active",
        rejected: "rejected",
        destaque: "active",
    }
    decided = await bloc(fed, desk, [{"item_id": rejected, "yes": 2}])
    assert decided.status_code == 409, "a decided item cannot go into another bloc"

    # The destaque is then voted on its own.
    alone = await bloc(fed, desk, [{"item_id": destaque, "yes": 1, "no": 1}])
    assert alone.status_code == 201, alone.text
