"""A national tier with something for its councils to answer: two states' reports (with local
origins in real municipalities) received over the bus and published as consolidated mandates
of one council."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from shared.contracts.messages import AssemblyReport, OriginRef, ReportItem
from shared.contracts.subjects import up_subject
from tests.support.api import get_json
from tests.support.bus import publish_row
from tests.support.polling import eventually
from tests.support.reports import CYCLE
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


def state_report(uf: str, participants: int, items: list[tuple[str, list[str]]]) -> AssemblyReport:
    return AssemblyReport(
        report_id=str(uuid.uuid4()),
        cycle_id=CYCLE,
        tier="regional",
        assembly_id=f"regional:{CYCLE}:{uf}",
        assembly_kind="state",
        territory=uf,
        uf=uf,
        title=f"Conferência estadual {uf}",
        closed_at=datetime.now(UTC),
        participants=participants,
        population=participants * 1000,
        items=[
            ReportItem(
                item_id=str(uuid.uuid4()),
                axis="saude-1",
                competence="national",
                title=title,
                text=f"{title}, com financiamento tripartite.",
                rank=n,
                support=10,
                origins=[
                    OriginRef(
                        proposal_id=str(uuid.uuid4()),
                        assembly_id=str(uuid.uuid4()),
                        territory=town,
                    )
                    for town in towns
                ],
            )
            for n, (title, towns) in enumerate(items, start=1)
        ],
    )


async def published_mandates(fed: Federation, council: str = "CNS") -> list[dict[str, Any]]:
    """Send the states' reports, wait for them, publish every item to ``council``; the items."""
    for uf, participants, texts in STATES:
        row = fed.outbox("regional").prepare(
            state_report(uf, participants, texts), up_subject("regional", "report", uf)
        )
        await publish_row(fed.nats_url, row)
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
