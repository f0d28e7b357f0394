"""Many assemblies introduce their keys and report at once (some reports twice): the regional
consumer applies them concurrently, every report exactly once, none before its key."""

from __future__ import annotations

from typing import Any

from tests.support.api import get_json
from tests.support.bus import publish_row
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly
from tests.support.tiers import Federation, operator

TEXTS = [
    ("saude-1", "national", "Ampliar o horário de funcionamento das UBS até as 22 horas"),
    ("saude-2", "state", "Contratar agentes comunitários para as áreas rurais"),
]


async def test_many_senders_each_report_applied_once_after_its_introduction(
    regional_tier: Federation,
) -> None:
    assemblies = [FakeAssembly(regional_tier, f"33{n:05d}", "RJ") for n in range(16)]
    rows: list[dict[str, Any]] = []
    for assembly in assemblies:
        # The report follows its introduction immediately, in the same fetched batch.
        await assembly.introduce()
        rows.append(await assembly.send(assembly.report(TEXTS)))
    for row in rows[::4]:
        await publish_row(regional_tier.nats_url, row)  # a redelivered duplicate

    async def board() -> dict[str, Any]:
        result: dict[str, Any] = await get_json(
            regional_tier.regional, "/api/v1/board", cycle_id=CYCLE, uf="RJ"
        )
        return result

    final = await eventually(board, done=lambda b: len(b["reported"]) == len(assemblies))
    assert sorted(r["assembly_id"] for r in final["reported"]) == sorted(
        a.assembly_id for a in assemblies
    )
    assert final["dead_letters"]["by_reason"] == {}
    items = await get_json(regional_tier.regional, "/api/v1/items", cycle_id=CYCLE, uf="RJ")
    assert len(items) == len(assemblies) * len(TEXTS)
    letters = await get_json(
        regional_tier.regional, "/api/v1/dead-letters/", headers=operator("regional")
    )
    assert letters["total"] == 0
