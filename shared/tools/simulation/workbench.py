"""The state workbench's latency at São Paulo's scale (issue 15: ~19,000 proposals from 645
municipalities): seed one state's conference straight into a regional database — the reports,
their items, one consolidated item per item, ranked — then time GETs of the Sistematização
and Priorização pages as its convener sees them, p50/p95 per page.

``workbench_bench`` runs it against a regional tier over HTTP (``plenaria bench`` after the
cycle, or any running tier); ``seed_state`` and ``time_pages`` are its two halves, and
``until_suggested`` times a convener's first visit, while the axis is still being clustered;
``national_bench`` times the national commission's item list and an item's lineage tree.
"""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from shared.core.cycle import preset_text
from shared.core.territory import municipalities
from shared.features.consolidation.actions import new_id
from shared.features.consolidation.model import (
    ConsolidatedItem,
    ItemOrigin,
    ItemSource,
    ItemVersion,
    ReceivedReport,
    SourceItem,
)
from shared.features.consolidation.ranking import rank_items
from shared.features.cycles.store import store_cycle
from shared.tools.simulation.texts import draft_proposals

#: The cycle the seeded state belongs to (the health preset under its own id, so it never
#: mixes with a simulated cycle in the same database).
CYCLE = "bench-workbench"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
BATCH = 2000


async def seed_state(
    session: AsyncSession,
    *,
    uf: str = "SP",
    proposals: int = 19_000,
    towns: int = 0,
    seed: int = 1,
    cycle_id: str = CYCLE,
) -> dict[str, int]:
    """One state's reports (one per municipality, ``towns`` of them, 0 = all) carrying
    ``proposals`` items in all, each its own consolidated item, then ranked; the counts."""
    rules = await store_cycle(
        session,
        re.sub(r'(?m)^cycle_id = ".*"$', f'cycle_id = "{cycle_id}"', preset_text("health")),
        source="preset",
    )
    rng = random.Random(seed)
    places = list(municipalities(uf))[: towns or None]
    now = datetime.now(UTC)
    reports: list[dict[str, Any]] = []
    sources: list[dict[str, Any]] = []
    for n, town in enumerate(places):
        count = proposals // len(places) + (1 if n < proposals % len(places) else 0)
        participants = rng.randint(40, 900)
        report_id, assembly = f"{cycle_id}-{uf}-{n}", f"{cycle_id}-assembly-{uf}-{n}"
        reports.append(
            {
                "report_id": report_id,
                "message_id": report_id,
                "sender": f"bench/{assembly}",
                "signature": "",
                "cycle_id": cycle_id,
                "tier": "local",
                "assembly_id": assembly,
                "assembly_kind": "municipal",
                "territory": town.ibge_code,
                "uf": uf,
                "title": f"Conferência municipal de {town.name}",
                "late": False,
                "participants": participants,
                "population": town.population_2022,
                "closed_at": now,
                "received_at": now,
                "raw": b"",
                "body": {"items": [], "mandates": []},
            }
        )
        ranks: dict[str, int] = {}
        for draft in draft_proposals(count, participants, town.name, rng):
            ranks[draft.axis] = ranks.get(draft.axis, 0) + 1
            sources.append(
                {
                    "item_id": f"{report_id}-{len(sources)}",
                    "report_id": report_id,
                    "assembly_id": assembly,
                    "territory": town.ibge_code,
                    "uf": uf,
                    "axis": draft.axis,
                    "competence": draft.competence,
                    "title": draft.title,
                    "text": draft.text,
                    "rank": ranks[draft.axis],
                    "support": draft.support,
                    "origins": [],
                }
            )
    items = [(new_id(), s) for s in sources]
    await _insert(session, ReceivedReport, reports)
    await _insert(session, SourceItem, sources)
    await _insert(
        session,
        ConsolidatedItem,
        [
            {
                "id": i,
                "cycle_id": cycle_id,
                "uf": uf,
                "axis": s["axis"],
                "competence": s["competence"],
                "title": s["title"],
                "text": s["text"],
            }
            for i, s in items
        ],
    )
    await _insert(
        session,
        ItemVersion,
        [{"item_id": i, "version": 1, "title": s["title"], "text": s["text"]} for i, s in items],
    )
    await _insert(
        session, ItemSource, [{"item_id": i, "source_item_id": s["item_id"]} for i, s in items]
    )
    await _insert(
        session,
        ItemOrigin,
        [
            {
                "source_item_id": s["item_id"],
                "proposal_id": f"p-{s['item_id']}",
                "assembly_id": s["assembly_id"],
                "territory": s["territory"],
            }
            for _, s in items
        ],
    )
    ranked = await rank_items(session, cycle_id=cycle_id, uf=uf, rules=rules)
    return {"reports": len(reports), "items": len(items), "ranked": ranked.items}


