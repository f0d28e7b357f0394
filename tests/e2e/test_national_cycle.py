"""From neighbourhood proposals to the council's answer and back, over the real bus: three states
with three municipalities each, seats down, reports up, merges, ranking, credentials, the
national mandates, answers reaching every origin exactly once, lineage both ways, open data.

The cycle runs once per module on one federation (``module_federation``): each fixture below
runs one stage (tests.support.national_cycle) on top of the previous ones and records what the
tiers answered; each test checks one behaviour of the stage it asks for.
"""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from sqlalchemy import select

from shared.contracts.envelope import MSG_ID_HEADER
from shared.platform.bus.models import InboxEntry, OutboxEntry
from tests.support.api import get_json
from tests.support.bus import publish_row
from tests.support.national_cycle import (
    STATES,
    Credentialing,
    Cycle,
    announce,
    answer_every_item,
    attachments,
    close_states,
    consolidate_states,
    credential_delegates,
    hold_local_assemblies,
    publish_nationally,
    share_sp_seats,
    share_state_seats,
)
from tests.support.polling import eventually
from tests.support.tiers import Federation, operator


@pytest.fixture(scope="module")
async def announced(module_federation: Federation) -> Cycle:
    cycle = Cycle(module_federation)
    await announce(cycle)
    return cycle


@pytest.fixture(scope="module")
async def seated(announced: Cycle) -> Cycle:
    await share_state_seats(announced)
    return announced


@pytest.fixture(scope="module")
async def reported(seated: Cycle) -> Cycle:
    await hold_local_assemblies(seated)
    return seated


@pytest.fixture(scope="module")
async def shared(reported: Cycle) -> Cycle:
    await share_sp_seats(reported)
    return reported


@pytest.fixture(scope="module")
async def consolidated(shared: Cycle) -> Cycle:
    await consolidate_states(shared)
    return shared


@pytest.fixture(scope="module")
async def states_closed(consolidated: Cycle) -> Cycle:
    await close_states(consolidated)
    return consolidated


@pytest.fixture(scope="module")
async def credentials(states_closed: Cycle) -> Credentialing:
    return await credential_delegates(states_closed)


@pytest.fixture(scope="module")
async def published(states_closed: Cycle) -> Cycle:
    await publish_nationally(states_closed)
    return states_closed


@pytest.fixture(scope="module")
async def answered(published: Cycle) -> Cycle:
    await answer_every_item(published)
    return published


@pytest.fixture(scope="module")
async def attached(answered: Cycle) -> Cycle:
    """Every answer has reached the regional tier's copies of its local origins."""
    expected = sum(answered.versions[item] for item in answered.reached.values())
    await eventually(lambda: attachments(answered.fed), done=lambda count: count == expected)
    return answered


# --- the cycle comes down -----------------------------------------------------------------


async def test_the_announced_rules_reach_the_regional_tier(announced: Cycle) -> None:
    assert announced.announced is not None
    assert announced.announced.status_code == 202, announced.announced.text
    rules = announced.regional_rules
    assert rules["caps"]["state"] == {
        "per_axis": False,
        "national": 20,
        "state": None,
        "municipal": None,
    }
    assert rules["routing"]["regional"] == ["national"]


async def test_invalid_rules_are_not_announced(announced: Cycle) -> None:
    bad = await announced.fed.national.post(
        "/api/v1/cycles/announce",
        headers=announced.fed.staff["national"],
        json={"rules_toml": "cycle_id = 3"},
    )
    assert bad.status_code == 422


async def test_the_nation_shares_its_seats_among_the_27_states(seated: Cycle) -> None:
    assert seated.state_seats is not None
    assert seated.state_seats.status_code == 201, seated.state_seats.text
    by_uf = seated.by_uf
    assert len(by_uf) == 27 and sum(a["seats"] for a in by_uf.values()) == 300
    assert by_uf["SP"]["seats"] > by_uf["RR"]["seats"]
    assert all(a["per_segment"]["users"] * 2 >= a["seats"] for a in by_uf.values())


