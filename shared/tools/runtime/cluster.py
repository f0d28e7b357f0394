"""A whole Plenária (servers, schemas, keys, three services) in a throwaway directory.

`plenaria simulate` and `plenaria bench` need what `plenaria up` starts, but without holding the
user's data directory or their usual ports, and gone afterwards. This composes the supervisor's
public pieces instead of copying them, so the cluster is exactly what `plenaria up` would run.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import click

from shared.core.vocabulary import TIERS, Tier
from shared.platform.settings import tier_env
from shared.tools.runtime.ports import free_port
from shared.tools.runtime.supervisor import Supervisor, UpOptions


@dataclass(frozen=True)
class Cluster:
    """Where the started services and servers answer."""

    data_dir: Path
    urls: dict[Tier, str]
    #: Each tier's operator token.
    admin_tokens: dict[str, str]
    database_urls: dict[Tier, str]
    nats_url: str
    supervisor: Supervisor

    def service_pids(self) -> dict[Tier, int]:
        """Process id of each tier service (from the pid files the supervisor keeps)."""
        pids: dict[Tier, int] = {}
        for tier in TIERS:
            path = self.data_dir / "run" / f"{tier}.pid"
            with contextlib.suppress(FileNotFoundError, ValueError):
                pids[tier] = int(path.read_text().strip())
        return pids


#: Worker processes of the local service in a simulated cluster (unless the environment says).
LOCAL_WORKERS = 2


def cluster_environ(base: Mapping[str, str], *, log_level: str = "warning") -> dict[str, str]:
    """``base`` plus fresh ports, a fresh admin token and quieter service logs.

    External servers configured in ``base`` (``PLENARIA_DATABASE_URL``…) are still honoured,
    as `plenaria up` does; only what could collide with a running `plenaria up` is replaced.
    """
    env = dict(base)
    for tier in TIERS:
        env[tier_env(tier, "port")] = str(free_port())
    env["PLENARIA_ADMIN_TOKEN"] = secrets.token_urlsafe(24)
    env["PLENARIA_LOG_LEVEL"] = log_level
    # Every municipal assembly talks to the local tier: give it a worker per core.
    env.setdefault(tier_env("local", "workers"), str(LOCAL_WORKERS))
    return env


@contextlib.contextmanager
def embedded_cluster(
    data_dir: Path | None = None,
    *,
    durable: bool = False,
    log_level: str = "warning",
    ready_timeout: float = 90.0,
) -> Iterator[Cluster]:
    """Start everything under ``data_dir`` (a temporary directory if None); stop it all after.

    ``durable=False`` runs PostgreSQL without fsync, as the test suite does: the data is
    thrown away, and the measurement is of Plenária rather than of the disk.
    """
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            scratch = tempfile.TemporaryDirectory(
                prefix="plenaria-sim-", ignore_cleanup_errors=True
            )
            data_dir = Path(stack.enter_context(scratch))
        options = UpOptions(
            data_dir=data_dir.absolute(),
            environ=cluster_environ(os.environ, log_level=log_level),
            ready_timeout=ready_timeout,
            fast_postgres=not durable,
        )
        supervisor = Supervisor(options, notify=lambda line: click.echo(line, err=True))
        stack.callback(supervisor.stop)
        supervisor.start()
        # Tools (bench's raw JetStream baseline) connect as the administrator where the
        # embedded server has users.
        nats_url = supervisor.nats_admin_url or next(iter(supervisor.nats_urls.values()))
        yield Cluster(
            data_dir=supervisor.data_dir,
            urls={tier: service.url for tier, service in supervisor.services.items()},
            admin_tokens={str(t): v for t, v in supervisor.admin_tokens.items()},
            database_urls=dict(supervisor.database_urls),
            nats_url=nats_url,
            supervisor=supervisor,
        )