async def _insert(session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        await session.execute(insert(model), list(rows[start : start + BATCH]))


async def sign_in(
    client: httpx.AsyncClient, operator: Mapping[str, str], *, uf: str, role: str = "convener"
) -> None:
    """Appoint someone to ``role`` in ``uf`` (a convener by default) with the operator's
    headers and sign ``client`` in as them."""
    appointed = await client.post(
        "/api/v1/identity/appointments",
        headers=dict(operator),
        json={"name": "Pessoa de bancada", "role": role, "territory": uf},
    )
    appointed.raise_for_status()
    form = await client.get("/entrar")
    token = CSRF.search(form.text)
    if token is None:
        raise RuntimeError("no CSRF token on /entrar")
    entered = await client.post(
        "/entrar/codigo",
        data={"_csrf_token": token.group(1), "code": appointed.json()["sign_in_code"]},
    )
    if entered.status_code != 303:
        raise RuntimeError(f"sign-in refused: {entered.status_code}")


def workbench_paths(uf: str = "SP", cycle_id: str = CYCLE, axis: str = "saude-1") -> list[str]:
    """The pages a convener opens: the first and a deep page of each."""
    base = f"ciclo={cycle_id}&eixo={axis}"
    return [
        f"/estado/{uf}/sistematizacao?{base}",
        f"/estado/{uf}/sistematizacao?{base}&itens=100",
        f"/estado/{uf}/priorizacao?{base}",
        f"/estado/{uf}/priorizacao?{base}&pagina=100",
    ]


async def time_pages(
    client: httpx.AsyncClient, paths: Sequence[str], *, rounds: int = 20
) -> dict[str, dict[str, float | int]]:
    """``rounds`` sequential GETs of each path after a first one (``first_ms``: cold, e.g.
    the duplicate suggestions computed again after a change): p50/p95/max in ms."""
    found: dict[str, dict[str, float | int]] = {}
    for path in paths:
        began = time.perf_counter()
        (await client.get(path)).raise_for_status()
        first = (time.perf_counter() - began) * 1000
        took: list[float] = []
        size = 0
        for _ in range(rounds):
            began = time.perf_counter()
            answer = await client.get(path)
            took.append((time.perf_counter() - began) * 1000)
            answer.raise_for_status()
            size = len(answer.content)
        cuts = statistics.quantiles(took, n=20, method="inclusive") if len(took) > 1 else took * 19
        found[path] = {
            "n": rounds,
            "first_ms": round(first, 1),
            "p50_ms": round(statistics.median(took), 1),
            "p95_ms": round(cuts[18], 1),
            "max_ms": round(max(took), 1),
            "bytes": size,
        }
    return found


async def workbench_bench(
    regional_url: str,
    database_url: str,
    operator_token: str,
    *,
    uf: str = "SP",
    proposals: int = 19_000,
    rounds: int = 20,
    seed: int = 1,
    cycle_id: str = CYCLE,
) -> dict[str, Any]:
    """Seed ``uf`` with ``proposals`` items in the regional database, then time its pages."""
    engine = create_async_engine(database_url)
    try:
        began = time.perf_counter()
        async with async_sessionmaker(engine)() as session, session.begin():
            seeded = await seed_state(
                session, uf=uf, proposals=proposals, seed=seed, cycle_id=cycle_id
            )
        seeding = time.perf_counter() - began
    finally:
        await engine.dispose()
    operator = {"Authorization": f"Bearer {operator_token}"}
    async with httpx.AsyncClient(base_url=regional_url, timeout=600) as client:
        await sign_in(client, operator, uf=uf)
        paths = workbench_paths(uf, cycle_id)
        cold = await until_suggested(client, paths[0], uf=uf, cycle_id=cycle_id)
        pages = await time_pages(client, paths, rounds=rounds)
        after = await after_a_merge(client, paths[0], uf=uf, cycle_id=cycle_id)
    return {"uf": uf, **seeded, "seed_s": round(seeding, 1), **cold, "pages": pages, **after}


async def until_suggested(
    client: httpx.AsyncClient, path: str, *, uf: str, cycle_id: str, axis: str = "saude-1"
) -> dict[str, float]:
    """A convener's first visit: the page (ms; the suggestions not computed yet, it says so),
    then the section the page polls, asked every second until the suggestions are there —
    how long they took (s) from the first request."""
    began = time.perf_counter()
    (await client.get(path)).raise_for_status()
    first = time.perf_counter() - began
    section = f"/estado/{uf}/sistematizacao/sugestoes"
    while True:
        answer = await client.get(
            section, params={"ciclo": cycle_id, "eixo": axis}, headers={"HX-Request": "true"}
        )
        answer.raise_for_status()
        if 'aria-busy="true"' not in answer.text:
            break
        await asyncio.sleep(1.0)
    return {
        "first_page_ms": round(first * 1000, 1),
        "suggestions_ready_s": round(time.perf_counter() - began, 1),
    }


async def after_a_merge(
    client: httpx.AsyncClient, path: str, *, uf: str, cycle_id: str, axis: str = "saude-1"
) -> dict[str, float]:
    """The convener's loop, through the page's own forms: merge the first suggested pair,
    open the page again (ms), undo the merge, open it again (ms)."""
    suggested = await client.get(
        "/api/v1/consolidation/suggestions",
        params={"cycle_id": cycle_id, "uf": uf, "axis": axis},
    )
    suggested.raise_for_status()
    first = [i["id"] for i in suggested.json()[0]["items"][:2]]
    page = await client.get(path)
    token = CSRF.search(page.text)
    if token is None:
        raise RuntimeError(f"no CSRF token on {path}")
    form = {"_csrf_token": token.group(1), "ciclo": cycle_id, "eixo": axis}
    merged = await client.post(
        f"/estado/{uf}/sistematizacao/mesclar", data={**form, "item_ids": first}
    )
    if merged.status_code != 303:
        raise RuntimeError(f"merge refused: {merged.status_code}")
    figures: dict[str, float] = {}
    began = time.perf_counter()
    (await client.get(path)).raise_for_status()
    figures["after_merge_ms"] = round((time.perf_counter() - began) * 1000, 1)
    log = await client.get("/api/v1/consolidation/actions", params={"cycle_id": cycle_id, "uf": uf})
    log.raise_for_status()
    undone = await client.post(
        f"/estado/{uf}/sistematizacao/desfazer/{log.json()[0]['id']}", data=form
    )
    if undone.status_code != 303:
        raise RuntimeError(f"undo refused: {undone.status_code}")
    began = time.perf_counter()
    (await client.get(path)).raise_for_status()
    figures["after_undo_ms"] = round((time.perf_counter() - began) * 1000, 1)
    return figures


async def national_bench(
    national_url: str, operator_token: str, *, rounds: int = 20
) -> dict[str, Any]:
    """The national pages after a cycle, as the national commission sees them: the list of
    consolidated mandates (by weight, and by number of states) and the lineage tree of the
    first item (the widest: the most states and municipalities behind it), p50/p95 each."""
    operator = {"Authorization": f"Bearer {operator_token}"}
    async with httpx.AsyncClient(base_url=national_url, timeout=600) as client:
        await sign_in(client, operator, uf="BR", role="commission")
        listed = await client.get("/api/v1/items", params={"uf": "BR", "limit": 1000})
        listed.raise_for_status()
        items = listed.json()
        paths = ["/conselho/mandatos", "/conselho/mandatos?ordem=states"]
        if items:
            paths.append(f"/rastreabilidade/{items[0]['id']}")
        return {"items": len(items), "pages": await time_pages(client, paths, rounds=rounds)}
