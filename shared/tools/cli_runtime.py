"""`plenaria up`, `serve` and `migrate`: running Plenária rather than computing with it."""

from __future__ import annotations

import json
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
@click.option(
    "--cluster",
    "nodes",
    type=click.IntRange(1, 5),
    default=1,
    show_default=True,
    help="The scale-out shape on one machine: N nats-server nodes routed on loopback, streams "
    "with N replicas and two instances of each tier (N > 1).",
)
def up(data_dir: Path, demo: bool, nodes: int) -> None:
    """Start PostgreSQL, NATS and the three tier services; Ctrl-C stops everything."""
    from shared.tools.demo import seed
    from shared.tools.runtime.supervisor import UpOptions, run_up

    options = UpOptions(
        data_dir=data_dir.absolute(), nats_nodes=nodes, instances=2 if nodes > 1 else 1
    )
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


@click.group()
def keys() -> None:
    """Instance keys: only the operator changes them, in the trusted-keys file."""


@keys.command()
@click.option(
    "--trusted-keys-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    envvar="PLENARIA_TRUSTED_KEYS_FILE",
    required=True,
    help="The operator's trusted-keys file (env PLENARIA_TRUSTED_KEYS_FILE).",
)
@click.option("--instance", required=True, help="The instance whose key is replaced.")
@click.option(
    "--old-seed-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
    help="The seed of the key trusted now (proves the rotation is the key holder's).",
)
@click.option(
    "--new-seed-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
    help="The new seed (proves the new key is held).",
)
def rotate(
    trusted_keys_file: Path, instance: str, old_seed_file: Path, new_seed_file: Path
) -> None:
    """Replace an instance's trusted key with both its old and its new seed in hand; prints the
    rotation record (JSON) signed by both. Restart every tier afterwards."""
    from shared.tools.runtime.rotation import RotationError, read_seed, rotate_instance_key

    try:
        record = rotate_instance_key(
            trusted_keys_file, instance, read_seed(old_seed_file), read_seed(new_seed_file)
        )
    except (RotationError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps({"instance": instance, **record}, sort_keys=True))


@click.group()
def broker() -> None:
    """NATS for real servers: the users' configuration, and the streams (as the administrator)."""


@broker.command("config")
@click.option("--route", "routes", multiple=True, help="A cluster route, host:port (repeatable).")
def broker_config(routes: tuple[str, ...]) -> None:
    """Print a nats-server configuration: one user per tier with only its own subjects and
    durables, and the administrator. Passwords come from PLENARIA_NATS_<USER>_PASSWORD (USER:
    ADMIN, LOCAL, REGIONAL, NATIONAL), the routes' from PLENARIA_NATS_ROUTE_PASSWORD."""
    from shared.tools.runtime.broker import ADMIN_USER, server_config

    names: dict[str, str] = {ADMIN_USER: "ADMIN", **{tier: tier.upper() for tier in TIERS}}
    credentials: dict[str, str] = {}
    for user, name in names.items():
        password = os.environ.get(f"PLENARIA_NATS_{name}_PASSWORD", "")
        if not password:
            raise click.ClickException(f"set PLENARIA_NATS_{name}_PASSWORD")
        credentials[user] = password
    route_password = os.environ.get("PLENARIA_NATS_ROUTE_PASSWORD", "")
    if routes and not route_password:
        raise click.ClickException("routes need PLENARIA_NATS_ROUTE_PASSWORD")
    groups = {tier: os.environ.get(tier_env(tier, "instance"), tier) for tier in TIERS}
    click.echo(
        server_config(credentials, groups, route_password=route_password, routes=routes), nl=False
    )


@broker.command("streams")
def broker_streams() -> None:
    """Create or update the two streams as the NATS administrator (PLENARIA_NATS_URL,
    PLENARIA_NATS_USER, PLENARIA_NATS_PASSWORD, PLENARIA_STREAM_REPLICAS)."""
    from shared.tools.runtime.broker import declare_with

    try:
        declare_with(load_settings())
    except Exception as exc:
        raise click.ClickException(f"streams not declared: {exc}") from exc
    click.echo("streams declared")


@click.command("backup")
@click.option("--tier", type=click.Choice(TIERS), required=True)
@click.option("--to", "target", type=click.Path(path_type=Path), required=True)
def backup_command(tier: Tier, target: Path) -> None:
    """Dump TIER's database (PLENARIA_<TIER>_DATABASE_URL) to a file, with a manifest beside it."""
    from shared.tools.runtime.backup import BackupError, backup

    try:
        manifest = backup(load_settings(tier), target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{tier} backed up to {target} at {manifest.taken_at.isoformat()}")


@click.command("restore")
@click.option("--tier", type=click.Choice(TIERS), required=True)
@click.option("--from", "source", type=click.Path(path_type=Path, exists=True), required=True)
def restore_command(tier: Tier, source: Path) -> None:
    """Load a backup into TIER's database (stop the service first); when it starts again it
    replays the streams and catches up. Needs NATS credentials that may delete consumers."""
    from shared.tools.runtime.backup import BackupError, restore

    try:
        manifest = restore(load_settings(tier), source)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{tier} restored from the backup of {manifest.taken_at.isoformat()}; start the service "
        "to catch up from the streams"
    )


def register(group: click.Group) -> None:
    """Add the runtime commands to the ``plenaria`` group."""
    for command in (up, serve, migrate, keys, broker, backup_command, restore_command):
        group.add_command(command)
