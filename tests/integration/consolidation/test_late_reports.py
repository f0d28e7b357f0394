"""A municipal report that arrives after its state conference closed is flagged late with the
reason, kept, trimmed to the late policy, and either forwarded in an addendum or refused with a
reason the convener sees (regional tier alone)."""

from __future__ import annotations

from typing import Any

from shared.contracts.subjects import up_subject
from shared.core.cycle import preset_text
from tests.support.api import get_json
from tests.support.bus import stream_messages
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly
from tests.support.tiers import Federation, operator

LATE_TEXTS = [
    ("saude-1", "national", f"Proposta tardia número {n} sobre atenção básica") for n in range(6)
]


async def close(fed: Federation, uf: str) -> Any:
    return await fed.regional.post(
        "/api/v1/conference/close",
        headers=fed.staff["regional"],
        json={"cycle_id": CYCLE, "uf": uf},
    )


async def late_report_arrives(fed: Federation, uf: str, territory: str) -> dict[str, Any]:
    town = FakeAssembly(fed, territory, uf)
    await town.introduce()
    await town.send(town.report(LATE_TEXTS))

    async def late_row() -> dict[str, Any] | None:
        board = await get_json(fed.regional, "/api/v1/board", cycle_id=CYCLE, uf=uf)
        rows = [r for r in board["late"] if r["assembly_id"] == town.assembly_id]
        return rows[0] if rows else None

    return await eventually(late_row)


async def test_a_report_after_the_state_closed_goes_up_in_an_addendum(
    regional_tier: Federation,
) -> None:
    first = await close(regional_tier, "AC")
    assert first.status_code == 202, first.text
    row = await late_report_arrives(regional_tier, "AC", "1200401")
    assert row["late"] is True
    assert row["late_reason"].startswith("arrived after the state conference closed")
    addendum = await close(regional_tier, "AC")
    assert addendum.status_code == 202, addendum.text
    body = addendum.json()
    assert body["addendum_of"] == first.json()["report_id"]
    assert body["items"] == 4  # the late policy: at most 4 per axis
    subject = up_subject("regional", "report", "AC")
    sent = await eventually(lambda: _two(stream_messages(regional_tier.nats_url, subject)))
    assert [m.body["addendum_of"] for m in sent] == ["", first.json()["report_id"]]
    assert all(m.body["late"] for m in sent[1:]) and sent[1].body["mandates"] == []
    again = await close(regional_tier, "AC")
    assert again.status_code == 409
    assert "no late item awaits an addendum" in again.json()["detail"]


async def _two(messages: Any) -> Any:
    found = await messages
    return found if len(found) >= 2 else None


async def test_a_cycle_may_refuse_reports_after_closing(regional_tier: Federation) -> None:
    text = preset_text("health").replace(
        "[late]\nmax_per_axis = 4", '[late]\nafter_close = "refuse"\nmax_per_axis = 4'
    )
    loaded = await regional_tier.regional.post(
        "/api/v1/cycles/", headers=operator("regional"), json={"rules_toml": text}
    )
    assert loaded.status_code == 201, loaded.text
    assert (await close(regional_tier, "RR")).status_code == 202
    row = await late_report_arrives(regional_tier, "RR", "1400100")
    assert "the cycle refuses reports after the conference closed" in row["late_reason"]
    refused = await close(regional_tier, "RR")
    assert refused.status_code == 409
    assert "refuses reports after the conference closed" in refused.json()["detail"]
