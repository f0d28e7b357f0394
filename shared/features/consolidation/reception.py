"""Recebimento dos municípios: every municipality of a state — from the IBGE list, so one that
never convened shows too — with where its reporting stands, from what this tier knows: the
assemblies its local instances introduced or it allocated seats to (open), the reports received
(reported, or late), and the messages refused on the way in (dead-lettered).

Set-based: one query per source, then a pass over the state's municipalities (645 for SP).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.envelope import open_envelope
from shared.contracts.http.consolidation import MunicipalityReception, Reception, TownStatus
from shared.core.territory import municipalities
from shared.features.consolidation.board import assemblies_of_state
from shared.features.consolidation.model import ReceivedReport
from shared.features.cycles.model import CycleRecord
from shared.platform.bus.models import DeadLetter

STATUSES: tuple[TownStatus, ...] = ("not_convened", "open", "reported", "late", "dead_lettered")
#: How many of a state's dead letters are read to attribute them to municipalities.
DEAD_LETTERS_READ = 5000


class _Where(msgspec.Struct):
    territory: str = ""


def _town_of(data: bytes) -> str:
    """The municipality a refused message was about, when its envelope still says."""
    try:
        body = open_envelope(data).body
        return msgspec.json.decode(body, type=_Where).territory[:7]
    except Exception:
        return ""


async def reception(session: AsyncSession, *, cycle_id: str, uf: str) -> Reception:
    expected = await assemblies_of_state(session, cycle_id, uf)
    assemblies = Counter(territory[:7] for territory in expected.values())
    reports: dict[str, list[tuple[bool, str, int, datetime]]] = defaultdict(list)
    #: Municipalities reported only as covered by an intermunicipal conference seated elsewhere.
    covered: dict[str, list[tuple[bool, str, datetime]]] = defaultdict(list)
    for territory, late, reason, participants, received, towns in await session.execute(
        select(
            ReceivedReport.territory,
            ReceivedReport.late,
            ReceivedReport.late_reason,
            ReceivedReport.participants,
            ReceivedReport.received_at,
            ReceivedReport.body["covers"],
        ).where(ReceivedReport.cycle_id == cycle_id, ReceivedReport.uf == uf)
    ):
        seat = territory[:7]
        reports[seat].append((late, reason, participants, received))
        for town in towns or ():
            if isinstance(town, str) and town != seat:
                covered[town].append((late, reason, received))
    letters: Counter[str] = Counter()
    for (data,) in await session.execute(
        select(DeadLetter.data)
        .where(DeadLetter.subject.like(f"plenaria.up.local.%.{uf}"))
        .order_by(DeadLetter.created_at.desc())
        .limit(DEAD_LETTERS_READ)
    ):
        letters[_town_of(data)] += 1
    rows: list[MunicipalityReception] = []
    for town in municipalities(uf):
        got = reports.get(town.ibge_code, [])
        # Covered by an intermunicipal conference: reported there (its participants count at
        # the seat's row, once).
        got_with = got + [(late, why, 0, at) for late, why, at in covered.get(town.ibge_code, [])]
        on_time = [r for r in got_with if not r[0]]
        status: TownStatus
        if on_time:
            status = "reported"
        elif got_with:
            status = "late"
        elif letters.get(town.ibge_code):
            status = "dead_lettered"
        elif assemblies.get(town.ibge_code):
            status = "open"
        else:
            status = "not_convened"
        rows.append(
            MunicipalityReception(
                code=town.ibge_code,
                name=town.name,
                population=town.population_2022,
                status=status,
                assemblies=max(assemblies.get(town.ibge_code, 0), len(got_with)),
                reports=len(got_with),
                participants=sum(r[2] for r in got),
                dead_letters=letters.get(town.ibge_code, 0),
                received_at=max((r[3] for r in got_with), default=None),
                late_reason=next((r[1] for r in got_with if r[0] and r[1]), ""),
            )
        )
    counts = Counter(r.status for r in rows)
    known = {town.ibge_code for town in municipalities(uf)}
    return Reception(
        cycle_id=cycle_id,
        uf=uf,
        counts={s: counts.get(s, 0) for s in STATUSES},
        municipalities=rows,
        unattributed_dead_letters=sum(n for town, n in letters.items() if town not in known),
    )


async def current_cycle(session: AsyncSession) -> str:
    """The cycle a page shows when none is asked for: the latest one this tier stored, else
    the one of the latest report received."""
    latest = await session.scalar(
        select(CycleRecord.cycle_id).order_by(CycleRecord.received_at.desc()).limit(1)
    )
    if latest:
        return str(latest)
    found = await session.scalar(
        select(ReceivedReport.cycle_id).order_by(ReceivedReport.received_at.desc()).limit(1)
    )
    return str(found or "")
