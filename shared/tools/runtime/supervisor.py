"""`plenaria up`: servers, databases, keys and the three services under one supervising process.

Layout of the data directory::

    plenaria.lock   held while `plenaria up` runs       admin-token   generated once
    postgres/       embedded PostgreSQL (if used)       keys/         seeds + trusted.json
    nats/           embedded nats-server (if used)      logs/<tier>.log, run/<tier>.pid
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import click
import structlog

from shared.core.vocabulary import TIERS, Tier
from shared.platform.settings import DEFAULT_PORTS, load_settings, tier_env
from shared.tools.runtime.broker import (
    ADMIN_USER,
    nats_credentials,
    provision_streams,
    with_credentials,
    write_server_config,
)
from shared.tools.runtime.lock import DataDirInUse, DataDirLock
from shared.tools.runtime.nats_server import EmbeddedNats, EmbeddedNatsError
from shared.tools.runtime.ports import free_port, port_is_free
from shared.tools.runtime.postgres import EmbeddedPostgres, EmbeddedPostgresError
from shared.tools.runtime.provision import (
    EnsureKeypair,
    Migrate,
    admin_token,
    database_name,
    database_role,
    default_ensure_keypair,
    default_migrate,
    ensure_database,
    external_database_urls,
    generated_secrets,
    provision_keys,
    trusted_keys_path,
)
from shared.tools.runtime.services import Backoff, ServiceProcess, ServiceStartError, stop_leftover

log = structlog.get_logger(__name__)

#: Failures `plenaria up` reports as a message rather than a traceback.
STARTUP_ERRORS = (DataDirInUse, EmbeddedPostgresError, EmbeddedNatsError, ServiceStartError)


def service_command(tier: Tier) -> list[str]:
    """How a tier service is run: its package's ``__main__`` reads its own settings."""
    return [sys.executable, "-m", f"services.{tier}"]


@dataclass
class UpOptions:
    """Everything `plenaria up` can vary; tests swap the callables for lightweight stand-ins."""

    data_dir: Path
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    service_command: Callable[[Tier], list[str]] = service_command
    migrate: Migrate = default_migrate
    ensure_keypair: EnsureKeypair = default_ensure_keypair
    ready_timeout: float = 60.0
    shutdown_grace: float = 15.0
    fast_postgres: bool = False


