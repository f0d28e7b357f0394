"""`plenaria bench` (docs/spec.md §9): one simulated cycle on the embedded servers, measured, plus the
raw baselines (PostgreSQL ``COPY`` of the same rows, JetStream publish/consume of the same bytes)
taken in the same run on the same servers, so the ratios say what Plenária's own layers cost.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import asyncpg
import nats
import psutil
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig
from sqlalchemy.engine import make_url

from shared.platform.logging import configure_logging
from shared.tools.simulation.driver import CycleDriver, Endpoints
from shared.tools.simulation.export_footprint import measure_exports
from shared.tools.simulation.memory import RssSampler
from shared.tools.simulation.scenario import Scale
from shared.tools.simulation.suggestions import measure_suggestions
from shared.tools.simulation.workbench import national_bench, workbench_bench

RAW_STREAM = "PLENARIA_BENCH_RAW"
RAW_SUBJECT = "plenaria-bench.raw"


def _plain(url: str) -> str:
    """asyncpg wants ``postgresql://``; the services use ``postgresql+asyncpg://``."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def copy_rate(database_url: str, table: str, records: list[tuple[Any, ...]]) -> float:
    """Rows per second of a raw ``COPY`` of ``records`` into a scratch copy of ``table``."""
    if not records:
        return 0.0
    connection = await asyncpg.connect(_plain(database_url))
    scratch = f"bench_{table}"
    try:
        await connection.execute(
            f"CREATE TEMP TABLE {scratch} (LIKE {table} INCLUDING DEFAULTS INCLUDING INDEXES)"
        )
        began = time.perf_counter()
        await connection.copy_records_to_table(scratch, records=records)
        elapsed = time.perf_counter() - began
        await connection.execute(f"DROP TABLE {scratch}")
    finally:
        await connection.close()
    return len(records) / elapsed


async def table_rows(database_url: str, query: str) -> list[tuple[Any, ...]]:
    connection = await asyncpg.connect(_plain(database_url))
    try:
        return [tuple(row) for row in await connection.fetch(query)]
    finally:
        await connection.close()


def ballot_records(rows: int, poll_id: uuid.UUID) -> list[tuple[Any, ...]]:
    """One ``plenary_ballot`` row per ballot line (what a naive ingest would store)."""
    ranking = json.dumps([["a"], ["b"], ["c"], ["d"], ["e"]])
    return [(uuid.uuid4(), poll_id, ranking, 1) for _ in range(rows)]


async def raw_jetstream_rate(nats_url: str, messages: list[tuple[bytes, dict[str, str]]]) -> float:
    """Messages per second published pipelined to a scratch stream and pulled back with acks."""
    if not messages:
        return 0.0
    nc = await nats.connect(nats_url)
    js = nc.jetstream(timeout=30)
    try:
        await js.add_stream(
            StreamConfig(name=RAW_STREAM, subjects=[f"{RAW_SUBJECT}.>"], storage=StorageType.FILE)
        )
        sub = await js.pull_subscribe(
            f"{RAW_SUBJECT}.>",
            durable="bench",
            stream=RAW_STREAM,
            config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_ack_pending=-1),
        )
        began = time.perf_counter()
        futures = [
            await js.publish_async(f"{RAW_SUBJECT}.report", data, headers=headers)
            for data, headers in messages
        ]
        await asyncio.gather(*futures)
        received = 0
        while received < len(messages):
            try:
                batch = await sub.fetch(200, timeout=5.0)
            except TimeoutError:
                continue
            for msg in batch:
                await msg.ack()
            received += len(batch)
        elapsed = time.perf_counter() - began
        await js.delete_stream(RAW_STREAM)
    finally:
        await nc.close()
    return len(messages) / elapsed


def _headers(value: Any) -> dict[str, str]:
    """asyncpg hands jsonb over as text."""
    decoded = json.loads(value) if isinstance(value, str | bytes) else value
    return {str(k): str(v) for k, v in dict(decoded).items()}


def _ratio(service: float, raw: float) -> float:
    return round(service / raw, 3) if raw else 0.0


