"""Least privilege on the embedded nats-server: one user per tier, allowed only its own subjects
and durables, and an administrator that alone creates the streams.

`plenaria up` writes ``<data dir>/nats/credentials.json`` (passwords, generated once, owner-only)
and ``<data dir>/nats/nats-server.conf`` (the users and their permissions from
:func:`shared.contracts.subjects.broker_permissions`), starts the server with that file, and
declares the streams as the administrator before any service connects. Services then connect
as their tier's user with ``PLENARIA_<TIER>_DECLARE_STREAMS=false``: they can publish their own
subjects and read their own durables, and nothing else — no purge, no delete, no stream edits.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import msgspec
import nats

from shared.contracts.subjects import broker_permissions
from shared.core.vocabulary import TIERS, Tier
from shared.platform.bus.connection import declare_streams
from shared.platform.settings import Settings
from shared.tools.runtime.provision import generated_secrets, write_private

ADMIN_USER = "plenaria-admin"


def nats_credentials(nats_dir: Path) -> dict[str, str]:
    """``{user: password}`` for the administrator and each tier, created once and kept."""
    return generated_secrets(nats_dir / "credentials.json", [ADMIN_USER, *TIERS])


def server_config(
    credentials: Mapping[str, str],
    groups: Mapping[Tier, str],
    *,
    route_password: str = "",
    routes: Sequence[str] = (),
) -> str:
    """The nats-server configuration (JSON is valid NATS config) of those users: each tier's
    ``groups[tier]`` names its deployment (its durables). With ``route_password``, a cluster
    whose routes (``host:port``) authenticate with it as user ``route``."""
    users: list[dict[str, object]] = [
        {"user": ADMIN_USER, "password": credentials[ADMIN_USER]},
    ]
    for tier in TIERS:
        users.append(
            {
                "user": tier,
                "password": credentials[tier],
                "permissions": broker_permissions(tier, groups.get(tier, tier)),
            }
        )
    config: dict[str, object] = {"authorization": {"users": users}}
    if route_password:
        config["cluster"] = {
            "name": "plenaria",
            "listen": "0.0.0.0:6222",
            "authorization": {"user": "route", "password": route_password},
            "routes": [
                f"nats://route:{quote(route_password, safe='')}@{route}" for route in routes
            ],
        }
    return json.dumps(config, indent=2) + "\n"


def write_server_config(nats_dir: Path, groups: Mapping[Tier, str]) -> Path:
    path = nats_dir / "nats-server.conf"
    write_private(path, server_config(nats_credentials(nats_dir), groups))
    return path


def with_credentials(url: str, user: str, password: str) -> str:
    """``nats://user:password@host:port`` (for tools that take one URL)."""
    parts = urlsplit(url)
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.hostname}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def provision_streams(url: str, password: str, settings: Settings) -> None:
    """Create (or update) the streams as the administrator."""
    declare_with(
        msgspec.structs.replace(
            settings, nats_url=url, nats_user=ADMIN_USER, nats_password=password
        )
    )


def declare_with(settings: Settings) -> None:
    """Create (or update) the streams with ``settings``' NATS URL and credentials."""

    async def declare() -> None:
        nc = await nats.connect(
            servers=[url.strip() for url in settings.nats_url.split(",")],
            user=settings.nats_user or None,
            password=settings.nats_password or None,
            connect_timeout=5,
            max_reconnect_attempts=2,
        )
        try:
            await declare_streams(nc.jetstream(timeout=10), settings)
        finally:
            await nc.close()

    asyncio.run(declare())