class Supervisor:
    """Starts the stack in dependency order and stops it in reverse, whatever failed midway."""

    def __init__(self, options: UpOptions, notify: Callable[[str], None] = click.echo) -> None:
        self.options = options
        self.data_dir = options.data_dir.absolute()
        self.notify = notify
        self.lock = DataDirLock(self.data_dir)
        self.postgres: EmbeddedPostgres | None = None
        self.nats: EmbeddedNats | None = None
        self.services: dict[Tier, ServiceProcess] = {}
        self.database_urls: dict[Tier, str] = {}
        self.nats_urls: dict[Tier, str] = {}
        #: NATS users of the embedded server (the administrator and one per tier).
        self.nats_credentials: dict[str, str] = {}
        #: The embedded server's URL with the administrator's credentials (for tools).
        self.nats_admin_url = ""
        self._embedded_nats: set[Tier] = set()
        #: Each tier's own operator token (and the file it is kept in, unless configured).
        self.admin_tokens: dict[Tier, str] = {}
        self.admin_token_paths: dict[Tier, Path | None] = {}
        self._seeds: dict[Tier, str] = {}
        self._cleanup = contextlib.ExitStack()
        self._server_backoff = Backoff()
        self._server_retry_at = 0.0

    @property
    def urls(self) -> dict[str, str]:
        """Base URL of each tier service."""
        return {tier: service.url for tier, service in self.services.items()}

    def start(self) -> None:
        """Lock the directory, start servers, provision, start the services, wait until ready."""
        self.lock.acquire()
        self._cleanup.callback(self.lock.release)
        self._start_servers()
        self._provision()
        self._start_services()
        self._wait_ready()

    def stop(self) -> None:
        """Services first (they drain the bus), then NATS, PostgreSQL and the lock."""
        self._cleanup.close()

    def supervise(self, interval: float = 0.5) -> None:
        """Keep everything running until interrupted."""
        while True:
            self.check()
            time.sleep(interval)

    def check(self) -> None:
        """One supervision pass: restart crashed servers and services, with backoff."""
        now = time.monotonic()
        self._revive_servers(now)
        for service in self.services.values():
            if service.is_running():
                continue
            if service.restart_at is None:
                delay = service.schedule_restart(now)
                self.notify(
                    f"{service.tier} exited with code {service.exit_code}; "
                    f"restarting in {delay:.0f} s (log: {service.log_path})"
                )
            elif now >= service.restart_at:
                service.start()

    # --- steps -----------------------------------------------------------------------------------

    def _start_servers(self) -> None:
        environ = self.options.environ
        external = external_database_urls(environ)
        if len(external) < len(TIERS):
            # SCRAM passwords for the superuser and one non-superuser role per tier, kept
            # owner-only beside the cluster (not inside it).
            passwords = generated_secrets(
                self.data_dir / "postgres-credentials.json", ["postgres", *TIERS]
            )
            self.postgres = EmbeddedPostgres(
                self.data_dir / "postgres",
                fast=self.options.fast_postgres,
                password=passwords["postgres"],
            )
            self.postgres.start()
            self._cleanup.callback(self.postgres.stop)
        for tier in TIERS:
            if tier in external:
                ensure_database(external[tier])
                self.database_urls[tier] = external[tier]
            else:
                assert self.postgres is not None
                name, role = database_name(tier), database_role(tier)
                self.postgres.ensure_owner(name, role, passwords[tier])
                self.database_urls[tier] = self.postgres.url(
                    name, user=role, password=passwords[tier]
                )
        general = environ.get("PLENARIA_NATS_URL")
        configured = {t: environ.get(tier_env(t, "nats_url")) or general for t in TIERS}
        if not all(configured.values()):
            nats_dir = self.data_dir / "nats"
            config = write_server_config(nats_dir, {tier: tier for tier in TIERS})
            self.nats = EmbeddedNats(nats_dir, config=config)
            self.nats.start()
            self._cleanup.callback(self.nats.stop)
            self.nats_credentials = nats_credentials(nats_dir)
            admin_password = self.nats_credentials[ADMIN_USER]
            provision_streams(self.nats.url, admin_password, load_settings(environ=environ))
            self.nats_admin_url = with_credentials(self.nats.url, ADMIN_USER, admin_password)
        for tier in TIERS:
            url = configured[tier]
            if url is None:
                assert self.nats is not None
                url = self.nats.url
                self._embedded_nats.add(tier)
            self.nats_urls[tier] = url

    def _provision(self) -> None:
        for tier in TIERS:
            self.options.migrate(self.database_urls[tier])
            log.info("database.migrated", tier=tier)
        self._seeds = provision_keys(self.data_dir / "keys", self.options.ensure_keypair)
        for tier in TIERS:
            token, path = admin_token(self.data_dir, self.options.environ, tier)
            self.admin_tokens[tier], self.admin_token_paths[tier] = token, path

    def _start_services(self) -> None:
        self._cleanup.callback(self._stop_services)
        for tier in TIERS:
            pid_path = self.data_dir / "run" / f"{tier}.pid"
            stop_leftover(pid_path, self.data_dir)
            port = self._service_port(tier)
            service = ServiceProcess(
                tier,
                self.options.service_command(tier),
                self._service_env(tier, port),
                port,
                self.data_dir / "logs" / f"{tier}.log",
                pid_path,
            )
            self.services[tier] = service
            service.start()

    def _service_port(self, tier: Tier) -> int:
        """The configured port, else the tier's usual one if free, else any free one."""
        configured = self.options.environ.get(tier_env(tier, "port"))
        if configured:
            return int(configured)
        return DEFAULT_PORTS[tier] if port_is_free(DEFAULT_PORTS[tier]) else free_port()

    def _service_env(self, tier: Tier, port: int) -> dict[str, str]:
        env = dict(self.options.environ)
        # Only this tier's token: another tier's (or a shared one) must not reach it.
        env.pop("PLENARIA_ADMIN_TOKEN", None)
        for other in TIERS:
            env.pop(tier_env(other, "admin_token"), None)
        env.update(
            {
                tier_env(tier, "database_url"): self.database_urls[tier],
                "PLENARIA_NATS_URL": self.nats_urls[tier],
                tier_env(tier, "nats_url"): self.nats_urls[tier],
                tier_env(tier, "port"): str(port),
                "PLENARIA_DATA_DIR": str(self.data_dir),
                tier_env(tier, "signing_key"): self._seeds[tier],
                "PLENARIA_TRUSTED_KEYS_FILE": str(trusted_keys_path(self.data_dir / "keys")),
                tier_env(tier, "instance"): tier,
                tier_env(tier, "admin_token"): self.admin_tokens[tier],
                "PYTHONUNBUFFERED": "1",
            }
        )
        if tier in self._embedded_nats:
            # The tier's own NATS user: its subjects and durables only; streams exist already.
            env[tier_env(tier, "nats_user")] = tier
            env[tier_env(tier, "nats_password")] = self.nats_credentials[tier]
            env[tier_env(tier, "declare_streams")] = "false"
        return env

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.options.ready_timeout
        waiting = dict(self.services)
        while waiting:
            for tier, service in list(waiting.items()):
                if not service.is_running():
                    raise service.failure(f"exited with code {service.exit_code} before ready")
                if service.is_ready():
                    del waiting[tier]
                    log.info("service.ready", tier=tier, url=service.url)
            if waiting and time.monotonic() > deadline:
                names = ", ".join(waiting)
                first = next(iter(waiting.values()))
                raise first.failure(
                    f"not ready after {self.options.ready_timeout:.0f} s (waiting for {names})"
                )
            time.sleep(0.1)

    def _stop_services(self) -> None:
        for service in self.services.values():
            service.terminate()
        deadline = time.monotonic() + self.options.shutdown_grace
        for service in self.services.values():
            code = service.stop(deadline - time.monotonic())
            log.info("service.stopped", tier=service.tier, exit_code=code)

    def _revive_servers(self, now: float) -> None:
        """An embedded server that died is started again on the same port and data."""
        dead = [s for s in (self.postgres, self.nats) if s is not None and not s.is_running()]
        if not dead or now < self._server_retry_at:
            return
        for server in dead:
            name = type(server).__name__
            try:
                server.start()
            except (EmbeddedPostgresError, EmbeddedNatsError) as err:
                delay = self._server_backoff.next()
                self._server_retry_at = now + delay
                log.error("server.restart_failed", server=name, error=str(err), retry_in_s=delay)
                return
            self.notify(f"{name} had stopped; started again")
        self._server_backoff.reset()