async def measure(
    driver: CycleDriver, database_urls: Mapping[str, str], nats_url: str
) -> dict[str, Any]:
    """Run the cycle, then the raw baselines on the same servers; the §9 figures."""
    summary = await driver.run()
    seconds = summary["seconds"]
    local_db, regional_db = database_urls["local"], database_urls["regional"]
    ingest: list[dict[str, Any]] = []

    proposals = await table_rows(local_db, "SELECT * FROM proposal")
    proposal_rate = len(proposals) / seconds["proposals"] if seconds.get("proposals") else 0.0
    proposal_copy = await copy_rate(local_db, "proposal", proposals)
    ingest.append(_path("proposals", proposal_rate, proposal_copy))

    ballots = int(summary["rows_sent"].get("ballots", 0))
    ballot_rate = ballots / seconds["ballots"] if seconds.get("ballots") else 0.0
    polls = await table_rows(local_db, "SELECT id FROM plenary_poll LIMIT 1")
    poll_id = polls[0][0] if polls else uuid.uuid4()
    ballot_copy = await copy_rate(local_db, "plenary_ballot", ballot_records(ballots, poll_id))
    ingest.append(_path("ballots", ballot_rate, ballot_copy))

    # Reports: the regional service was paused while the assemblies closed, so every report
    # waited in JetStream; the federation phase is the regional tier draining that backlog
    # (consumer → verify → inbox + apply), the relay having published it meanwhile.
    staged = await table_rows(
        local_db, "SELECT data, headers FROM outbox WHERE kind = 'report' ORDER BY seq"
    )
    received = await table_rows(regional_db, "SELECT * FROM received_report")
    drain = seconds.get("federate_regional", 0.0)
    report_rate = len(received) / drain if drain > 0 else 0.0
    report_copy = await copy_rate(regional_db, "received_report", received)
    ingest.append(_path("reports", report_rate, report_copy))

    raw = await raw_jetstream_rate(nats_url, [(row[0], _headers(row[1])) for row in staged])
    closes = summary.get("consolidation_seconds", {})
    states = [s for uf, s in closes.items() if uf != "BR"]
    return {
        "scale": summary["scale"],
        "seed": summary["seed"],
        "ingest": ingest,
        "federation": {
            "reports_per_s": round(report_rate, 1),
            "raw_per_s": round(raw, 1),
            "ratio": _ratio(report_rate, raw),
            "reports": len(received),
        },
        "consolidation_s": {
            "state_max": round(max(states), 3) if states else 0.0,
            "national": round(closes.get("BR", 0.0), 3),
        },
        "end_to_end_s": round(seconds["total"], 1),
        "summary": summary,
    }


def _path(name: str, rate: float, copy: float) -> dict[str, Any]:
    return {
        "path": name,
        "rows_per_s": round(rate, 1),
        "copy_rows_per_s": round(copy, 1),
        "ratio": _ratio(rate, copy),
    }


def run_bench(
    *,
    scale: Scale,
    municipalities: int,
    seed: int,
    concurrency: int,
    data_dir: Path | None,
    durable: bool,
) -> dict[str, Any]:
    """Start the embedded cluster, run and measure one cycle, return the §9 JSON."""
    from shared.tools.runtime.cluster import embedded_cluster
    from shared.tools.simulation.progress import RichReporter
    from shared.tools.simulation.run import make_scenario

    configure_logging(level="warning", json=False)
    scenario = make_scenario(scale, municipalities, seed)
    with embedded_cluster(data_dir, durable=durable) as cluster, RichReporter() as reporter:
        endpoints = Endpoints({str(t): u for t, u in cluster.urls.items()}, cluster.admin_tokens)
        driver = CycleDriver(scenario, endpoints, concurrency=concurrency, reporter=reporter)
        pids = cluster.service_pids()
        regional = psutil.Process(pids["regional"])
        driver.hold_federation = regional.suspend
        driver.release_federation = regional.resume
        with RssSampler({str(t): p for t, p in cluster.service_pids().items()}) as memory:
            result = asyncio.run(
                measure(
                    driver,
                    {str(t): u for t, u in cluster.database_urls.items()},
                    cluster.nats_url,
                )
            )
        result["peak_rss_mb"] = memory.peak_mb()
        # After the cycle, on its full data: every proposal exported the way the public reads it.
        result["open_data_export"] = asyncio.run(
            measure_exports(cluster.urls["local"], pids["local"], dataset="proposals")
        )
        result["postgres_fsync"] = durable
        # The state workbench at São Paulo's scale, after the cycle (docs/cli.md).
        result["workbench"] = asyncio.run(
            workbench_bench(
                cluster.urls["regional"],
                cluster.database_urls["regional"],
                cluster.admin_tokens["regional"],
            )
        )
        # The national commission's item list and lineage tree, on the cycle's national items.
        result["national_pages"] = asyncio.run(
            national_bench(cluster.urls["national"], cluster.admin_tokens["national"])
        )
    # in this process, the servers stopped: duplicate suggestions for São Paulo's ~19,000
    # proposals (shared/tools/simulation/suggestions.py; target under 10 s)
    result["duplicate_suggestions"] = measure_suggestions()
    return result
