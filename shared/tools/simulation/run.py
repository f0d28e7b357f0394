"""Wiring for `plenaria simulate`: a scenario, the services (started here or given), the driver."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shared.platform.logging import configure_logging
from shared.tools.simulation.census import load_census
from shared.tools.simulation.driver import CycleDriver, Endpoints, Reporter
from shared.tools.simulation.scenario import Scale, Scenario, build_scenario


def make_scenario(scale: Scale, municipalities: int, seed: int) -> Scenario:
    return build_scenario(load_census(), scale, seed, municipalities)


def drive(
    scenario: Scenario, endpoints: Endpoints, *, concurrency: int, reporter: Reporter | None
) -> dict[str, Any]:
    """Run the async driver to completion from synchronous code."""
    driver = CycleDriver(scenario, endpoints, concurrency=concurrency, reporter=reporter)
    return asyncio.run(driver.run())


def run_simulation(
    *,
    scale: Scale,
    municipalities: int,
    seed: int,
    concurrency: int,
    urls: dict[str, str] | None,
    admin_tokens: Mapping[str, str],
    data_dir: Path | None,
    durable: bool,
) -> dict[str, Any]:
    """Start an embedded cluster unless ``urls`` are given, drive the cycle, return the summary."""
    from shared.tools.runtime.cluster import embedded_cluster
    from shared.tools.simulation.progress import RichReporter

    configure_logging(level="warning", json=False)
    scenario = make_scenario(scale, municipalities, seed)
    with contextlib.ExitStack() as stack:
        if urls is None:
            cluster = stack.enter_context(embedded_cluster(data_dir, durable=durable))
            endpoints = Endpoints(
                {str(t): u for t, u in cluster.urls.items()}, cluster.admin_tokens
            )
        else:
            endpoints = Endpoints(urls, admin_tokens)
        reporter = stack.enter_context(RichReporter())
        return drive(scenario, endpoints, concurrency=concurrency, reporter=reporter)
    raise AssertionError("unreachable")  # pragma: no cover - ExitStack does not swallow
