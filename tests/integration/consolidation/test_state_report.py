"""A state conference closes once, even with no items: the regional tier sends its report up
(read from the stream), and the national tier applies such a report (signed as the regional
tier would sign it). Each test runs one tier."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from shared.contracts.messages import AssemblyReport
from shared.contracts.subjects import up_subject
from tests.support.api import get_json
from tests.support.bus import publish_row, stream_messages
from tests.support.polling import eventually
from tests.support.tiers import Federation


async def test_a_state_with_no_items_still_reports_once(regional_tier: Federation) -> None:
    close = {"cycle_id": "cns-2027", "uf": "AC"}
    first = await regional_tier.regional.post(
        "/api/v1/conference/close", headers=regional_tier.staff["regional"], json=close
    )
    assert first.status_code == 202, first.text
    assert first.json()["items"] == 0
    again = await regional_tier.regional.post(
        "/api/v1/conference/close", headers=regional_tier.staff["regional"], json=close
    )
    assert again.status_code == 409
    subject = up_subject("regional", "report", "AC")
    sent = await eventually(lambda: stream_messages(regional_tier.nats_url, subject))
    assert [(m.body["uf"], m.body["tier"], m.body["items"]) for m in sent] == [
        ("AC", "regional", [])
    ]
    assert sent[0].body["report_id"] == first.json()["report_id"]


async def test_the_nation_applies_a_state_report_with_no_items(national_tier: Federation) -> None:
    report = AssemblyReport(
        report_id=str(uuid.uuid4()),
        cycle_id="cns-2027",
        tier="regional",
        assembly_id="regional:cns-2027:AC",
        assembly_kind="state",
        territory="AC",
        uf="AC",
        title="state conference AC",
        closed_at=datetime.now(UTC),
        population=830_026,
    )
    row = national_tier.outbox("regional").prepare(report, up_subject("regional", "report", "AC"))
    await publish_row(national_tier.nats_url, row)
    reports = await eventually(lambda: get_json(national_tier.national, "/api/v1/reports"))
    assert [(r["uf"], r["items"]) for r in reports] == [("AC", 0)]
