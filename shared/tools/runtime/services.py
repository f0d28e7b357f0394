"""One tier service as a child process of `plenaria up`: start, readiness, restart with backoff."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import psutil
import structlog

from shared.core.vocabulary import Tier
from shared.tools.runtime.ports import LOOPBACK, http_get
from shared.tools.runtime.process import kill_processes, log_tail, stop_process

log = structlog.get_logger(__name__)


class ServiceStartError(RuntimeError):
    """A service did not become ready."""


class Backoff:
    """Delays between restarts of something that keeps crashing: 1 s doubling up to ``ceiling``."""

    def __init__(self, first: float = 1.0, ceiling: float = 30.0) -> None:
        self.first = first
        self.ceiling = ceiling
        self.delay = first

    def next(self) -> float:
        """The delay to wait now; the following one doubles."""
        delay = self.delay
        self.delay = min(self.delay * 2, self.ceiling)
        return delay

    def reset(self) -> None:
        """Back to the first delay, after a long enough healthy run."""
        self.delay = self.first


class ServiceProcess:
    """A tier service process, its log in ``log_path`` and its pid in ``pid_path``."""

    #: A run this long counts as healthy: the next crash restarts without the accumulated delay.
    healthy_after_s = 30.0

    def __init__(
        self,
        tier: Tier,
        command: Sequence[str],
        env: Mapping[str, str],
        port: int,
        log_path: Path,
        pid_path: Path,
    ) -> None:
        self.tier = tier
        self.command = list(command)
        self.env = dict(env)
        self.port = port
        self.log_path = log_path
        self.pid_path = pid_path
        self.backoff = Backoff()
        self.restart_at: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._started_at = 0.0

    @property
    def url(self) -> str:
        """Base URL of the service's HTTP API."""
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        """Launch in its own session so a terminal Ctrl-C reaches the supervisor only."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.pid_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log_file:
            log_file.write(f"\n--- starting {self.tier} at {time.ctime()} ---\n".encode())
            log_file.flush()
            self._proc = subprocess.Popen(
                self.command,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_path.write_text(f"{self._proc.pid}\n")
        self._started_at = time.monotonic()
        self.restart_at = None
        log.info("service.started", tier=self.tier, pid=self._proc.pid, port=self.port)

    @property
    def pid(self) -> int | None:
        """Pid of the current process, if one was started."""
        return None if self._proc is None else self._proc.pid

    def is_running(self) -> bool:
        """True while the process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def exit_code(self) -> int | None:
        """Exit code once the process has ended, else None."""
        return None if self._proc is None else self._proc.poll()

    def is_ready(self) -> bool:
        """True when ``/health/ready`` answers 200."""
        answer = http_get(f"{self.url}/health/ready", timeout=2.0)
        return answer is not None and answer[0] == 200

    def schedule_restart(self, now: float) -> float:
        """After a crash: pick when to start again; returns the delay in seconds."""
        if now - self._started_at >= self.healthy_after_s:
            self.backoff.reset()
        delay = self.backoff.next()
        self.restart_at = now + delay
        return delay

    def terminate(self) -> None:
        """Ask the service to drain and exit (SIGTERM)."""
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._proc.pid, signal.SIGTERM)

    def stop(self, timeout: float) -> int | None:
        """SIGTERM, wait ``timeout`` s, then SIGKILL its process group; returns the exit code."""
        proc, self._proc = self._proc, None
        self.pid_path.unlink(missing_ok=True)
        if proc is None:
            return None
        return stop_process(proc, signal.SIGTERM, max(timeout, 0.0))

    def failure(self, what: str) -> ServiceStartError:
        """An error naming the service and quoting the end of its log."""
        return ServiceStartError(
            f"{self.tier} service {what}; end of {self.log_path}:\n{log_tail(self.log_path)}"
        )


def stop_leftover(pid_path: Path, data_dir: Path) -> None:
    """Kill a service left by a killed `plenaria up` on ``data_dir`` (it holds its port).

    The pid file could name a recycled pid, so the process must also carry our data directory
    in its environment before we touch it.
    """
    leftover = _leftover(pid_path, data_dir)
    if leftover is not None:
        log.warning("service.leftover_stopped", pid=leftover.pid)
        leftover.terminate()
        _, alive = psutil.wait_procs([leftover], timeout=10)
        kill_processes(alive)
    pid_path.unlink(missing_ok=True)


def _leftover(pid_path: Path, data_dir: Path) -> psutil.Process | None:
    try:
        proc = psutil.Process(int(pid_path.read_text().strip()))
        ours = proc.environ().get("PLENARIA_DATA_DIR") == str(data_dir)
    except (FileNotFoundError, ValueError, psutil.Error):
        return None
    return proc if ours else None
