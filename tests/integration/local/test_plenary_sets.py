"""The set-based plenary paths keep the one-by-one rules: en-bloc decisions refuse a proposal
whose decision poll is already open (nothing applied), and closing a priority poll sets every
ranked proposal's rank at once, ties sharing the better rank."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from services.local.model import Proposal
from shared.features.plenary.model import Ballot, Poll
from tests.support.assemblies import assembly_with_proposals, confirm_counted, decided_en_bloc
from tests.support.tiers import Federation


async def test_en_bloc_refuses_a_proposal_with_an_open_poll(local_tier: Federation) -> None:
    local = local_tier.local
    aid, sec, ids = await assembly_with_proposals(local_tier, 3)
    opened = await local.post(
        f"/api/v1/assemblies/{aid}/polls/",
        headers=sec,
        json={"kind": "decision", "mode": "counts", "proposal_id": ids[2]},
    )
    assert opened.status_code == 201, opened.text
    r = await local.post(
        f"/api/v1/assemblies/{aid}/decisions/",
        headers=sec,
        json={"decisions": [{"proposal_id": pid, "yes": 3, "no": 1} for pid in ids]},
    )
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["poll_id"] == opened.json()["id"]
    assert ids[2] in r.json()["detail"]
    async with local_tier.nodes["local"].sessions() as session:
        polls = int(await session.scalar(select(func.count()).select_from(Poll)) or 0)
        ballots = int(await session.scalar(select(func.count()).select_from(Ballot)) or 0)
        statuses = set(
            (await session.scalars(select(Proposal.status).where(Proposal.id.in_(ids)))).all()
        )
    assert (polls, ballots, statuses) == (1, 0, {"submitted"})

    # The other two still go en bloc; the decided ones are then refused one by one.
    body = await decided_en_bloc(
        local,
        aid,
        sec,
        local_tier.staff["local"],
        [{"proposal_id": pid, "yes": 3, "no": 1} for pid in ids[:2]],
    )
    assert [p["outcome"] for p in body["polls"]] == ["approved", "approved"]
    assert all(p["status"] == "closed" for p in body["polls"])
    again = await local.post(
        f"/api/v1/assemblies/{aid}/polls/",
        headers=sec,
        json={"kind": "decision", "mode": "counts", "proposal_id": ids[0]},
    )
    assert again.status_code == 409, again.text


async def test_priority_close_sets_ranks_ties_share(local_tier: Federation) -> None:
    local = local_tier.local
    aid, sec, ids = await assembly_with_proposals(local_tier, 4)
    second = local_tier.staff["local"]
    await decided_en_bloc(
        local, aid, sec, second, [{"proposal_id": pid, "yes": 5, "no": 1} for pid in ids]
    )
    poll: dict[str, Any] = (
        await local.post(
            f"/api/v1/assemblies/{aid}/polls/",
            headers=sec,
            json={"kind": "priority", "mode": "counts", "axis": "saude-1"},
        )
    ).json()
    a, b, c, d = poll["candidates"]
    # Borda: a first; b and c tie; d last.
    entries = [
        {"ranking": [[a], [b], [c], [d]], "count": 2},
        {"ranking": [[a], [c], [b], [d]], "count": 2},
    ]
    r = await local.post(
        f"/api/v1/assemblies/{aid}/polls/{poll['id']}/counts",
        headers=sec,
        json={"entries": entries},
    )
    assert r.status_code == 201, r.text
    closed = await local.post(f"/api/v1/assemblies/{aid}/polls/{poll['id']}/close", headers=sec)
    assert closed.status_code == 201, closed.text
    ranking = (await confirm_counted(local, aid, second, closed.json()))["result"]["ranking"]
    assert ranking == [[a], sorted([b, c]), [d]]
    async with local_tier.nodes["local"].sessions() as session:
        rows = (
            await session.execute(select(Proposal.id, Proposal.rank).where(Proposal.id.in_(ids)))
        ).all()
    ranks = {str(pid): rank for pid, rank in rows}
    assert ranks == {a: 1, b: 2, c: 2, d: 4}
