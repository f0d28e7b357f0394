"""Ballot secrecy against whoever holds the database: a superuser with pageinspect and
pg_walinspect, after known ballots were cast one at a time, finds no link from a voter to a
ballot — no shared xmin, no ballot content in any page (dead or alive, heap, TOAST, index) or
WAL record (block data and full-page images) but the manifest and the closing transaction, no
order that follows casting, nothing in PostgreSQL's statement log or the service's logs — and
the signed opening and closing records and the public export still recount the poll."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from typing import Any

import pytest

from shared.core.polls import recount
from shared.features.plenary.ballot_box import verify_record
from tests.support.assemblies import decided_en_bloc, open_desk, voters_with_tokens
from tests.support.forensics import (
    manifest_datums,
    pages_holding,
    spearman,
    superuser,
    wal_holding,
    wal_records,
)
from tests.support.tiers import Federation

VOTERS = 200
AXIS = "saude-1"


def ballots(candidates: list[str]) -> list[list[str]]:
    """100 strict rankings and their reverses: 200 distinct ballots whose Borda totals all tie
    (so the published tally equals no ballot), none in the candidates' own order (which the
    poll row holds) or its reverse."""
    chosen: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = {tuple(candidates), tuple(reversed(candidates))}
    for permutation in itertools.permutations(candidates):
        if permutation in seen:
            continue
        seen.update({permutation, tuple(reversed(permutation))})
        chosen.append(permutation)
        if len(chosen) == VOTERS // 2:
            break
    return [list(p) for pair in chosen for p in (pair, tuple(reversed(pair)))]


def pattern(ranking: list[str]) -> re.Pattern[str]:
    """The ballot written as text in any JSON or log form: its candidates in its order."""
    return re.compile(".{0,12}".join(re.escape(c) for c in ranking), re.S)


@pytest.mark.timeout(600)
async def test_a_superuser_finds_no_link_between_voters_and_ballots(
    forensic_local_tier: Federation, durable_postgres: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    local_tier = forensic_local_tier
    postgres = durable_postgres
    desk = await open_desk(local_tier)
    tokens = await voters_with_tokens(desk.client, desk.aid, desk.sec, VOTERS)
    for i in range(6):
        r = await desk.post(
            "/proposals/",
            json={
                "axis": AXIS,
                "competence": "municipal",
                "title": f"Proposta {i}",
                "text": f"Texto distinto {i} sobre atenção primária número {i * 11}",
            },
        )
        assert r.status_code == 201, r.text
        desk.ids.append(r.json()["id"])
    await desk.start_voting()
    await decided_en_bloc(
        desk.client,
        desk.aid,
        desk.sec,
        desk.second,
        [{"proposal_id": p, "yes": 150, "no": 10} for p in desk.ids],
    )

    db = await superuser(local_tier.settings["local"].database_url)
    log_offset = postgres.log_path.stat().st_size
    try:
        await db.execute("ALTER SYSTEM SET log_statement = 'all'")
        await db.execute("SELECT pg_reload_conf()")
        opened = await desk.poll(kind="priority", axis=AXIS)
        candidates = opened["candidates"]
        assert sorted(candidates) == sorted(desk.ids)
        cast = ballots(candidates)
        await db.execute("CHECKPOINT")
        start = await db.fetchval("SELECT pg_current_wal_lsn()::text")
        receipts = []
        for token, ranking in zip(tokens, cast, strict=True):
            r = await desk.ballot(opened["id"], token, ranking=[[c] for c in ranking])
            assert r.status_code == 201, r.text
            receipts.append(r.json()["receipt"])
        closed = await desk.close_poll(opened["id"])
        end = await db.fetchval("SELECT pg_current_wal_insert_lsn()::text")
        await db.execute("CHECKPOINT")  # flush the WAL up to there (commits are asynchronous)
        await db.execute("ALTER SYSTEM RESET log_statement")

        poll_id = opened["id"]
        assert closed["ballots"] == VOTERS
        # The ballots are the manifest's rows, written by the closing transaction alone.
        close_xids = {
            int(x)
            for x in await db.fetchval(
                "SELECT array_agg(DISTINCT xmin::text) FROM plenary_ballot WHERE poll_id = $1",
                poll_id,
            )
        }
        assert len(close_xids) == 1
        (close_xid,) = close_xids
        datums = await manifest_datums(db, poll_id)
        assert len(datums) == VOTERS  # 200 distinct ballots, each one row
        markers = set(datums)

        # 1. No shared xmin between the roll and the manifest.
        assert (
            await db.fetchval(
                "SELECT count(*) FROM plenary_voter v JOIN plenary_ballot b ON v.xmin = b.xmin"
            )
            == 0
        )
        assert (
            await db.fetchval(
                "SELECT count(*) FROM plenary_eligible e JOIN plenary_ballot b ON e.xmin = b.xmin"
            )
            == 0
        )

        # 2. Pages: the ballots sit in the manifest's pages and in no other page of any
        # relation, heap, TOAST or index, dead tuples and free space included.
        pages = await pages_holding(db, markers)
        assert set(pages) == {"plenary_ballot"}, set(pages)
        assert pages["plenary_ballot"] == markers  # the search finds what is there

        # 3. WAL: every record holding a ballot is the closing transaction's, and that
        # transaction wrote nothing of the roll.
        records = await wal_records(db, start, end)
        hits = wal_holding(records, markers)
        assert hits, "the closing transaction's WAL holds the manifest"
        assert {h.xid for h in hits} == {close_xid}, {(h.xid, h.record_type) for h in hits}
        roll = {
            await db.fetchval("SELECT pg_relation_filenode($1)", name)
            for name in ("plenary_voter", "plenary_eligible", "participant")
        }
        assert not any(r["xid"] == close_xid and r["relfilenode"] in roll for r in records)
        assert any(r["block_fpi_data"] for r in records), "full-page images were examined"

        # 4. Physical order follows no casting order.
        order_of = {text: i for i, text in enumerate(str([[c] for c in b]) for b in cast)}
        manifest_order = [
            order_of[str(eval_ranking(row["ranking"]))]
            for row in await db.fetch(
                "SELECT ranking::text AS ranking FROM plenary_ballot WHERE poll_id = $1"
                " ORDER BY ctid",
                poll_id,
            )
        ]
        assert sorted(manifest_order) == list(range(VOTERS))
        assert abs(spearman(manifest_order)) < 0.35

        # 5. Sealed ballots: one per voter, all of one length, matching the receipts.
        boxes = [
            bytes(b)
            for b in await db.fetchval(
                "SELECT array_agg(box) FROM plenary_sealed_ballot WHERE poll_id = $1", poll_id
            )
        ]
        assert len(boxes) == VOTERS and len({len(b) for b in boxes}) == 1
        assert sorted(receipts) == sorted(hashlib.sha256(b).hexdigest()[:16] for b in boxes)
    finally:
        await db.execute("ALTER SYSTEM RESET log_statement")
        await db.execute("SELECT pg_reload_conf()")
        await db.close()

    # 6. Logs: neither PostgreSQL's statement log nor the service's output shows a ballot.
    with postgres.log_path.open(encoding="utf-8", errors="replace") as log:
        log.seek(log_offset)
        statements = log.read()
    assert "plenary_sealed_ballot" in statements  # the statement log was on
    service_output = "".join(capfd.readouterr())
    for ranking in cast:
        assert not pattern(ranking).search(statements)
        assert not pattern(ranking).search(service_output)

    # 7. The signed records verify and agree with the export, which recounts the result.
    opening = verify_record(closed["opening"])
    closing = verify_record(closed["closing"])
    assert opening["ballots"] == 0 and opening["electorate"] == VOTERS + 8
    assert opening["key_fingerprint"] == closed["key_fingerprint"]
    assert opening["roll_sha256"] == closed["roll_sha256"]
    assert closing["voted"] == VOTERS and closing["null"] == 0
    export = (await desk.get(f"/polls/{poll_id}/export")).text
    assert closing["export_sha256"] == closed["ballots_sha256"]
    assert hashlib.sha256(export.encode()).hexdigest() == closed["ballots_sha256"]
    assert closing["sealed_sha256"] == hashlib.sha256(b"".join(sorted(boxes))).hexdigest()
    recounted = recount(export, closed["method"])
    assert [list(g) for g in recounted.ranking] == closed["result"]["ranking"]


def eval_ranking(text: str) -> list[list[str]]:
    value: list[list[str]] = json.loads(text)
    return value