# --- reports go up ------------------------------------------------------------------------


async def test_the_regional_board_expects_each_assembly_until_it_reports(
    reported: Cycle,
) -> None:
    for uf in STATES:
        assert len(reported.boards_before_closing[uf]["missing"]) == 3
    assert [r.status_code for r in reported.closings] == [202] * 9, reported.closings
    for uf in STATES:
        board = reported.boards_after_closing[uf]
        assert len(board["reported"]) == 3 and board["missing"] == []


async def test_a_state_shares_the_seats_it_received_among_its_assemblies(shared: Cycle) -> None:
    sp_seats = shared.by_uf["SP"]["seats"]
    received = {r["territory"]: r["seats"] for r in shared.received_allocations}
    assert received["SP"] == sp_seats
    assert shared.shared_sp is not None
    assert shared.shared_sp.status_code == 201, shared.shared_sp.text
    assert sum(a["seats"] for a in shared.shared_sp.json()) == sp_seats
    assert {a["assembly_id"] for a in shared.shared_sp.json()} == set(shared.assemblies["SP"])


async def test_states_merge_near_duplicates_automatically_or_by_hand(consolidated: Cycle) -> None:
    auto = consolidated.auto_merged_sp
    assert auto is not None
    assert auto.status_code == 200 and auto.json()["clusters"] >= 1, auto.text
    assert consolidated.suggestions_rj, "RJ's UBS and CAPS proposals are near-duplicates"
    assert [m.status_code for m in consolidated.merged_rj] == [201] * len(
        consolidated.suggestions_rj
    )


async def test_each_state_reports_its_delegates_to_the_nation(states_closed: Cycle) -> None:
    for uf, closed in states_closed.state_closings.items():
        assert closed.status_code == 202, (uf, closed.text)
        assert closed.json()["mandates"] == 5
    board = states_closed.national_board
    assert len(board["reported"]) == 3 and len(board["missing"]) == 24


async def test_national_delegates_are_admitted_only_on_received_mandates(
    credentials: Credentialing,
) -> None:
    assert credentials.admitted == {
        "SP-u1 -> doc-1": 201,
        "SP-u1 -> doc-9": 409,  # one credential per mandate
        "RJ-u1 -> doc-1": 409,  # nobody holds two mandates
        "SP-a1 -> doc-2": 409,  # no titular is absent
        "forged-1 -> doc-3": 404,
        "SP-u2 -> doc-4": 409,  # the titular was declared absent
        "SP-a2 -> doc-5": 409,  # the first alternate comes first
        "SP-a1 -> doc-6": 201,
    }
    assert credentials.absent.status_code == 201, credentials.absent.text


async def test_an_alternate_takes_an_absent_titulars_seat(credentials: Credentialing) -> None:
    assert credentials.replacing.json()["replaces_mandate_id"] == "SP-u2"
    # Listed by assembly, segment and rank: SP-a1 and SP-u1 tie (users, rank 1).
    assert sorted(c["mandate_id"] for c in credentials.listed) == ["SP-a1", "SP-u1"]


# --- the nation publishes, lineage down ---------------------------------------------------


async def test_the_nation_merges_across_states_and_publishes_every_item(
    published: Cycle,
) -> None:
    merged = published.auto_merged_national
    assert merged is not None
    assert merged.status_code == 200 and merged.json()["clusters"] >= 2, merged.text
    assert published.published is not None
    assert published.published.status_code == 200, published.published.text
    assert published.published.json()["published"] == len(published.items)


async def test_every_national_item_traces_to_its_local_proposals(published: Cycle) -> None:
    seen: list[str] = []
    for item in published.items:
        lineage = published.lineages[item["id"]]
        assert lineage["sources"] and lineage["origins"]
        assert item["breakdown"]["local_proposals"] == len(lineage["origins"])
        seen += [origin["proposal_id"] for origin in lineage["origins"]]
    assert len(seen) == len(set(seen)), "an origin in two national items"
    assert set(seen) == published.national_proposals


