"""A local assembly run through the HTTP API alone, from creation to the signed report the
regional tier applies (issue 4's definition of done). What the report holds is checked at the
local tier (tests/integration/local/test_report.py); here, that it arrives as it left."""

from __future__ import annotations

from sqlalchemy import select

from shared.features.consolidation.model import ReceivedReport
from tests.support.assemblies import hold_plenary
from tests.support.bus import outbox_messages
from tests.support.polling import eventually
from tests.support.tiers import Federation


async def test_a_closed_assemblys_signed_report_is_applied_at_the_regional_tier_as_sent(
    federation: Federation,
) -> None:
    plenary = await hold_plenary(federation)
    closed = await plenary.desk.post("/close")
    assert closed.status_code == 202, closed.text

    async def arrived() -> list[ReceivedReport]:
        async with federation.nodes["regional"].sessions() as session:
            return list((await session.scalars(select(ReceivedReport))).all())

    [report] = await eventually(arrived)
    [sent] = await outbox_messages(federation.nodes["local"], "report")
    assert report.sender == plenary.desk.created["key_id"]  # signed by the assembly's own key
    assert report.sender == sent.sender
    assert report.body == sent.body
    assert report.body["assembly_id"] == plenary.desk.aid
    assert len(report.body["items"]) == closed.json()["items"] == 4
