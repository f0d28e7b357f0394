"""Read-only counts of what a tier holds and what crossed its bus: the same on every tier.

`plenaria simulate` and `plenaria bench` check a cycle against the services' own numbers rather
than their own bookkeeping. Tables are found at run time (``pg_tables``), so the endpoint keeps
working as the tiers grow new tables; nothing here knows a tier's schema beyond the backbone's
``inbox``, ``outbox`` and ``dead_letter`` and a ``status`` column wherever one exists.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

#: Up subjects are ``plenaria.up.<tier>.<kind>.<uf>``, down ones ``plenaria.down.<kind>.<where>``.
_SUBJECT_KIND = (
    "CASE WHEN split_part(subject, '.', 2) = 'up' THEN split_part(subject, '.', 4) "
    "ELSE split_part(subject, '.', 3) END"
)


async def _tables(session: AsyncSession) -> list[str]:
    rows = await session.execute(
        text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'alembic_version' ORDER BY tablename"
        )
    )
    return [str(name) for (name,) in rows]


async def _with_status(session: AsyncSession) -> list[str]:
    rows = await session.execute(
        text(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'status' ORDER BY table_name"
        )
    )
    return [str(name) for (name,) in rows]


async def _has_column(session: AsyncSession, table: str, column: str) -> bool:
    found = await session.scalar(
        text(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = :table AND column_name = :column"
        ),
        {"table": table, "column": column},
    )
    return bool(found)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def tier_stats(session: AsyncSession, *, count_tables: bool = True) -> dict[str, Any]:
    """Counts of every table, of statuses, and of messages received, sent and refused."""
    tables = await _tables(session)
    present = set(tables)
    stats: dict[str, Any] = {}
    if count_tables:
        stats["tables"] = {
            name: int(await session.scalar(text(f"SELECT count(*) FROM {_quoted(name)}")) or 0)
            for name in tables
        }
        statuses: dict[str, dict[str, int]] = {}
        for name in await _with_status(session):
            if name in present:
                rows = await session.execute(
                    text(f"SELECT status, count(*) FROM {_quoted(name)} GROUP BY status")
                )
                statuses[name] = {str(status): int(n) for status, n in rows}
        stats["statuses"] = statuses
    inbox: dict[str, dict[str, int]] = {}
    if "inbox" in present:
        rows = await session.execute(
            text("SELECT kind, count(*), coalesce(sum(duplicates), 0) FROM inbox GROUP BY kind")
        )
        inbox = {str(k): {"applied": int(n), "duplicates": int(d)} for k, n, d in rows}
    outbox: dict[str, dict[str, int]] = {}
    if "outbox" in present:
        rows = await session.execute(
            text(
                "SELECT kind, count(*) FILTER (WHERE sent_at IS NOT NULL), "
                "count(*) FILTER (WHERE sent_at IS NULL) FROM outbox GROUP BY kind"
            )
        )
        outbox = {str(k): {"sent": int(s), "unsent": int(u)} for k, s, u in rows}
    dead: dict[str, Any] = {"total": 0, "by_reason": {}, "by_kind": {}}
    if "dead_letter" in present:
        by_reason: dict[str, int] = defaultdict(int)
        by_kind: dict[str, int] = defaultdict(int)
        rows = await session.execute(
            text(
                f"SELECT reason, {_SUBJECT_KIND}, count(*) FROM dead_letter "
                "WHERE replayed_at IS NULL GROUP BY 1, 2"
            )
        )
        for reason, kind, n in rows:
            by_reason[str(reason)] += int(n)
            by_kind[str(kind)] += int(n)
        dead = {"total": sum(by_reason.values()), "by_reason": by_reason, "by_kind": by_kind}
    stats.update(inbox=inbox, outbox=outbox, dead_letters=dead)
    if "consolidated_item" in present:
        row = (
            await session.execute(
                text(
                    "SELECT count(DISTINCT (cycle_id, uf)), count(DISTINCT cycle_id), "
                    "count(*) FILTER (WHERE report_id IS NOT NULL) FROM consolidated_item"
                )
            )
        ).one()
        stats["conferences"] = {"states": int(row[0]), "cycles": int(row[1])}
        stats["items_reported"] = int(row[2])
        if await _has_column(session, "consolidated_item", "published_at"):
            stats["items_published"] = int(
                await session.scalar(
                    text("SELECT count(*) FROM consolidated_item WHERE published_at IS NOT NULL")
                )
                or 0
            )
    if {"plenary_ballot", "plenary_poll"} <= present:
        # Paper ballots are stored aggregated (one row per distinct ranking with a count).
        rows = await session.execute(
            text(
                "SELECT p.kind, coalesce(sum(b.count), 0) FROM plenary_ballot b "
                "JOIN plenary_poll p ON p.id = b.poll_id GROUP BY p.kind"
            )
        )
        stats["ballots"] = {str(kind): int(n) for kind, n in rows}
    return stats
