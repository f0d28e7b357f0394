"""`plenaria simulate --scale tiny` end to end: real servers, services, bus, counts from the tiers.

One embedded cluster serves both the CLI (driving running services by URL) and the demo seed, so
the test also shows that a second cycle on the same services reports only its own counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from shared.tools.demo import seed
from shared.tools.runtime.cluster import Cluster, embedded_cluster

pytestmark = pytest.mark.slow  # a whole tiny cycle through the CLI, twice


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with embedded_cluster() as running:
        yield running


def simulate(cluster: Cluster, *args: str) -> dict[str, Any]:
    command = [
        sys.executable,
        "-c",
        "from shared.tools.cli import main; main()",
        "simulate",
        "--scale",
        "tiny",
        "--json",
        *args,
    ]
    for tier, url in cluster.urls.items():
        command += [f"--{tier}-url", url]
    env = {**os.environ}
    for tier, token in cluster.admin_tokens.items():
        env[f"PLENARIA_{tier.upper()}_ADMIN_TOKEN"] = token
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def assert_consistent(summary: dict[str, Any]) -> None:
    local, regional, national = (summary["tiers"][t] for t in ("local", "regional", "national"))
    assert summary["scale"] == "tiny"
    assert local["assemblies"] == 9
    assert local["proposals"] > 9
    assert local["reports_sent"] == local["assemblies"]
    for tier, below in ((regional, local), (national, regional)):
        assert tier["reports_received"] == tier["reports_applied"] + tier["duplicates_ignored"]
        assert tier["reports_applied"] == below["reports_sent"]
        assert tier["dead_letters"] == 0
        assert tier["items"] > 0
    assert regional["assemblies"] == 3
    assert regional["reports_sent"] == 3
    lineage = summary["lineage"]
    assert 0 < lineage["national_items"] == national["approved"] <= national["items"]
    assert lineage["complete"] == lineage["national_items"]
    assert national["responses_sent"] == national["approved"]  # the council answers every item
    assert summary["responses_attached_local"] >= national["responses_sent"]
    assert local["ballots"] > 0 and local["participants"] > 0
    assert regional["delegates_credentialed"] > 0 and national["delegates_credentialed"] > 0
    assert summary["seconds"]["total"] > 0


def assert_equity_adds_up(summary: dict[str, Any]) -> None:
    """The nation's published equity totals are the sums of the states' (where no state's
    total was withheld as too small), and its credentialed counts are the tiers' own."""
    regional, national = (summary["tiers"][t] for t in ("regional", "national"))
    equity = summary["equity"]
    nation, states, withheld = equity["national"], equity["states"], equity["states_withheld"]
    for key in ("participants/local", "delegates/local", "credentialed/regional"):
        assert nation[key] > 0
        if withheld[key] == 0:
            assert nation[key] == states[key], key
        else:
            assert nation[key] > states[key], key
    assert nation["credentialed/regional"] == regional["delegates_credentialed"]
    assert nation["credentialed/national"] == national["delegates_credentialed"]
    assert nation["participants/local"] <= summary["tiers"]["local"]["participants"]


def test_tiny_cycle_is_consistent_and_repeatable(cluster: Cluster) -> None:
    first = simulate(cluster, "--seed", "5")
    assert_consistent(first)
    assert_equity_adds_up(first)
    seed(dict(cluster.urls), cluster.admin_tokens)  # the demo: another cycle on the same services
    again = simulate(cluster, "--seed", "5")
    assert_consistent(again)
    assert again["tiers"] == first["tiers"]  # same seed, same cycle: counts are its own


def test_open_data_export_is_measured_while_it_streams(cluster: Cluster) -> None:
    """The bench's export figure streams the real endpoint of the running local service and
    samples that process: every proposal arrives, and memory is read before and during."""
    import asyncio

    from shared.tools.simulation.export_footprint import measure_exports

    simulate(cluster, "--seed", "7")
    local = cluster.urls["local"]
    figures = asyncio.run(
        measure_exports(local, cluster.service_pids()["local"], dataset="proposals")
    )
    assert [f["format"] for f in figures] == ["csv", "json"]
    for figure in figures:
        assert figure["mb"] > 0
        assert figure["rss_before_mb"] > 20  # a Python web service, not a stale pid
        assert figure["rss_peak_mb"] >= figure["rss_before_mb"]
        assert figure["growth_mb"] == round(figure["rss_peak_mb"] - figure["rss_before_mb"], 1)


def test_the_national_pages_are_timed_after_a_cycle(cluster: Cluster) -> None:
    """The bench's national figures: the commission's item list (two orders) and the lineage
    tree of the first item, on a real cycle's national items."""
    import asyncio

    from shared.tools.simulation.workbench import national_bench

    simulate(cluster, "--seed", "11")
    figures = asyncio.run(
        national_bench(cluster.urls["national"], cluster.admin_tokens["national"], rounds=2)
    )
    assert figures["items"] > 0
    paths = list(figures["pages"])
    assert paths[:2] == ["/conselho/mandatos", "/conselho/mandatos?ordem=states"]
    assert len(paths) == 3 and paths[2].startswith("/rastreabilidade/")
    for timed in figures["pages"].values():
        assert timed["n"] == 2 and 0 < timed["p50_ms"] <= timed["max_ms"]
        assert timed["bytes"] > 1000
