"""A tier's database backed up and restored with the embedded wheel's ``pg_dump``/``pg_restore``,
and the catch-up that makes a restore lose nothing.

A backup is a custom-format dump plus a small manifest beside it (``<file>.json``: tier,
instance, when it was taken). Restoring loads the dump into the tier's database (the service
stopped) and then deletes the tier's durable consumers, so that when the service starts again
JetStream delivers it the whole stream once more: every message applied before the backup finds
its inbox row and is skipped as a duplicate, every message applied after it is applied again.
That is exact as long as the stream still holds everything since the backup, and the inbox
still remembers everything the stream holds (:func:`shared.platform.settings.check_retention`);
a backup older than the streams' age is refused.

What a restore cannot bring back: actions taken *at* the tier after the backup (a merge, a
closing) whose effects were not messages it received. Their outgoing messages are in the stream
and were applied by the other tiers; the people who took them must take them again.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nats
from nats.js.errors import NotFoundError

from shared.contracts.subjects import subscriptions
from shared.platform.settings import Settings
from shared.tools.runtime.postgres import wheel_bin


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


@dataclass(frozen=True, slots=True)
class Manifest:
    tier: str
    instance: str
    taken_at: datetime

    def to_json(self) -> str:
        return json.dumps(
            {"tier": self.tier, "instance": self.instance, "taken_at": self.taken_at.isoformat()}
        )

    @classmethod
    def read(cls, dump: Path) -> Manifest:
        path = manifest_path(dump)
        try:
            found = json.loads(path.read_text())
            return cls(found["tier"], found["instance"], datetime.fromisoformat(found["taken_at"]))
        except (OSError, ValueError, KeyError) as err:
            raise BackupError(f"{path} is missing or unreadable: {err}") from None


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + ".json")


def _connection(url: str) -> tuple[list[str], dict[str, str]]:
    """libpq arguments for a SQLAlchemy URL, the password in the environment (not argv)."""
    if not url:
        raise BackupError("no database configured for this tier (PLENARIA_<TIER>_DATABASE_URL)")
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", str(parts.port or 5432)
    user, database = unquote(parts.username or "postgres"), parts.path.lstrip("/")
    args = ["-h", host, "-p", port, "-U", user, "-d", database]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def backup(settings: Settings, target: Path) -> Manifest:
    """Dump the tier's database to ``target`` (custom format) with its manifest."""
    args, env = _connection(settings.database_url)
    taken_at = datetime.now(UTC)
    target.parent.mkdir(parents=True, exist_ok=True)
    _run([str(wheel_bin() / "pg_dump"), "-Fc", "--no-owner", "-f", str(target), *args], env)
    manifest = Manifest(settings.tier, settings.sender_id, taken_at)
    manifest_path(target).write_text(manifest.to_json())
    return manifest


def restore(settings: Settings, source: Path, *, now: datetime | None = None) -> Manifest:
    """Load ``source`` into the tier's database (its service stopped), then make the tier's
    durables replay the streams when it starts."""
    manifest = Manifest.read(source)
    if manifest.tier != settings.tier:
        raise BackupError(f"{source} is a backup of the {manifest.tier} tier, not {settings.tier}")
    age = ((now or datetime.now(UTC)) - manifest.taken_at).total_seconds()
    if age > settings.stream_max_age_s:
        raise BackupError(
            f"{source} is {age / 86400:.1f} days old, older than the streams keep messages "
            f"({settings.stream_max_age_s / 86400:.1f} days): what arrived since could not be "
            "replayed"
        )
    args, env = _connection(settings.database_url)
    _run(
        [
            str(wheel_bin() / "pg_restore"),
            *("--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"),
            *args,
            str(source),
        ],
        env,
    )
    asyncio.run(replay_streams(settings))
    return manifest


async def replay_streams(settings: Settings) -> list[str]:
    """Delete the tier deployment's durable consumers (they are recreated, from the first
    message the streams hold, when the service starts); the durables deleted. Needs NATS
    credentials that may administer consumers (the operator's)."""
    connection = await nats.connect(
        settings.nats_url.split(","),
        user=settings.nats_user or None,
        password=settings.nats_password or None,
        connect_timeout=5,
        max_reconnect_attempts=2,
    )
    deleted: list[str] = []
    try:
        js = connection.jetstream()
        for sub in subscriptions(settings.tier, settings.sender_id):
            try:
                await js.delete_consumer(sub.stream, sub.durable)
                deleted.append(sub.durable)
            except NotFoundError:
                continue
    finally:
        await connection.close()
    return deleted
