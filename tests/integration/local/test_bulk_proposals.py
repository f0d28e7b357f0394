"""A bulk proposal upload gives what submitting one at a time gives (ids in order, the same
possible duplicates, a first text version each), and a batch with any bad entry writes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from services.local.model import Proposal, ProposalVersion
from tests.support.api import bearer
from tests.support.assemblies import create, submit
from tests.support.tiers import Federation

TEXTS = [
    ("saude-1", "Ampliar o número de UBS na zona rural", "com equipes completas"),
    ("saude-1", "Ampliar o numero de UBS na zona rural", "com equipes completas"),
    ("saude-1", "Reformar as UBS existentes", "nas periferias"),
    ("saude-2", "Ampliar o número de UBS na zona rural", "com equipes completas"),
    ("saude-1", "Aumentar a quantidade de unidades básicas de saúde no campo", "com equipes"),
    ("saude-1", "Contratar médicos para a ESF", "por concurso público"),
    ("saude-1", "Contratar medicos para a ESF", "por concurso publico"),
]


def entry(axis: str, title: str, text: str) -> dict[str, Any]:
    return {"axis": axis, "competence": "municipal", "title": title, "text": text}


async def count(tier: Federation, model: Any) -> int:
    async with tier.nodes["local"].sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def listed(local: httpx.AsyncClient, aid: str) -> list[dict[str, Any]]:
    return list((await local.get(f"/api/v1/assemblies/{aid}/proposals/")).json())


def flags(proposals: list[dict[str, Any]]) -> list[list[tuple[int, float]]]:
    """Each proposal's possible duplicates as (position, score)."""
    position = {p["id"]: i for i, p in enumerate(proposals)}
    return [
        [(position[d["proposal_id"]], d["score"]) for d in p["possible_duplicates"]]
        for p in proposals
    ]


async def test_bulk_equals_one_at_a_time(local_tier: Federation) -> None:
    local = local_tier.local
    one = await create(local_tier)
    one_aid, one_sec = one["id"], bearer(one["secretary_token"])
    for axis, title, text in TEXTS:
        r = await submit(local, one_aid, one_sec, **entry(axis, title, text))
        assert r.status_code == 201, r.text

    bulk = await create(local_tier)
    aid, sec = bulk["id"], bearer(bulk["secretary_token"])
    first = await submit(local, aid, sec, **entry(*TEXTS[0]))  # one before, the rest in bulk
    r = await local.post(
        f"/api/v1/assemblies/{aid}/proposals/bulk",
        headers=sec,
        json={"proposals": [entry(*t) for t in TEXTS[1:]]},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created"] == len(TEXTS) - 1
    proposals = await listed(local, aid)  # listed in id order
    assert [p["id"] for p in proposals] == [first.json()["id"], *body["ids"]]
    assert [p["title"] for p in proposals] == [t[1] for t in TEXTS]
    assert all(p["version"] == 1 and p["status"] == "submitted" for p in proposals)
    expected = flags(await listed(local, one_aid))
    assert flags(proposals) == expected
    assert expected[1] and expected[6]  # near-copies are flagged...
    assert not expected[3]  # ...within their axis only
    assert body["flagged"] == [
        p["id"] for p, f in zip(proposals[1:], expected[1:], strict=True) if f
    ]
    assert await count(local_tier, ProposalVersion) == 2 * len(TEXTS)
    async with local_tier.nodes["local"].sessions() as session:
        versions = (
            await session.execute(
                select(ProposalVersion.version, ProposalVersion.title, ProposalVersion.reason)
                .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
                .where(Proposal.assembly_id == uuid.UUID(aid))
                .order_by(ProposalVersion.proposal_id)
            )
        ).all()
    assert [tuple(v) for v in versions] == [(1, t[1], "") for t in TEXTS]


async def test_a_bad_entry_writes_nothing(local_tier: Federation) -> None:
    local = local_tier.local
    created = await create(local_tier)
    aid, sec = created["id"], bearer(created["secretary_token"])
    good = entry(*TEXTS[0])
    for bad, status in (
        ({**good, "axis": "no-such-axis"}, 422),  # valid, but not an axis of the cycle
        ({**good, "text": "nul \x00 inside"}, 422),  # PostgreSQL cannot store a NUL
        ({**good, "title": "x" * 301}, 400),  # longer than the request allows
    ):
        r = await local.post(
            f"/api/v1/assemblies/{aid}/proposals/bulk",
            headers=sec,
            json={"proposals": [good, good, bad]},
        )
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    assert await count(local_tier, Proposal) == 0
    assert await count(local_tier, ProposalVersion) == 0
