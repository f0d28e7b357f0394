"""A local plenary at the local tier alone: decisions electronically and by counts, priorities
from a paper ballot file and electronically (with a public export that recounts), a motion,
and the delegates' election under the gender rule."""

from __future__ import annotations

import hashlib

from shared.core.polls import recount
from tests.support.api import bearer
from tests.support.assemblies import (
    Desk,
    decide_by_counts,
    elect_delegates,
    hand_card,
    open_desk,
    rank_by_paper_file,
    rank_electronically,
    submit_texts,
    vote_decisions,
    vote_motion,
)
from tests.support.bus import outbox_messages
from tests.support.plenary_web import plenary_desk
from tests.support.tiers import Federation


async def in_voting(tier: Federation) -> Desk:
    """The six proposals submitted, the plenary voting."""
    desk = await open_desk(tier)
    await submit_texts(desk)
    await desk.start_voting()
    return desk


async def all_decided(tier: Federation) -> Desk:
    """Every proposal decided, so each axis's priority poll has its approved candidates."""
    desk = await in_voting(tier)
    await vote_decisions(desk)
    await decide_by_counts(desk)
    return desk


async def test_electronic_decisions_follow_the_ballots(local_tier: Federation) -> None:
    desk = await in_voting(local_tier)
    outcomes = {index: d.closed["outcome"] for index, d in (await vote_decisions(desk)).items()}
    # Proposal 1 was amended in plenary: approved, in part.
    assert outcomes == {
        0: "approved",
        1: "approved_in_part",
        2: "rejected",
        3: "approved",
        5: "approved",
    }


async def test_one_ballot_per_participant_and_none_after_the_close(
    local_tier: Federation,
) -> None:
    desk = await in_voting(local_tier)
    polls = await vote_decisions(desk)
    assert {index: d.second_ballot for index, d in polls.items()} == dict.fromkeys(polls, 409)
    assert {index: d.late_ballot for index, d in polls.items()} == dict.fromkeys(polls, 409)


async def test_the_secretary_enters_counts_for_a_decision(local_tier: Federation) -> None:
    desk = await in_voting(local_tier)
    entered, closed = await decide_by_counts(desk)
    assert entered.status_code == 201, entered.text
    assert closed["outcome"] == "approved"


async def test_a_paper_ballot_file_decides_an_axis_priority(local_tier: Federation) -> None:
    desk = await all_decided(local_tier)
    paper, uploaded = await rank_by_paper_file(desk)
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["added"] == 4
    assert set(paper.candidates) == {desk.ids[0], desk.ids[1]}  # approved on axis saude-1
    a, b = paper.candidates
    assert paper.closed["result"]["ranking"] == [[a], [b]]  # three ballots of four put a first


async def test_an_electronic_priority_is_counted_by_borda(local_tier: Federation) -> None:
    desk = await all_decided(local_tier)
    electronic = await rank_electronically(desk)
    z = electronic.candidates[2]  # six of the eight ballots rank z first
    assert set(electronic.candidates) == {desk.ids[3], desk.ids[4], desk.ids[5]}
    assert electronic.closed["result"]["ranking"][0] == [z]


async def test_a_closed_priority_poll_ranks_its_proposals_as_the_report_does(
    local_tier: Federation,
) -> None:
    """A priority poll settles like a decision: its outcome is "ranked" and its ranking is its
    proposals' rank at once (the desk shows it), the very order the report sends up."""
    desk = await all_decided(local_tier)
    before = {p["id"]: p["rank"] for p in (await desk.get("/proposals/")).json()}
    paper, _ = await rank_by_paper_file(desk)  # counted, then confirmed by a second person
    electronic = await rank_electronically(desk)
    a, b = paper.candidates
    x, y, z = electronic.candidates  # Borda: z (12 points), x (10), y (2)
    assert (paper.closed["outcome"], electronic.closed["outcome"]) == ("ranked", "ranked")
    ranks = {p["id"]: p["rank"] for p in (await desk.get("/proposals/")).json()}
    assert [before[i] for i in (a, b, x, y, z)] == [None] * 5
    assert [ranks[i] for i in (a, b, z, x, y)] == [1, 2, 1, 2, 3], ranks
    closed = await desk.post("/close")
    assert closed.status_code == 202, closed.text
    [report] = await outbox_messages(local_tier.nodes["local"], "report")
    sent = {i["item_id"]: i["rank"] for i in report.body["items"]}
    assert sent == {i: ranks[i] for i in (a, b, x, z)}  # y is municipal: it stays here
    after = {p["id"]: p["rank"] for p in (await desk.get("/proposals/")).json()}
    assert {i: after[i] for i in sent} == sent


async def test_the_public_export_recounts_to_the_published_result_and_hash(
    local_tier: Federation,
) -> None:
    desk = await all_decided(local_tier)
    electronic = await rank_electronically(desk)
    export = await desk.get(f"/polls/{electronic.opened['id']}/export")
    assert export.status_code == 200
    assert hashlib.sha256(export.content).hexdigest() == electronic.closed["ballots_sha256"]
    ranking = electronic.closed["result"]["ranking"]
    assert [list(g) for g in recount(export.text, "borda").ranking] == ranking


