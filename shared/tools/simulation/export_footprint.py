"""What exporting a tier's whole open data costs the service: seconds, bytes and the growth of its
resident memory while it streams (issue 17: constant memory at Brazil scale).

The export goes through the public endpoint a citizen or a journalist would use, read chunk by
chunk as a client that does not buffer would; the service's memory is sampled meanwhile, so
``growth_mb`` is what the export itself adds to the process tree that serves it.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import psutil

from shared.tools.simulation.memory import RssSampler, tree_rss

FORMATS = ("csv", "json")


async def measure_export(
    base_url: str, pid: int, *, dataset: str, export_format: str
) -> dict[str, Any]:
    """Stream ``dataset`` once from ``base_url`` while sampling process ``pid``'s tree."""
    before = tree_rss(psutil.Process(pid))
    size = 0
    with RssSampler({"service": pid}, interval=0.05) as memory:
        began = time.perf_counter()
        async with (
            httpx.AsyncClient(base_url=base_url, timeout=None) as client,
            client.stream(
                "GET", f"/api/v1/open-data/{dataset}", params={"format": export_format}
            ) as response,
        ):
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                size += len(chunk)
        seconds = time.perf_counter() - began
    peak = max(memory.peak["service"], before)
    before_mb, peak_mb = round(before / 2**20, 1), round(peak / 2**20, 1)
    return {
        "dataset": dataset,
        "format": export_format,
        "mb": round(size / 2**20, 2),
        "seconds": round(seconds, 2),
        "rss_before_mb": before_mb,
        "rss_peak_mb": peak_mb,
        # From the rounded figures, so the three printed numbers always add up.
        "growth_mb": round(peak_mb - before_mb, 1),
    }


async def measure_exports(base_url: str, pid: int, *, dataset: str) -> list[dict[str, Any]]:
    """The export in every format, one after the other."""
    return [await measure_export(base_url, pid, dataset=dataset, export_format=f) for f in FORMATS]
