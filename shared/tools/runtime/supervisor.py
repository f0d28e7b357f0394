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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import click
import msgspec
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
from shared.tools.runtime.nats_server import EmbeddedNats, EmbeddedNatsError, cluster_of
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
    #: Embedded nats-server processes routed on loopback (``plenaria up --cluster N``); with
    #: more than one, the streams get that many replicas (JetStream allows up to 5).
    nats_nodes: int = 1
    #: Processes of each tier service, sharing the tier's database, instance name and durables.
    instances: int = 1


class Supervisor:
    """Starts the stack in dependency order and stops it in reverse, whatever failed midway."""

    def __init__(self, options: UpOptions, notify: Callable[[str], None] = click.echo) -> None:
        self.options = options
        self.data_dir = options.data_dir.absolute()
        self.notify = notify
        self.lock = DataDirLock(self.data_dir)
        self.postgres: EmbeddedPostgres | None = None
        self.nats: EmbeddedNats | None = None
        #: Every embedded nats-server (``nats`` is the first of them).
        self.nats_nodes: list[EmbeddedNats] = []
        #: The first process of each tier service.
        self.services: dict[Tier, ServiceProcess] = {}
        #: Every process of every tier service (more than one per tier with ``instances``).
        self.processes: list[ServiceProcess] = []
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
        for service in self.processes:
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
            self._start_nats(nats_dir, config)
            self.nats_credentials = nats_credentials(nats_dir)
            admin_password = self.nats_credentials[ADMIN_USER]
            self._provision_streams(admin_password)
            self.nats_admin_url = ",".join(
                with_credentials(node.url, ADMIN_USER, admin_password) for node in self.nats_nodes
            )
        embedded_url = ",".join(node.url for node in self.nats_nodes)
        for tier in TIERS:
            url = configured[tier]
            if url is None:
                url = embedded_url
                self._embedded_nats.add(tier)
            self.nats_urls[tier] = url

    def _start_nats(self, nats_dir: Path, config: Path) -> None:
        """One server, or ``nats_nodes`` routed on loopback (started together: a node waits for
        its peers before JetStream elects a leader)."""
        count = self.options.nats_nodes
        if count <= 1:
            self.nats_nodes = [EmbeddedNats(nats_dir, config=config)]
        else:
            self.nats_nodes = cluster_of(nats_dir, count, config=config)
        self.nats = self.nats_nodes[0]
        for node in self.nats_nodes:
            self._cleanup.callback(node.stop)
        with ThreadPoolExecutor(max_workers=len(self.nats_nodes)) as pool:
            for started in [pool.submit(node.start) for node in self.nats_nodes]:
                started.result()

    @property
    def stream_replicas(self) -> int:
        """One replica per node of an embedded cluster (at most JetStream's 5), else what is
        set (``PLENARIA_STREAM_REPLICAS``)."""
        if self.options.nats_nodes > 1:
            return min(self.options.nats_nodes, 5)
        return load_settings(environ=self.options.environ).stream_replicas

    def _provision_streams(self, admin_password: str) -> None:
        """Declare the streams, retrying while a new cluster elects its JetStream leader."""
        settings = msgspec.structs.replace(
            load_settings(environ=self.options.environ), stream_replicas=self.stream_replicas
        )
        url = ",".join(node.url for node in self.nats_nodes)
        deadline = time.monotonic() + self.options.ready_timeout
        while True:
            try:
                provision_streams(url, admin_password, settings)
                return
            except Exception as err:  # nats-py raises several kinds while electing
                if time.monotonic() > deadline:
                    raise EmbeddedNatsError(f"streams not declared: {err}") from err
                time.sleep(0.5)

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
            for index in range(max(self.options.instances, 1)):
                # The first instance keeps the plain names (tools read run/<tier>.pid).
                name = tier if index == 0 else f"{tier}-{index + 1}"
                pid_path = self.data_dir / "run" / f"{name}.pid"
                stop_leftover(pid_path, self.data_dir)
                port = self._service_port(tier) if index == 0 else free_port()
                service = ServiceProcess(
                    tier,
                    self.options.service_command(tier),
                    self._service_env(tier, port),
                    port,
                    self.data_dir / "logs" / f"{name}.log",
                    pid_path,
                )
                self.services.setdefault(tier, service)
                self.processes.append(service)
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
        if self.options.nats_nodes > 1:
            env["PLENARIA_STREAM_REPLICAS"] = str(self.stream_replicas)
        if tier in self._embedded_nats:
            # The tier's own NATS user: its subjects and durables only; streams exist already.
            env[tier_env(tier, "nats_user")] = tier
            env[tier_env(tier, "nats_password")] = self.nats_credentials[tier]
            env[tier_env(tier, "declare_streams")] = "false"
        return env

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.options.ready_timeout
        waiting = {service.url: service for service in self.processes}
        while waiting:
            for url, service in list(waiting.items()):
                if not service.is_running():
                    raise service.failure(f"exited with code {service.exit_code} before ready")
                if service.is_ready():
                    del waiting[url]
                    log.info("service.ready", tier=service.tier, url=url)
            if waiting and time.monotonic() > deadline:
                names = ", ".join(f"{s.tier} at {url}" for url, s in waiting.items())
                first = next(iter(waiting.values()))
                raise first.failure(
                    f"not ready after {self.options.ready_timeout:.0f} s (waiting for {names})"
                )
            time.sleep(0.1)

    def _stop_services(self) -> None:
        for service in self.processes:
            service.terminate()
        deadline = time.monotonic() + self.options.shutdown_grace
        for service in self.processes:
            code = service.stop(deadline - time.monotonic())
            log.info("service.stopped", tier=service.tier, exit_code=code)

    def _revive_servers(self, now: float) -> None:
        """An embedded server that died is started again on the same port and data."""
        servers = [self.postgres, *self.nats_nodes]
        dead = [s for s in servers if s is not None and not s.is_running()]
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
    for service in supervisor.processes:
        click.echo(f"  {service.tier:<9} {service.url}")
    if supervisor.postgres is not None:
        pg = supervisor.postgres
        click.echo(
            f"  postgres  postgresql://{pg.host}:{pg.port} (embedded; passwords in "
            f"{supervisor.data_dir / 'postgres-credentials.json'})"
        )
    if supervisor.nats_nodes:
        urls = ",".join(node.url for node in supervisor.nats_nodes)
        shape = (
            f"embedded, {len(supervisor.nats_nodes)} nodes routed on loopback, streams with "
            f"{supervisor.stream_replicas} replicas"
            if len(supervisor.nats_nodes) > 1
            else "embedded"
        )
        click.echo(
            f"  nats      {urls} ({shape}; users in "
            f"{supervisor.data_dir / 'nats' / 'credentials.json'})"
        )
    for tier, path in supervisor.admin_token_paths.items():
        where = path or f"the {tier_env(tier, 'admin_token')} environment variable"
        click.echo(f"  {tier} operator token in {where}")
    click.echo(f"  logs in {supervisor.data_dir / 'logs'}")
    click.echo("Press Ctrl-C to stop.")
