"""A lost database is not lost data: back up the regional tier, let more reports arrive,
destroy its database, restore the backup — and when it starts again it catches up from
JetStream with every report once, nothing missing, nothing doubled."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from services.regional.app import REGIONAL
from shared.platform.settings import Settings
from shared.platform.web.app import create_app
from shared.tools.runtime.backup import BackupError, Manifest, backup, manifest_path, restore
from shared.tools.runtime.nats_server import EmbeddedNats
from shared.tools.runtime.postgres import EmbeddedPostgres
from tests.support.api import get_json
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly
from tests.support.servers import MakeDatabase
from tests.support.tiers import operator, running, start_tiers

TEXTS = [
    ("saude-1", "national", "Ampliar o horário das UBS"),
    ("saude-2", "state", "Regular leitos"),
]


async def reports_at(client: httpx.AsyncClient, count: int) -> list[dict[str, Any]]:
    async def enough() -> list[dict[str, Any]] | None:
        found: list[dict[str, Any]] = await get_json(client, "/api/v1/reports")
        return found if len(found) >= count else None

    return await eventually(enough, timeout=60)


async def test_a_restored_tier_catches_up_from_the_streams(
    fresh_database: MakeDatabase,
    nats_server: EmbeddedNats,
    postgres: EmbeddedPostgres,
    tmp_path: Path,
) -> None:
    dump = tmp_path / "regional.dump"
    async with AsyncExitStack() as stack:
        fed = await start_tiers(
            stack,
            tiers=["regional"],
            fresh_database=fresh_database,
            nats_url=nats_server.url,
            root=tmp_path,
        )
        settings: Settings = fed.settings["regional"]
        towns = [FakeAssembly(fed, f"35{n:05d}", "SP") for n in range(5)]
        for town in towns[:3]:
            await town.introduce()
            await town.send(town.report(TEXTS))
        await reports_at(fed.regional, 3)
        manifest = await asyncio.to_thread(backup, settings, dump)
        assert manifest.tier == "regional" and dump.stat().st_size > 0
        for town in towns[3:]:
            await town.introduce()
            await town.send(town.report(TEXTS))
        before = await reports_at(fed.regional, 5)
        items_before = await get_json(fed.regional, "/api/v1/items", cycle_id=CYCLE, uf="SP")
    # The tier is down. Its database is lost and made again, empty.
    database = make_url(settings.database_url).database
    assert database
    await asyncio.to_thread(postgres.drop_database, database)
    await asyncio.to_thread(postgres.create_database, database)

    await asyncio.to_thread(restore, settings, dump)

    app = create_app(settings, REGIONAL)
    async with (
        running(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://regional"
        ) as regional,
    ):
        after = await reports_at(regional, 5)
        await asyncio.sleep(2)  # let any stray redelivery arrive before counting
        after = await get_json(regional, "/api/v1/reports")
        items_after = await get_json(regional, "/api/v1/items", cycle_id=CYCLE, uf="SP")
        letters = await get_json(regional, "/api/v1/dead-letters/", headers=operator("regional"))
    assert sorted(r["report_id"] for r in after) == sorted(r["report_id"] for r in before)
    assert len(items_after) == len(items_before) == 5 * len(TEXTS)
    assert letters["total"] == 0 if isinstance(letters, dict) else letters == []


def test_a_backup_older_than_the_streams_is_refused(tmp_path: Path) -> None:
    dump = tmp_path / "old.dump"
    dump.write_bytes(b"")
    taken = datetime.now(UTC) - timedelta(days=200)
    manifest_path(dump).write_text(Manifest("regional", "regional", taken).to_json())
    settings = Settings(tier="regional", database_url="postgresql+asyncpg://x@127.0.0.1/x")
    with pytest.raises(BackupError, match="older than the streams keep messages"):
        restore(settings, dump)
    with pytest.raises(BackupError, match="backup of the regional tier, not local"):
        restore(Settings(tier="local", database_url=settings.database_url), dump)
