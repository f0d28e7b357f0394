"""A state plenary's report reaches the national tier, where its open data shows the order the
plenary voted, without the item it rejected, and the tallies of its three polls. The plenary
itself is checked at the regional tier alone (tests/integration/consolidation)."""

from __future__ import annotations

from tests.support.api import get_json
from tests.support.polling import eventually
from tests.support.reports import CYCLE
from tests.support.state_plenary import hold_state_plenary
from tests.support.tiers import Federation


async def test_a_state_plenarys_report_reaches_the_national_open_data(
    federation: Federation,
) -> None:
    fed = federation
    seats = await fed.national.post(
        "/api/v1/allocations/states",
        headers=federation.staff["national"],
        json={"cycle_id": CYCLE, "seats": 300},
    )
    assert seats.status_code == 201, seats.text
    plenary = await hold_state_plenary(fed)
    assert plenary.elected.status_code == 200 and plenary.elected.json()["elected"] == 2
    assert plenary.report.status_code == 202, plenary.report.text
    received = await eventually(
        lambda: get_json(fed.national, "/api/v1/reports", cycle_id=CYCLE),
        done=lambda rows: len(rows) == 1,
    )
    assert received[0]["mandates"] == 2 and received[0]["items"] == 2
    sources = await get_json(fed.national, "/api/v1/open-data/sources")
    assert [s["rank"] for s in sources if s["item_id"] == plenary.favourite] == [1]
    assert plenary.dropped not in {s["item_id"] for s in sources}
    tallies = await get_json(fed.national, "/api/v1/open-data/tallies")
    assert {t["kind"] for t in tallies} == {"priority", "decision", "election"}
