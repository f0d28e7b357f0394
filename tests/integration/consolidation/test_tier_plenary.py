"""A state plenary on the shared plenary code, at the regional tier alone: credentialed delegates
only, a priority poll that orders the report, a decision that drops an item, and an election
within the seats from above; the state report is read from the regional tier's outbox."""

from __future__ import annotations

from tests.support.bus import outbox_messages
from tests.support.state_plenary import StatePlenary, hold_state_plenary, seats_from_the_nation
from tests.support.tiers import Federation


async def held(tier: Federation) -> StatePlenary:
    await seats_from_the_nation(tier)
    return await hold_state_plenary(tier)


async def test_delegates_vote_themselves_once_and_nobody_votes_for_them(
    regional_tier: Federation,
) -> None:
    plenary = await held(regional_tier)
    assert plenary.second_ballot.status_code == 409, "one ballot per delegate"
    assert plenary.stranger_claim.status_code == 401, "only admitted delegates get a device"
    assert plenary.reused_claim.status_code == 409, "one device per mandate"
    assert plenary.desk_ballot.status_code == 403, "the desk does not vote for delegates"
    assert plenary.operator_ballot.status_code == 403, "the operator cannot vote"
    assert plenary.standing_for_another.status_code == 403, plenary.standing_for_another.text
    for refused in (plenary.desk_ballot, plenary.operator_ballot, plenary.stranger_claim):
        assert refused.headers["content-type"].startswith("application/problem+json")


async def test_the_priority_poll_puts_the_delegates_favourite_first(
    regional_tier: Federation,
) -> None:
    plenary = await held(regional_tier)
    closed = plenary.priority_closed
    assert closed.status_code == 200, closed.text
    assert closed.json()["result"]["ranking"][0] == [plenary.favourite]
    assert closed.json()["outcome"] == "ranked"


async def test_the_priority_result_orders_the_items_it_forwards(
    regional_tier: Federation,
) -> None:
    """The plenary's priority poll is the items' rank (the weighted score breaks only its
    ties), at once and after the rapporteurs rank again; and the report follows it."""
    plenary = await held(regional_tier)
    scored_first = plenary.items[0]["id"]
    assert scored_first != plenary.favourite, "the poll must disagree with the score"
    for items in (plenary.ranked_after_priority, plenary.reranked):
        ranks = {i["id"]: i["rank"] for i in items}
        assert ranks[plenary.favourite] == 1, items
        assert ranks[scored_first] == 2, items
        first = next(i for i in items if i["id"] == plenary.favourite)
        assert first["breakdown"]["method"] == "plenary-priority"
        assert first["breakdown"]["plenary_group"] == 1
    [sent] = await outbox_messages(regional_tier.nodes["regional"], "report")
    assert sent.body["items"][0]["item_id"] == plenary.favourite


async def test_a_priority_typed_from_paper_ranks_the_items_once_a_second_person_confirms(
    regional_tier: Federation,
) -> None:
    """Issue 15: a state priority poll's result did not change the items' rank when its counts
    were confirmed (only an electronic poll's close re-ranked). Counted, it ranks nothing yet;
    confirmed, it is "ranked" and orders the axis, and the report follows it."""
    await seats_from_the_nation(regional_tier)
    plenary = await hold_state_plenary(regional_tier, priority_mode="counts")
    scored_first = plenary.items[0]["id"]
    waiting = {i["id"]: i["rank"] for i in plenary.ranked_while_counted}
    assert waiting[plenary.favourite] != 1, "a counted poll decides nothing before confirmation"
    confirmed = plenary.priority_closed.json()
    assert (confirmed["status"], confirmed["outcome"]) == ("closed", "ranked"), confirmed
    ranks = {i["id"]: i["rank"] for i in plenary.ranked_after_priority}
    assert ranks[plenary.favourite] == 1 and ranks[scored_first] == 2, ranks
    first = next(i for i in plenary.ranked_after_priority if i["id"] == plenary.favourite)
    assert first["breakdown"]["method"] == "plenary-priority"
    [sent] = await outbox_messages(regional_tier.nodes["regional"], "report")
    assert sent.body["items"][0]["item_id"] == plenary.favourite


async def test_a_decision_by_counts_rejects_an_item(regional_tier: Federation) -> None:
    plenary = await held(regional_tier)
    assert plenary.rejected.json()["outcome"] == "rejected", plenary.rejected.text
    # Counts cannot exceed the delegates credentialed when the poll opened.
    assert plenary.stuffed.status_code == 422, plenary.stuffed.text
    assert plenary.stuffed.json()["limit"] == plenary.rejected.json()["electorate"]
    assert plenary.rejected.json()["ballots"] == 4
    # The desk's counts took a second person: whoever closed a counted poll cannot confirm it.
    assert plenary.self_confirmed == [403, 403]  # the decision and the election


async def test_the_national_delegation_is_elected_within_the_seats_from_above(
    regional_tier: Federation,
) -> None:
    plenary = await held(regional_tier)
    assert plenary.elected.status_code == 200, plenary.elected.text
    assert plenary.elected.json()["elected"] == 2


async def test_the_state_report_goes_up_ordered_without_the_rejected_item(
    regional_tier: Federation,
) -> None:
    plenary = await held(regional_tier)
    assert plenary.report.status_code == 202, plenary.report.text
    assert plenary.report.json()["mandates"] == 2
    [sent] = await outbox_messages(regional_tier.nodes["regional"], "report")
    body = sent.body
    assert body["tier"] == "regional" and body["uf"] == "BA"
    assert len(body["mandates"]) == 2 and len(body["items"]) == 2
    assert [i["rank"] for i in body["items"] if i["item_id"] == plenary.favourite] == [1]
    assert plenary.dropped not in {i["item_id"] for i in body["items"]}
    assert {m["kind"] for m in body["manifests"]} == {"priority", "decision", "election"}