class _Shutdown(BaseException):
    """SIGINT or SIGTERM asked `plenaria up` to stop (a BaseException, like KeyboardInterrupt)."""


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[Callable[[], None]]:
    """Turn the first SIGINT/SIGTERM into :class:`_Shutdown`; yields a function that disarms it.

    Once disarmed (shutdown under way) further signals are ignored so cleanup can finish.
    """
    armed = True

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal armed
        if armed:
            armed = False
            raise _Shutdown(signal.Signals(signum).name)

    def disarm() -> None:
        nonlocal armed
        armed = False

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield disarm
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


#: Called once the services are up, with their URLs and each tier's operator token (the demo).
AfterStart = Callable[[dict[str, str], dict[str, str]], None]


def run_up(options: UpOptions, after_start: AfterStart | None = None) -> int:
    """The whole life of `plenaria up`; returns the process exit code."""
    began = time.monotonic()
    supervisor = Supervisor(options)
    with _stop_on_signals() as disarm:
        try:
            try:
                supervisor.start()
            except STARTUP_ERRORS as err:
                click.echo(f"plenaria up: {err}", err=True)
                return 1
            _announce(supervisor, time.monotonic() - began)
            if after_start is not None:
                after_start(
                    dict(supervisor.urls), {str(t): v for t, v in supervisor.admin_tokens.items()}
                )
            supervisor.supervise()
        except _Shutdown as stop:
            click.echo(f"{stop.args[0]} received: stopping…")
        finally:
            disarm()
            supervisor.stop()
    click.echo("stopped")
    return 0


def _announce(supervisor: Supervisor, seconds: float) -> None:
    click.echo(f"Plenária is up in {seconds:.1f} s (data in {supervisor.data_dir})")
    for tier, url in supervisor.urls.items():
        click.echo(f"  {tier:<9} {url}")
    if supervisor.postgres is not None:
        pg = supervisor.postgres
        click.echo(
            f"  postgres  postgresql://{pg.host}:{pg.port} (embedded; passwords in "
            f"{supervisor.data_dir / 'postgres-credentials.json'})"
        )
    if supervisor.nats is not None:
        click.echo(
            f"  nats      {supervisor.nats.url} (embedded; users in "
            f"{supervisor.data_dir / 'nats' / 'credentials.json'})"
        )
    for tier, path in supervisor.admin_token_paths.items():
        where = path or f"the {tier_env(tier, 'admin_token')} environment variable"
        click.echo(f"  {tier} operator token in {where}")
    click.echo(f"  logs in {supervisor.data_dir / 'logs'}")
    click.echo("Press Ctrl-C to stop.")
