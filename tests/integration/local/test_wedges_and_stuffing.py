"""No input wedges an assembly and nobody stuffs a poll: counts are bounded by the column and
by the voters on the poll's frozen roll, a desk's entries can be voided (audited) so a poll
always closes, someone credentialed after a poll opened does not vote in it, election ties say
how they were broken, and the desk's audit chain is append-only and detects a rewrite."""

from __future__ import annotations

import json

import asyncpg
import pytest

from shared.features.plenary import audit
from tests.support.assemblies import (
    elect_delegates,
    open_desk,
    submit_texts,
    voters_with_tokens,
)
from tests.support.stack import plain_url
from tests.support.tiers import Federation


async def test_counts_are_bounded_and_a_bad_entry_can_be_voided_so_the_poll_closes(
    local_tier: Federation,
) -> None:
    desk = await open_desk(local_tier)  # eight credentialed participants
    await submit_texts(desk)
    await desk.start_voting()
    p = await desk.poll(kind="decision", proposal_id=desk.ids[4], mode="counts")
    counts = f"/polls/{p['id']}/counts"
    overflow = await desk.post(counts, json={"yes": 2_147_483_647})
    assert overflow.status_code == 400, overflow.text  # above any column, refused when decoded
    above = await desk.post(counts, json={"yes": 9})
    assert above.status_code == 422, above.text
    assert above.json()["limit"] == 8
    first = await desk.post(counts, json={"yes": 5, "no": 1})
    assert first.status_code == 201, first.text
    more = await desk.post(counts, json={"no": 3})  # 6 held + 3 > 8 on the roll
    assert more.status_code == 422, more.text
    voided = await desk.post(f"/polls/{p['id']}/counts/void")
    assert voided.status_code == 201 and voided.json()["withdrawn"] == 6, voided.text
    again = await desk.post(counts, json={"yes": 3, "no": 5})
    assert again.status_code == 201, again.text
    closed = await desk.close_poll(p["id"])
    assert (closed["result"]["yes"], closed["result"]["no"], closed["ballots"]) == (3, 5, 8)
    electronic = await desk.poll(kind="decision", proposal_id=desk.ids[0])
    refused = await desk.post(f"/polls/{electronic['id']}/counts/void")
    assert refused.status_code == 409, refused.text  # voters' ballots are not the desk's
    async with local_tier.nodes["local"].sessions() as session:
        kinds = [e.kind for e in await audit.events(session, desk.aid)]
        head = await audit.verify(session, desk.aid)
    assert kinds.count("poll.counts") == 2 and "poll.counts_voided" in kinds
    assert head.seq == len(kinds)
    # The boletim carries the head as of its confirmation (the last event before it was
    # signed), and names who counted and who confirmed.
    assert f'"audit_head":"{kinds.index("poll.confirm") + 1}:' in closed["closing"]["record"]
    assert kinds.index("poll.close") < kinds.index("poll.confirm")
    record = json.loads(closed["closing"]["record"])
    assert record["counted_by"] and record["confirmed_by"]
    assert record["counted_by"] != record["confirmed_by"]


async def test_en_bloc_counts_are_bounded_by_the_voters_present(local_tier: Federation) -> None:
    desk = await open_desk(local_tier)
    await submit_texts(desk)
    await desk.start_voting()
    r = await desk.post("/decisions/", json={"decisions": [{"proposal_id": desk.ids[4], "yes": 9}]})
    assert r.status_code == 422, r.text


async def test_someone_credentialed_after_a_poll_opened_does_not_vote_in_it(
    local_tier: Federation,
) -> None:
    desk = await open_desk(local_tier)
    await submit_texts(desk)
    await desk.start_voting()
    p = await desk.poll(kind="decision", proposal_id=desk.ids[0])
    assert p["electorate"] == 8
    (late,) = await voters_with_tokens(desk.client, desk.aid, desk.sec, 1, second=desk.second)
    refused = await desk.ballot(p["id"], late, choice="yes")
    assert refused.status_code == 403, refused.text
    assert "roll" in refused.json()["detail"]
    ok = await desk.ballot(p["id"], desk.tokens[0], choice="yes")
    assert ok.status_code == 201, ok.text
    closed = await desk.close_poll(p["id"])
    assert closed["ballots"] == 1
    # The next poll's roll holds the late participant.
    nxt = await desk.poll(kind="decision", proposal_id=desk.ids[1])
    assert nxt["electorate"] == 9
    assert (await desk.ballot(nxt["id"], late, choice="yes")).status_code == 201


async def test_an_election_tie_says_how_it_was_broken(local_tier: Federation) -> None:
    desk = await open_desk(local_tier)
    await submit_texts(desk)
    await desk.start_voting()
    _, election = await elect_delegates(desk)  # everyone approves the same three men
    ties = [n for n in election["notes"] if n.startswith("tie:")]
    assert ties, election["notes"]
    assert all(name in ties[0] for name in ("Bruno", "Diego", "Fábio"))


async def test_the_audit_chain_refuses_rewrites_and_detects_them(local_tier: Federation) -> None:
    desk = await open_desk(local_tier)
    await submit_texts(desk)
    await desk.start_voting()
    p = await desk.poll(kind="decision", proposal_id=desk.ids[4], mode="counts")
    assert (await desk.post(f"/polls/{p['id']}/counts", json={"yes": 5})).status_code == 201
    db = await asyncpg.connect(plain_url(local_tier.settings["local"].database_url))
    try:
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await db.execute(
                "UPDATE audit_event SET payload = '{}' WHERE assembly_id = $1", desk.aid
            )
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await db.execute("DELETE FROM audit_event WHERE assembly_id = $1", desk.aid)
        # A superuser can switch the trigger off, but the chain no longer verifies.
        await db.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        await db.execute(
            "UPDATE audit_event SET payload = jsonb_set(payload, '{added}', '50')"
            " WHERE assembly_id = $1 AND kind = 'poll.counts'",
            desk.aid,
        )
        await db.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
    finally:
        await db.close()
    async with local_tier.nodes["local"].sessions() as session:
        with pytest.raises(ValueError, match="altered"):
            await audit.verify(session, desk.aid)
