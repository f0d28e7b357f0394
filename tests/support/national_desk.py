"""A national tier with something for its councils to answer: two states' reports (with local
origins in real municipalities) received over the bus and published as consolidated mandates
of one council."""

from __future__ import annotations

from typing import Any

from tests.support.api import get_json
from tests.support.polling import eventually
from tests.support.reports import CYCLE, send_state_report
from tests.support.tiers import Federation

#: (UF, participants, [(title, [origin municipalities])]).
STATES: list[tuple[str, int, list[tuple[str, list[str]]]]] = [
    (
        "SP",
        1200,
        [
            ("Ampliar a atenção básica nas periferias", ["3550308", "3509502", "3548708"]),
            ("Financiar o SUAS nos municípios pequenos", ["3550308"]),
        ],
    ),
    (
        "RJ",
        800,
        [("Regular os leitos de UTI no interior", ["3304557", "3303302"])],
    ),
]


async def published_mandates(fed: Federation, council: str = "CNS") -> list[dict[str, Any]]:
    """Send the states' reports, wait for them, publish every item to ``council``; the items."""
    for uf, participants, items in STATES:
        await send_state_report(
            fed,
            uf,
            texts=[title for title, _ in items],
            origins=[towns for _, towns in items],
            participants=participants,
            population=participants * 1000,
        )
    await eventually(
        lambda: get_json(fed.national, "/api/v1/reports"), lambda r: len(r) == len(STATES)
    )
    published = await fed.national.post(
        "/api/v1/council/publish",
        headers=fed.staff["national"],
        json={"cycle_id": CYCLE, "council": council},
    )
    assert published.status_code == 200, published.text
    items: list[dict[str, Any]] = await get_json(fed.national, "/api/v1/items", cycle_id=CYCLE)
    return items
