"""The regional tier keeps each assembly's audit head with its report and its board flags
what the summary shows: credentials given while a poll was open, counts at a roll's limit,
election ties; a unit whose later head does not extend an earlier one is flagged too."""

from __future__ import annotations

from typing import Any

import msgspec

from shared.contracts.messages import AuditSummary
from shared.features.consolidation.board import flags_of
from tests.support.api import get_json
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly
from tests.support.tiers import Federation

TEXTS = [("saude-1", "state", "Ampliar a atenção básica no interior")]


async def test_the_board_keeps_the_head_and_flags_what_it_shows(
    regional_tier: Federation,
) -> None:
    quiet, busy = (
        FakeAssembly(regional_tier, "2927408", "BA"),
        FakeAssembly(regional_tier, "2910800", "BA"),
    )
    summaries = {
        quiet.assembly_id: AuditSummary(head="12:" + "a" * 64, events=12),
        busy.assembly_id: AuditSummary(
            head="40:" + "b" * 64, events=40, late_credentials=20, counts_at_limit=1, ties=1
        ),
    }
    for assembly in (quiet, busy):
        await assembly.introduce()
        report = msgspec.structs.replace(
            assembly.report(TEXTS), audit=summaries[assembly.assembly_id]
        )
        await assembly.send(report)

    async def board() -> dict[str, Any]:
        result: dict[str, Any] = await get_json(
            regional_tier.regional, "/api/v1/board", cycle_id=CYCLE, uf="BA"
        )
        return result

    shown = await eventually(board, done=lambda b: len(b["reported"]) == 2)
    heads = {r["assembly_id"]: r["audit_head"] for r in shown["reported"]}
    assert heads == {a: s.head for a, s in summaries.items()}
    [flagged] = shown["flagged"]
    assert flagged["assembly_id"] == busy.assembly_id
    assert flagged["flags"] == [
        "20 credentials given while a poll was open",
        "1 counted polls at their roll's limit",
        "1 election ties broken",
    ]


def test_a_head_that_does_not_extend_the_one_received_before_is_flagged() -> None:
    body: dict[str, Any] = {"audit": {"head": "9:" + "c" * 64}}
    assert flags_of(body, ["12:" + "a" * 64, "9:" + "c" * 64]) == [
        "the audit chain does not extend the head received before"
    ]
    assert flags_of(body, ["12:" + "a" * 64, "12:" + "d" * 64]) != []
    assert flags_of(body, ["9:" + "c" * 64, "12:" + "a" * 64]) == []
    assert flags_of({}, []) == []
