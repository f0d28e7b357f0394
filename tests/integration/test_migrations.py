"""The one linear Alembic history: it has a single head, a fresh database migrated to it matches
the models exactly, and the migration that folded duplicate tables kept their rows."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from shared.platform.db.engine import async_url
from shared.platform.db.migrate import alembic_config, upgrade
from shared.tools.schema import metadata

MakeDatabase = Callable[[str], Awaitable[str]]


def test_the_history_is_linear() -> None:
    scripts = ScriptDirectory.from_config(alembic_config("postgresql://unused@localhost/x"))
    assert len(scripts.get_heads()) == 1
    revisions = list(scripts.walk_revisions())
    assert all(not isinstance(r.down_revision, tuple) for r in revisions)


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_a_migrated_database_matches_the_models(fresh_database: MakeDatabase) -> None:
    url = await fresh_database("head")
    await asyncio.to_thread(upgrade, url)
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


async def test_folding_the_duplicate_tables_keeps_their_rows(fresh_database: MakeDatabase) -> None:
    url = await fresh_database("fold")
    await asyncio.to_thread(upgrade, url, "0003_consol")
    engine = create_async_engine(async_url(url))
    allocation, proposal = uuid.uuid4(), uuid.uuid4()
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO plenary_allocation (id, allocation_id, cycle_id, territory,"
                    " assembly_id, seats, per_segment, method, source, created_at, updated_at)"
                    " VALUES (:id, 'entered-1', 'cns-2027', '3550308', 'a1', 4,"
                    " '{\"users\": 2, \"workers\": 1, \"managers\": 1}', 'entered', 'secretary',"
                    " now(), now())"
                ),
                {"id": allocation},
            )
            await connection.execute(
                text(
                    "INSERT INTO local_response (response_id, version, proposal_id,"
                    " national_item_id, decision, body) VALUES ('r1', 2, :pid, 'n1', 'adopted',"
                    ' \'{"answered_at": "2027-05-01T10:00:00Z", "decision": "adopted"}\')'
                ),
                {"pid": proposal},
            )
        await engine.dispose()
        await asyncio.to_thread(upgrade, url)
        engine = create_async_engine(async_url(url))
        async with engine.connect() as connection:
            kept = (
                await connection.execute(
                    text(
                        "SELECT direction, source, seats, superseded FROM seat_allocation"
                        " WHERE allocation_id = 'entered-1'"
                    )
                )
            ).one()
            assert tuple(kept) == ("received", "entered", 4, False)
            answer = (
                await connection.execute(
                    text(
                        "SELECT a.proposal_id, r.decision FROM response_attachment a"
                        " JOIN received_response r USING (response_id, version)"
                    )
                )
            ).one()
            assert tuple(answer) == (str(proposal), "adopted")
    finally:
        await engine.dispose()
