"""A superuser's look at a tier's database: raw pages (dead tuples, TOAST, indexes) and WAL
records (block data and full-page images), through ``pageinspect`` and ``pg_walinspect``, which
the embedded PostgreSQL ships. The ballot-secrecy tests search them for ballot contents."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from shared.tools.runtime.nats_server import EmbeddedNats
from shared.tools.runtime.postgres import EmbeddedPostgres
from tests.support.stack import plain_url
from tests.support.tiers import Federation, start_tiers

PAGE = 8192


async def superuser(url: str) -> asyncpg.Connection:
    connection: asyncpg.Connection = await asyncpg.connect(plain_url(url), timeout=10)
    await connection.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
    return connection


async def manifest_datums(connection: asyncpg.Connection, poll_id: str) -> dict[bytes, str]:
    """Each public manifest row's ``ranking`` exactly as its bytes sit on the page (without
    the varlena header), with the ranking's JSON text: what a leak of that ballot would hold."""
    blocks = await connection.fetchval(
        "SELECT pg_relation_size('plenary_ballot') / current_setting('block_size')::int"
    )
    found: dict[bytes, str] = {}
    for block in range(blocks):
        rows = await connection.fetch(
            "SELECT lp, tuple_data_split('plenary_ballot'::regclass, t_data, t_infomask,"
            " t_infomask2, t_bits) AS columns"
            " FROM heap_page_items(get_raw_page('plenary_ballot', $1)) WHERE t_data IS NOT NULL",
            block,
        )
        texts = {
            r["ctid"]: r["ranking"]
            for r in await connection.fetch(
                "SELECT ctid::text AS ctid, ranking::text AS ranking FROM plenary_ballot"
                " WHERE poll_id = $1::uuid AND (ctid::text::point)[0] = $2",
                poll_id,
                block,
            )
        }
        for row in rows:
            ctid = f"({block},{row['lp']})"
            if ctid not in texts:
                continue
            datum = bytes(row["columns"][2])
            body = datum[1:] if datum[0] & 0x01 else datum[4:]
            found[body] = texts[ctid]
    return found


@dataclass(frozen=True, slots=True)
class Relation:
    oid: int
    name: str
    relfilenode: int


async def relations(connection: asyncpg.Connection) -> list[Relation]:
    """Every relation of the database with storage: tables, TOAST tables, indexes."""
    rows = await connection.fetch(
        "SELECT c.oid, c.oid::regclass::text AS name, c.relfilenode FROM pg_class c"
        " WHERE c.relkind IN ('r', 't', 'i', 'm', 'S') AND c.relfilenode <> 0"
        " AND c.relpersistence = 'p'"
    )
    return [Relation(r["oid"], r["name"], r["relfilenode"]) for r in rows]


async def pages_holding(
    connection: asyncpg.Connection, markers: Iterable[bytes]
) -> dict[str, set[bytes]]:
    """``{relation: markers found}`` over every page of every relation, dead tuples, free
    space and all (the raw 8 KiB, not what a query sees)."""
    wanted = list(markers)
    hits: dict[str, set[bytes]] = {}
    for relation in await relations(connection):
        size = await connection.fetchval("SELECT pg_relation_size($1::oid)", relation.oid)
        for block in range(size // PAGE):
            page = bytes(
                await connection.fetchval(
                    "SELECT get_raw_page($1::oid::regclass::text, $2)", relation.oid, block
                )
            )
            for marker in wanted:
                if marker in page:
                    hits.setdefault(relation.name, set()).add(marker)
    return hits


@dataclass(frozen=True, slots=True)
class WalHit:
    xid: int
    relfilenode: int
    record_type: str
    image: bool


async def wal_records(connection: asyncpg.Connection, start: str, end: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await connection.fetch(
        "SELECT xid::text::bigint AS xid, relfilenode, record_type, block_data, block_fpi_data"
        " FROM pg_get_wal_block_info($1::text::pg_lsn, $2::text::pg_lsn, true)",
        start,
        end,
    )
    return rows


def wal_holding(records: Iterable[asyncpg.Record], markers: Iterable[bytes]) -> list[WalHit]:
    wanted = list(markers)
    hits = []
    for record in records:
        for data, image in ((record["block_data"], False), (record["block_fpi_data"], True)):
            if data and any(m in bytes(data) for m in wanted):
                hits.append(
                    WalHit(record["xid"], record["relfilenode"], record["record_type"], image)
                )
    return hits


def spearman(order: list[int]) -> float:
    """Spearman's rho between positions 0..n-1 and the ranks ``order`` gives them."""
    n = len(order)
    ranks = {value: rank for rank, value in enumerate(sorted(order))}
    d2 = sum((i - ranks[v]) ** 2 for i, v in enumerate(order))
    return 1 - 6 * d2 / (n * (n * n - 1))


@pytest.fixture
def durable_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL of its own with full-page writes on (the session's cluster runs with them
    off, from its command line, for speed), so the WAL holds page images to search too."""
    server = EmbeddedPostgres(
        tmp_path_factory.mktemp("durable-postgres"),
        settings={"full_page_writes": "on", "synchronous_commit": "on"},
    )
    server.start()
    try:
        yield server
    finally:
        server.stop("immediate")


@pytest.fixture
async def forensic_local_tier(
    durable_postgres: EmbeddedPostgres, nats_server: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[Federation]:
    """The local tier alone, on :func:`durable_postgres`."""

    async def make(prefix: str) -> str:
        name = f"f_{prefix}_{uuid.uuid4().hex[:10]}"
        await asyncio.to_thread(durable_postgres.create_database, name)
        return durable_postgres.url(name)

    async with AsyncExitStack() as stack:
        yield await start_tiers(
            stack, tiers=["local"], fresh_database=make, nats_url=nats_server.url, root=tmp_path
        )
