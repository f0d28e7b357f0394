"""Alembic environment: async engine, one advisory lock so concurrent instances migrate once."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import shared.tools.schema  # noqa: F401  (registers every table)
from shared.platform.db.base import metadata

MIGRATION_LOCK = 0x504C454E  # "PLEN"


def _linearise_old_history(connection: Connection) -> None:
    """Databases migrated before the history was made linear record two heads, ``0002_local``
    and the consolidation branch; ``0002_local`` is now an ancestor of the other, so drop it."""
    found = connection.execute(
        text("SELECT to_regclass('alembic_version') IS NOT NULL")
    ).scalar_one()
    if not found:
        return
    versions = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    if "0002_local" in versions and len(versions) > 1:
        connection.execute(text("DELETE FROM alembic_version WHERE version_num = '0002_local'"))


def _run(connection: Connection) -> None:
    connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
    try:
        _linearise_old_history(connection)
        context.configure(connection=connection, target_metadata=metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
        connection.commit()


async def _online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"), target_metadata=metadata
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_online())
