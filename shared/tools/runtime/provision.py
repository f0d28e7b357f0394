"""What `plenaria up` prepares before the services start: databases, schemas, keys, admin token."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

import asyncpg
import structlog
from sqlalchemy.engine import make_url

from shared.core.vocabulary import TIERS, Tier
from shared.platform.settings import tier_env

log = structlog.get_logger(__name__)

EnsureKeypair = Callable[[Path], tuple[str, str]]
Migrate = Callable[[str], None]


def database_name(tier: Tier) -> str:
    """Each tier owns its database; these are the names `plenaria up` gives them."""
    return f"plenaria_{tier}"


def external_database_urls(environ: Mapping[str, str]) -> dict[Tier, str]:
    """Database URLs of tiers configured to use an external PostgreSQL.

    ``PLENARIA_<TIER>_DATABASE_URL`` is used as is. ``PLENARIA_DATABASE_URL`` names a server
    shared by the remaining tiers: each gets its own ``plenaria_<tier>`` database on it, because
    tiers never share a database. Tiers absent from the result use the embedded server.
    """
    urls: dict[Tier, str] = {}
    general = environ.get("PLENARIA_DATABASE_URL")
    for tier in TIERS:
        specific = environ.get(tier_env(tier, "database_url"))
        if specific:
            urls[tier] = specific
        elif general:
            urls[tier] = with_database(general, database_name(tier))
    return urls


def with_database(url: str, database: str) -> str:
    """``url`` pointing at another database on the same server."""
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def ensure_database(url: str) -> None:
    """Create the database ``url`` names on an external server if it does not exist yet."""
    asyncio.run(_ensure_database(url))


async def _ensure_database(url: str) -> None:
    parsed = make_url(url).set(drivername="postgresql")
    name = parsed.database
    if not name:
        raise ValueError(f"database URL names no database: {parsed!r}")
    try:
        connection = await asyncpg.connect(parsed.render_as_string(hide_password=False))
    except asyncpg.InvalidCatalogNameError:
        maintenance = parsed.set(database="postgres").render_as_string(hide_password=False)
        connection = await asyncpg.connect(maintenance)
        try:
            quoted = '"' + name.replace('"', '""') + '"'
            await connection.execute(f"CREATE DATABASE {quoted}")
            log.info("database.created", database=name)
        except asyncpg.DuplicateDatabaseError:
            pass  # created meanwhile by someone else: exactly what we wanted
        finally:
            await connection.close()
    else:
        await connection.close()


def default_migrate(database_url: str) -> None:
    """Bring one tier's schema to the newest Alembic revision."""
    from shared.platform.db.migrate import upgrade  # imported late: owned by the persistence layer

    upgrade(database_url)


def default_ensure_keypair(path: Path) -> tuple[str, str]:
    """Read or create a signing seed; returns (seed, public key), both base64."""
    from shared.platform.bus.signing import ensure_keypair  # imported late: owned by the bus layer

    return ensure_keypair(path)


def provision_keys(keys_dir: Path, ensure_keypair: EnsureKeypair) -> dict[Tier, str]:
    """One signing key per tier instance plus ``trusted.json`` so each tier trusts the others.

    Returns each tier's base64 seed, handed to the service through its environment.
    """
    seeds: dict[Tier, str] = {}
    trusted: dict[str, str] = {}
    for tier in TIERS:
        seed, public = ensure_keypair(keys_dir / f"{tier}.seed")
        seeds[tier] = seed
        trusted[tier] = public
    write_private(trusted_keys_path(keys_dir), json.dumps(trusted, indent=2, sort_keys=True) + "\n")
    return seeds


def trusted_keys_path(keys_dir: Path) -> Path:
    """Where `plenaria up` writes the public keys the tiers trust at start."""
    return keys_dir / "trusted.json"


def admin_token(data_dir: Path, environ: Mapping[str, str], tier: Tier) -> tuple[str, Path | None]:
    """A tier's operator token: ``PLENARIA_<TIER>_ADMIN_TOKEN`` (or ``PLENARIA_ADMIN_TOKEN``)
    if set, else one generated once for that tier alone and kept in the data directory, so
    the operator credential of one tier administers no other.

    Returns the token and the file it lives in (None when it came from the environment).
    """
    configured = environ.get(tier_env(tier, "admin_token")) or environ.get("PLENARIA_ADMIN_TOKEN")
    if configured:
        return configured, None
    path = data_dir / f"admin-token-{tier}"
    if path.exists():
        return path.read_text().strip(), path
    token = secrets.token_urlsafe(32)
    write_private(path, token + "\n")
    return token, path


def generated_secrets(path: Path, names: list[str]) -> dict[str, str]:
    """``{name: secret}`` kept in ``path`` (owner-only), each generated the first time."""
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if all(name in stored for name in names):
        return stored
    for name in names:
        stored.setdefault(name, secrets.token_urlsafe(24))
    write_private(path, json.dumps(stored, indent=2, sort_keys=True) + "\n")
    return stored


def database_role(tier: Tier) -> str:
    """The login role that owns a tier's database on the embedded server (no superuser)."""
    return f"plenaria_{tier}_app"


def write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by the owner only, replacing the file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(path.name + ".tmp")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    scratch.replace(path)
