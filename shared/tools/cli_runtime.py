"""`plenaria up`, `serve` and `migrate`: running Plenária rather than computing with it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from shared.core.vocabulary import TIERS, Tier
from shared.platform.settings import load_settings, tier_env


@click.command()
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="PLENARIA_DATA_DIR",
    default=Path(".plenaria"),
    show_default=True,
    help="Where the embedded servers, keys and logs live (env PLENARIA_DATA_DIR).",
)
@click.option("--demo", is_flag=True, help="Seed a small cycle so there is something to see.")
def up(data_dir: Path, demo: bool) -> None:
    """Start PostgreSQL, NATS and the three tier services; Ctrl-C stops everything."""
    from shared.tools.demo import seed
    from shared.tools.runtime.supervisor import UpOptions, run_up

    options = UpOptions(data_dir=data_dir.absolute())
    sys.exit(run_up(options, after_start=seed if demo else None))


@click.command()
@click.argument("tier", type=click.Choice(TIERS))
def serve(tier: Tier) -> None:
    """Run one tier service in the foreground against the configured servers."""
    os.execv(sys.executable, [sys.executable, "-m", f"services.{tier}"])


@click.command()
@click.option("--tier", type=click.Choice(TIERS), help="Only this tier (default: all three).")
def migrate(tier: Tier | None) -> None:
    """Bring each tier's database schema to the newest revision."""
    from shared.tools.runtime.provision import default_migrate

    for each in (tier,) if tier else TIERS:
        settings = load_settings(each)
        if not settings.database_url:
            raise click.ClickException(
                f"no database for {each}: set {tier_env(each, 'database_url')} "
                "or PLENARIA_DATABASE_URL"
            )
        default_migrate(settings.database_url)
        click.echo(f"{each}: migrated")


def register(group: click.Group) -> None:
    """Add the runtime commands to the ``plenaria`` group."""
    for command in (up, serve, migrate):
        group.add_command(command)
