"""Apply Alembic migrations (``alembic upgrade head``, one linear history) to one database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from shared.platform.db.engine import async_url

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", async_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate ``database_url`` to ``revision``. Blocking: call via ``asyncio.to_thread`` from
    async code. Concurrent callers serialise on a PostgreSQL advisory lock (see env.py)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)
