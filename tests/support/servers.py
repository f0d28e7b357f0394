"""Real servers for the whole test session: one PostgreSQL and one JetStream nats-server.

They start once per session (a second or so) and stop at the end even if tests fail. Tests that
stop or kill a server ask for ``postgres_running``/``nats_running``, which start it again after.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable, Iterator

import pytest

from shared.tools.runtime.nats_server import EmbeddedNats
from shared.tools.runtime.postgres import EmbeddedPostgres

MakeDatabase = Callable[[str], Awaitable[str]]


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A started PostgreSQL with durability off (fast); tests may restart it."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("postgres"), fast=True)
    server.start()
    try:
        yield server
    finally:
        server.stop("immediate")


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNats]:
    """A started JetStream nats-server; tests may stop and start it to simulate an outage."""
    server = EmbeddedNats(tmp_path_factory.mktemp("nats"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def nats_running(nats_server: EmbeddedNats) -> Iterator[EmbeddedNats]:
    """The session nats-server, started again after a test that stopped or killed it."""
    nats_server.start()
    try:
        yield nats_server
    finally:
        nats_server.start()


@pytest.fixture
def postgres_running(postgres: EmbeddedPostgres) -> Iterator[EmbeddedPostgres]:
    """The session PostgreSQL, started again after a test that stopped or killed it."""
    postgres.start()
    try:
        yield postgres
    finally:
        postgres.start()


@pytest.fixture(scope="session")
def fresh_database(postgres: EmbeddedPostgres) -> MakeDatabase:
    """``await fresh_database("inbox")`` -> asyncpg URL of a new, empty, uniquely named database."""

    async def make(prefix: str) -> str:
        stem = re.sub(r"[^a-z0-9_]", "_", prefix.lower())[:40]
        name = f"t_{stem}_{uuid.uuid4().hex[:10]}"
        await asyncio.to_thread(postgres.create_database, name)
        return postgres.url(name)

    return make