async def test_the_ubs_proposals_of_all_nine_municipalities_are_one_national_item(
    published: Cycle,
) -> None:
    ubs = published.ubs_item["id"]
    assert len([p for p, item in published.reached.items() if item == ubs]) == 9


# --- the council answers, lineage up ------------------------------------------------------


async def test_the_council_answers_every_item_for_each_of_its_origins(answered: Cycle) -> None:
    reached = answered.reached
    assert set(answered.answers) == {i["id"] for i in answered.items}
    for item_id, answer in answered.answers.items():
        assert answer.status_code == 201, answer.text
        assert answer.json()["origins"] == len([p for p, i in reached.items() if i == item_id])


async def test_a_second_answer_is_a_new_version(answered: Cycle) -> None:
    assert answered.update is not None
    assert answered.update.status_code == 201, answered.update.text
    assert answered.update.json()["version"] == 2


async def test_a_rejection_needs_a_justification(answered: Cycle) -> None:
    refused = await answered.fed.national.post(
        f"/api/v1/council/items/{answered.ubs_item['id']}/responses",
        headers=answered.council,
        json={"decision": "rejected"},
    )
    assert refused.status_code == 422, refused.text


async def test_only_council_members_answer(answered: Cycle) -> None:
    by_operator = await answered.fed.national.post(
        f"/api/v1/council/items/{answered.ubs_item['id']}/responses",
        headers=operator("national"),
        json={"decision": "adopted"},
    )
    assert by_operator.status_code == 403, by_operator.text


async def test_every_local_proposal_sees_its_national_items_answers(attached: Cycle) -> None:
    fed = attached.fed
    for proposal_id, item_id in attached.reached.items():
        journey = await get_json(fed.regional, f"/api/v1/proposals/{proposal_id}/journey")
        answers = journey["responses"]
        assert {a["national_item_id"] for a in answers} == {item_id}
        assert sorted(a["version"] for a in answers) == list(
            range(1, attached.versions[item_id] + 1)
        )
        assert journey["items"] and journey["items"][0]["report_id"]
    ubs = attached.ubs_item["id"]
    origin = next(p for p, item in attached.reached.items() if item == ubs)
    up = await get_json(fed.national, f"/api/v1/proposals/{origin}/journey")
    assert up["items"][0]["id"] == ubs and len(up["responses"]) == 2


async def test_a_redelivered_answer_changes_nothing(attached: Cycle) -> None:
    fed = attached.fed
    before = await attachments(fed)
    async with fed.nodes["national"].sessions() as session:
        row = (
            await session.scalars(
                select(OutboxEntry).where(OutboxEntry.kind == "response").limit(1)
            )
        ).one()
    headers = {**row.headers, MSG_ID_HEADER: str(uuid.uuid4())}
    await publish_row(fed.nats_url, {"subject": row.subject, "data": row.data, "headers": headers})

    async def duplicates() -> int:
        async with fed.nodes["regional"].sessions() as session:
            entry = await session.get(InboxEntry, row.id)
            return entry.duplicates if entry else 0

    await eventually(duplicates, done=lambda d: d == 1)
    assert await attachments(fed) == before


# --- open data ----------------------------------------------------------------------------


async def test_the_lineage_edges_are_open_data_as_csv(published: Cycle) -> None:
    edges = await published.fed.national.get(
        "/api/v1/open-data/lineage", params={"format": "csv", "status": "active"}
    )
    assert edges.status_code == 200 and edges.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(edges.text)))
    assert {r["proposal_id"] for r in rows} == published.national_proposals


async def test_the_answers_are_open_data_at_the_regional_tier(attached: Cycle) -> None:
    answers = await get_json(attached.fed.regional, "/api/v1/open-data/responses")
    assert len(answers) == len(attached.items) + 1  # every item's answer and the update
    catalogue = await get_json(attached.fed.regional, "/api/v1/open-data/")
    assert {d["name"] for d in catalogue} >= {
        "items",
        "lineage",
        "tallies",
        "mandates",
        "responses",
    }
    assert (await attached.fed.regional.get("/api/v1/open-data/nope")).status_code == 404
