"""docs/spec.md §10: an oversized message is dead-lettered with its reason, kept, and replayable.

(Forged, unsigned, unknown-sender, undecodable and replayed messages are covered by
tests/federation/test_backbone.py.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from shared.platform.bus.models import OutboxEntry
from tests.support.polling import eventually
from tests.support.tiers import AUTH, Federation, FederationFactory

LIMIT = 16 * 1024


async def open_assembly(federation: Federation, text_length: int) -> str:
    created = await federation.local.post(
        "/api/v1/assemblies/",
        headers=AUTH,
        json={
            "cycle_id": "cns-2027",
            "kind": "municipal",
            "territory": "3304557",
            "uf": "RJ",
            "title": f"Conferência com propostas de {text_length} caracteres",
            "participants": 150,
        },
    )
    assert created.status_code == 201, created.text
    assembly_id = str(created.json()["id"])
    proposals = [
        {
            "axis": f"saude-{n % 3 + 1}",
            "competence": "national",
            "title": f"Proposta {n}",
            "text": (f"Proposta {n}: ampliar o atendimento básico de saúde. " * 200)[:text_length],
            "support": 20 - n,
        }
        for n in range(6)
    ]
    batch = await federation.local.post(
        f"/api/v1/assemblies/{assembly_id}/proposals/bulk",
        headers=AUTH,
        json={"proposals": proposals},
    )
    assert batch.status_code == 201, batch.text
    closed = await federation.local.post(f"/api/v1/assemblies/{assembly_id}/close", headers=AUTH)
    assert closed.status_code == 202, closed.text
    return assembly_id


async def test_oversized_report_is_dead_lettered_and_replayable_under_a_raised_limit(
    federation_factory: FederationFactory,
) -> None:
    federation = await federation_factory(regional={"max_message_bytes": LIMIT})
    small = await open_assembly(federation, text_length=200)
    big = await open_assembly(federation, text_length=5000)
    async with federation.nodes["local"].sessions() as session:
        sizes = {
            row.id: len(row.data)
            for row in await session.scalars(
                select(OutboxEntry).where(OutboxEntry.kind == "report")
            )
        }
    assert sorted(sizes.values())[0] <= LIMIT < sorted(sizes.values())[1]
    big_message = max(sizes, key=lambda message_id: sizes[message_id])

    async def letters() -> dict[str, Any]:
        data: dict[str, Any] = (await federation.regional.get("/api/v1/dead-letters/")).json()
        return data

    async def reports() -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = (await federation.regional.get("/api/v1/reports")).json()
        return data

    listed = await eventually(letters, done=lambda d: d["total"] >= 1)
    await eventually(reports)
    [letter] = listed["items"]
    assert letter["reason"] == "oversized"
    assert letter["message_id"] == big_message
    assert f"{sizes[big_message]} bytes" in letter["detail"]
    assert len(letter["raw"].encode()) == sizes[big_message]  # kept whole, not truncated
    assert [r["assembly_id"] for r in await reports()] == [small]
    assert (await federation.regional.get("/health/ready")).status_code == 200

    # Replaying under the same limit refuses it again, for the same reason.
    again = await federation.regional.post(
        f"/api/v1/dead-letters/{letter['id']}/replay", headers=AUTH
    )
    assert again.json() == {"id": letter["id"], "outcome": "dead-lettered", "reason": "oversized"}

    # The operator raises the limit (a configuration change; here on the running receiver)
    # and replays the letter: the report is applied, once.
    federation.nodes["regional"].receiver.max_message_bytes = 8 * 1024 * 1024
    replay = await federation.regional.post(
        f"/api/v1/dead-letters/{letter['id']}/replay", headers=AUTH
    )
    assert replay.json()["outcome"] == "applied"
    assert sorted(r["assembly_id"] for r in await reports()) == sorted([small, big])
