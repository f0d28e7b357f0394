"""Reports signed by an unknown, revoked or another assembly's key are dead-lettered, and the
ingest board shows who reported, who is missing and why messages were refused (regional tier
alone); before any report, the national board expects all 27 states (national tier alone)."""

from __future__ import annotations

from typing import Any

from tests.support.api import get_json
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly
from tests.support.tiers import Federation, operator

TEXT = [("saude-1", "national", "Ampliar o horário de funcionamento das UBS até as 22 horas")]


async def test_unknown_revoked_and_borrowed_keys_are_dead_lettered(
    regional_tier: Federation,
) -> None:
    regional = regional_tier.regional
    stranger = FakeAssembly(regional_tier, "3304557", "RJ")  # never introduced
    await stranger.send(stranger.report(TEXT))

    honest = FakeAssembly(regional_tier, "3303302", "RJ")
    other = FakeAssembly(regional_tier, "3301702", "RJ")
    late = FakeAssembly(regional_tier, "3300100", "RJ")
    for assembly in (honest, other, late):
        await assembly.introduce()

    async def board() -> dict[str, Any]:
        result: dict[str, Any] = await get_json(regional, "/api/v1/board", cycle_id=CYCLE, uf="RJ")
        return result

    await eventually(board, done=lambda b: b["expected"] == 3)
    # A key introduced for one assembly cannot sign another assembly's report.
    await honest.send(honest.report(TEXT, assembly_id=other.assembly_id))
    await honest.send(honest.report(TEXT))
    await eventually(board, done=lambda b: len(b["reported"]) == 1)

    await late.revoke()
    await eventually(
        lambda: get_json(regional, "/api/v1/dead-letters/", headers=operator("regional")),
        done=lambda d: d["total"] >= 2,
    )
    await late.send(late.report(TEXT))

    final = await eventually(
        board, done=lambda b: sum(b["dead_letters"]["by_reason"].values()) >= 3
    )
    assert final["dead_letters"]["by_reason"] == {
        "unknown-sender": 1,
        "wrong-signer": 1,
        "revoked-key": 1,
    }
    assert [r["assembly_id"] for r in final["reported"]] == [honest.assembly_id]
    assert {m["unit"] for m in final["missing"]} == {other.assembly_id}
    assert final["unexpected"] == []
    items = await get_json(regional, "/api/v1/items", cycle_id=CYCLE, uf="RJ")
    assert len(items) == 1


async def test_the_national_board_expects_every_state_before_any_reports(
    national_tier: Federation,
) -> None:
    national = await get_json(national_tier.national, "/api/v1/board", cycle_id=CYCLE)
    assert national["expected"] == 27 and len(national["missing"]) == 27
    assert national["reported"] == []
