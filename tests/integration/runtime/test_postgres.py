"""Embedded PostgreSQL: starts as root on a free loopback port, keeps data, survives SIGKILL."""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import psutil
import pytest

from shared.tools.runtime.postgres import SYSTEM_USER, EmbeddedPostgres, EmbeddedPostgresError


async def fetchval(server: EmbeddedPostgres, database: str, sql: str) -> object:
    connection = await asyncpg.connect(server.url(database, driver="postgresql"))
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    pg = EmbeddedPostgres(tmp_path / "pg", fast=True)
    yield pg
    pg.stop("immediate")


async def test_runs_unprivileged_on_loopback_and_keeps_data_across_restart(
    server: EmbeddedPostgres,
) -> None:
    server.start()
    owner = psutil.Process(server.pid).username()
    assert owner == (SYSTEM_USER if os.geteuid() == 0 else psutil.Process().username())
    assert server.url("plenaria_local") == (
        f"postgresql+asyncpg://postgres@127.0.0.1:{server.port}/plenaria_local"
    )
    server.create_database("plenaria_local")
    server.create_database("plenaria_local")  # idempotent
    connection = await asyncpg.connect(server.url("plenaria_local", driver="postgresql"))
    await connection.execute("CREATE TABLE t (x int); INSERT INTO t VALUES (42)")
    await connection.close()

    port, first_pid = server.port, server.pid
    server.restart()

    assert server.port == port and server.pid != first_pid
    assert await fetchval(server, "plenaria_local", "SELECT x FROM t") == 42
    assert await fetchval(server, "postgres", "SHOW fsync") == "off"
    assert await fetchval(server, "postgres", "SHOW max_connections") == "200"


async def test_sigkilled_server_leaves_stale_pid_file_that_does_not_block_restart(
    tmp_path: Path,
) -> None:
    first = EmbeddedPostgres(tmp_path / "pg", fast=True)
    first.start()
    try:
        first.create_database("kept")
        assert first.pid is not None
        os.kill(first.pid, signal.SIGKILL)
        assert (first.pgdata / "postmaster.pid").exists()
        # A new process (as after a crashed `plenaria up`) takes over the same directory.
        second = EmbeddedPostgres(tmp_path / "pg", port=first.port, fast=True)
        second.start()
        try:
            assert second.database_exists("kept")
        finally:
            second.stop()
    finally:
        first.stop("immediate")


async def test_orphaned_server_of_a_killed_run_is_replaced(tmp_path: Path) -> None:
    orphan = EmbeddedPostgres(tmp_path / "pg", fast=True)
    orphan.start()
    orphan_pid = orphan.pid
    assert orphan_pid is not None
    successor = EmbeddedPostgres(tmp_path / "pg", fast=True)
    try:
        successor.start()
        assert not psutil.pid_exists(orphan_pid) or psutil.Process(orphan_pid).status() == "zombie"
        assert await fetchval(successor, "postgres", "SELECT 1") == 1
    finally:
        successor.stop()
        orphan.stop("immediate")


def test_failed_start_reports_the_server_log(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        pg = EmbeddedPostgres(tmp_path / "pg", port=taken.getsockname()[1], fast=True)
        with pytest.raises(EmbeddedPostgresError, match="could not") as failure:
            pg.start()
    assert str(pg.log_path) in str(failure.value)
    assert not pg.is_running()


async def test_create_and_drop_database(postgres: EmbeddedPostgres) -> None:
    postgres.create_database("runtime_scratch")
    assert await fetchval(postgres, "runtime_scratch", "SELECT current_database()") == (
        "runtime_scratch"
    )
    postgres.drop_database("runtime_scratch")
    postgres.drop_database("runtime_scratch")  # idempotent
    assert not postgres.database_exists("runtime_scratch")
    with pytest.raises(ValueError):
        postgres.create_database('x"; DROP DATABASE postgres; --')


async def test_fresh_database_gives_distinct_empty_databases(
    fresh_database: Callable[[str], Awaitable[str]],
) -> None:
    first, second = await fresh_database("inbox"), await fresh_database("inbox")
    assert first != second and first.startswith("postgresql+asyncpg://")
    dsn = first.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn)
    try:
        tables = await connection.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
    finally:
        await connection.close()
    assert tables == 0