async def test_a_motion_goes_to_a_vote_once_enough_participants_sign(
    local_tier: Federation,
) -> None:
    desk = await in_voting(local_tier)
    motioned = await vote_motion(desk)
    assert motioned.motion["needed"] == 2  # 20 % of the eight participants
    assert motioned.early_vote == 409
    assert motioned.signatures == [201, 201]
    assert motioned.second_signature == 409  # one signature per participant
    assert motioned.counts.status_code == 201, motioned.counts.text
    assert motioned.closed["outcome"] == "approved"


async def test_the_gender_rule_seats_women_over_better_voted_men(local_tier: Federation) -> None:
    desk = await in_voting(local_tier)
    # Every ballot approves the same three men: Bruno, Diego and Fábio.
    alloc, election = await elect_delegates(desk)
    assert alloc.status_code == 200, alloc.text
    assert alloc.json()["seats"] == {"users": 2, "workers": 1, "managers": 1}
    titulars = {m["public_name"] for m in election["mandates"] if m["role"] == "titular"}
    # Users: Diego is passed over so that half the users' seats go to a woman. Workers: one
    # seat cannot hold both a woman and a quota member; the gender rule ranks before quota
    # groups (shared.core.decide.delegation), so Elisa takes it over the better-voted Fábio.
    assert "Bruno" in titulars and "Elisa" in titulars
    assert len(titulars & {"Ana", "Carla"}) == 1
    alternates = [m["public_name"] for m in election["mandates"] if m["role"] == "alternate"]
    assert "Diego" in alternates and "Fábio" in alternates


async def test_an_election_without_candidates_for_a_seat_says_it_is_incomplete(
    local_tier: Federation,
) -> None:
    desk = await in_voting(local_tier)
    _, election = await elect_delegates(desk)
    assert election["complete"] is False  # managers: no candidate for their seat
    assert any("managers: 1 seats but only 0" in n for n in election["notes"])  # said so


async def test_a_motions_signatures_follow_the_delegates_present_and_each_signs_once(
    local_tier: Federation,
) -> None:
    """Signatures are collected after the motion is proposed, one per credentialed
    participant with their own credential, against 20 % of the delegates present *now*: a
    motion proposed with eight present needs 2, and 3 once twelve are. Signing twice, without
    a credential, with a card the desk has not confirmed, or as the desk, is refused."""
    desk, absent = await plenary_desk(local_tier, also_registered=5)  # 8 present of 13
    client, aid = desk.client, desk.aid
    proposed = await desk.post(
        "/motions/",
        headers=desk.tokens[2],
        json={"kind": "appeal", "title": "Apelo", "text": "Mais verbas para a saúde."},
    )
    assert proposed.status_code == 201, proposed.text
    motion = proposed.json()
    assert (motion["signatures"], motion["needed"]) == (0, 2)  # 20 % of 8, rounded up
    mid = motion["id"]
    signatures = f"/motions/{mid}/signatures"
    for token in desk.tokens[:2]:
        signed = await desk.post(signatures, headers=token)
        assert signed.status_code == 201, signed.text
    assert (signed.json()["signatures"], signed.json()["status"]) == (2, "qualified")

    # Four more delegates arrive: 12 present need 3 signatures, so the motion collects again.
    codes = [await hand_card(client, aid, desk.sec, p, second=desk.second) for p in absent[:4]]
    [listed] = (await desk.get("/motions/")).json()
    assert (listed["signatures"], listed["needed"], listed["status"]) == (2, 3, "collecting")
    early = await desk.post(f"/motions/{mid}/vote", json={"mode": "counts"})
    assert early.status_code == 409 and "2 of the 3" in early.text, early.text

    # The attacks: a second signature, none at all, a forged one, an unconfirmed card, the desk.
    twice = await desk.post(signatures, headers=desk.tokens[0])
    assert twice.status_code == 409 and "already signed" in twice.text
    assert (await client.post(f"/api/v1/assemblies/{aid}{signatures}")).status_code == 401
    forged = await desk.post(signatures, headers=bearer("0000-0000-0000"))
    assert forged.status_code == 401
    unconfirmed = await hand_card(client, aid, desk.sec, absent[4])  # no second person yet
    not_yet = await desk.post(signatures, headers=bearer(unconfirmed))
    assert not_yet.status_code == 403, not_yet.text
    assert (await desk.post(signatures, headers=desk.sec)).status_code == 403
    [after] = (await desk.get("/motions/")).json()
    assert after["signatures"] == 2

    # A delegate who just arrived signs from their own credential: now it may go to a vote.
    third = await desk.post(signatures, headers=bearer(codes[0]))
    assert third.status_code == 201, third.text
    assert (third.json()["signatures"], third.json()["status"]) == (3, "qualified")
    vote = await desk.post(f"/motions/{mid}/vote", json={"mode": "counts"})
    assert vote.status_code == 201, vote.text
