"""A national tier with something for its councils to answer: two states' reports (with local
origins in real municipalities) received over the bus and published as consolidated mandates
of one council, and the people of its councils' desk."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass
class CouncilDesk:
    """A national tier's published mandates (all of CNS, one then moved to CNAS) and people:
    two CNS members, one CNAS member, the commission; each with their headers and account id."""

    fed: Federation
    items: list[dict[str, Any]]
    cns: list[dict[str, Any]]
    cnas_item: dict[str, Any]
    people: dict[str, dict[str, str]]
    accounts: dict[str, str]


async def council_desk(fed: Federation) -> CouncilDesk:
    items = await published_mandates(fed)
    staff = fed.staff["national"]
    moved = next(i for i in items if i["title"].startswith("Financiar o SUAS"))
    assigned = await fed.national.post(
        f"/api/v1/council/items/{moved['id']}/assignment", headers=staff, json={"council": "CNAS"}
    )
    assert assigned.status_code == 200, assigned.text
    people = {
        "ana (CNS)": await fed.person(
            "national", {"role": "council", "council": "CNS"}, name="Conselheira Ana"
        ),
        "bruno (CNS)": await fed.person(
            "national", {"role": "council", "council": "CNS"}, name="Conselheiro Bruno"
        ),
        "carla (CNAS)": await fed.person(
            "national", {"role": "council", "council": "CNAS"}, name="Conselheira Carla"
        ),
        "commission": staff,
    }
    accounts = {
        name: (await get_json(fed.national, "/api/v1/identity/me", headers=headers))["id"]
        for name, headers in people.items()
    }
    cns = [i for i in items if i["id"] != moved["id"]]
    return CouncilDesk(fed, items, cns, moved, people, accounts)
