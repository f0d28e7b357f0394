"""`plenaria simulate` and `plenaria bench`: a whole cycle at any scale through the real services."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from shared.tools.simulation.scenario import SCALES, Scale

_TIER_URLS = ("local", "regional", "national")


def _scenario_options(command: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--scale",
                type=click.Choice(SCALES),
                default="tiny",
                show_default=True,
                help="tiny: 3 states × 3 towns; state: São Paulo's 645; brazil: all 5,570.",
            ),
            click.option(
                "--municipalities",
                type=click.IntRange(min=1, max=5570),
                help="Instead of --scale: this many municipalities spread over all 27 states.",
            ),
            click.option("--seed", type=int, default=1, show_default=True),
            click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON."),
            click.option(
                "--concurrency", type=click.IntRange(min=1), default=16, show_default=True
            ),
            click.option(
                "--data-dir",
                type=click.Path(file_okay=False, path_type=Path),
                help="Keep the embedded servers' data here (default: a temporary directory).",
            ),
            click.option(
                "--durable",
                is_flag=True,
                help="Run the embedded PostgreSQL with fsync on (default: off, data is scratch).",
            ),
        ]
    ):
        command = option(command)
    return command


@click.command()
@_scenario_options
@click.option("--local-url", help="Drive an already running local service instead.")
@click.option("--regional-url", help="… and this regional service.")
@click.option("--national-url", help="… and this national service.")
@click.option(
    "--admin-token",
    envvar="PLENARIA_ADMIN_TOKEN",
    help="Operator token of those services, where one token serves them all.",
)
@click.option("--local-admin-token", envvar="PLENARIA_LOCAL_ADMIN_TOKEN", help="The local one's.")
@click.option(
    "--regional-admin-token", envvar="PLENARIA_REGIONAL_ADMIN_TOKEN", help="The regional one's."
)
@click.option(
    "--national-admin-token", envvar="PLENARIA_NATIONAL_ADMIN_TOKEN", help="The national one's."
)
def simulate(
    scale: Scale,
    municipalities: int | None,
    seed: int,
    as_json: bool,
    concurrency: int,
    data_dir: Path | None,
    durable: bool,
    local_url: str | None,
    regional_url: str | None,
    national_url: str | None,
    admin_token: str | None,
    local_admin_token: str | None,
    regional_admin_token: str | None,
    national_admin_token: str | None,
) -> None:
    """Run a whole conference cycle with synthetic but realistic data and print a summary."""
    from shared.tools.simulation.run import run_simulation

    urls = {"local": local_url, "regional": regional_url, "national": national_url}
    given = {tier: url for tier, url in urls.items() if url}
    per_tier = {
        "local": local_admin_token,
        "regional": regional_admin_token,
        "national": national_admin_token,
    }
    tokens = {tier: token or admin_token or "" for tier, token in per_tier.items()}
    if given and (len(given) < len(urls) or not all(tokens.values())):
        raise click.UsageError(
            "driving running services needs --local-url, --regional-url, --national-url "
            "and each one's operator token (--<tier>-admin-token or PLENARIA_<TIER>_ADMIN_TOKEN)"
        )
    summary = run_simulation(
        scale=scale,
        municipalities=municipalities or 0,
        seed=seed,
        concurrency=concurrency,
        urls=given or None,
        admin_tokens=tokens,
        data_dir=data_dir,
        durable=durable,
    )
    _emit(summary, as_json)


@click.command()
@_scenario_options
def bench(
    scale: Scale,
    municipalities: int | None,
    seed: int,
    as_json: bool,
    concurrency: int,
    data_dir: Path | None,
    durable: bool,
) -> None:
    """Measure ingest, federation, consolidation and memory on the embedded servers (docs/spec.md §9)."""
    from shared.tools.simulation.bench import run_bench

    result = run_bench(
        scale=scale,
        municipalities=municipalities or 0,
        seed=seed,
        concurrency=concurrency,
        data_dir=data_dir,
        durable=durable,
    )
    _emit(result, as_json)


def _emit(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.pretty import Pretty

    Console(file=sys.stdout).print(Pretty(result))


def register(group: click.Group) -> None:
    """Add the simulation commands to the ``plenaria`` group."""
    group.add_command(simulate)
    group.add_command(bench)
