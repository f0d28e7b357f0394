"""Starting and stopping child processes without leaving strays behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterable
from pathlib import Path

import psutil


def log_tail(path: Path, lines: int = 40) -> str:
    """Last ``lines`` lines of a log file, for error messages that explain a failed start."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            text = handle.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def stop_process(proc: subprocess.Popen[bytes], sig: int, timeout: float) -> int:
    """Send ``sig``, wait up to ``timeout`` s, then SIGKILL the process group; return the exit code.

    Children run in their own session (``start_new_session=True``), so the group id is the pid
    and killing the group also takes down anything the child forked.
    """
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, sig)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    # The group outlives its leader while members remain, so its id cannot have been reused.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    return proc.wait()


def kill_processes(procs: Iterable[psutil.Process], timeout: float = 5.0) -> None:
    """SIGKILL ``procs`` and wait until they are gone."""
    victims = list(procs)
    for proc in victims:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(victims, timeout=timeout)
