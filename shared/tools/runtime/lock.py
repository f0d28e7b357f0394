"""One `plenaria up` per data directory: two would fight over the same PostgreSQL and NATS data."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import IO, Self

LOCK_NAME = "plenaria.lock"


class DataDirInUse(RuntimeError):
    """Another process holds the data directory."""

    def __init__(self, data_dir: Path, holder: str) -> None:
        who = f" by process {holder}" if holder else ""
        super().__init__(
            f"data directory {data_dir} is in use{who} (another `plenaria up`?); "
            "stop it first or pass a different --data-dir"
        )
        self.data_dir = data_dir
        self.holder = holder


class DataDirLock:
    """An exclusive ``flock`` on ``<data_dir>/plenaria.lock``; the kernel drops it if we die."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.path = self.data_dir / LOCK_NAME
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`DataDirInUse` at once (never waits)."""
        if self._handle is not None:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise DataDirInUse(self.data_dir, holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Drop the lock (the file stays: deleting it would race with a new holder)."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        with contextlib.suppress(OSError):
            handle.truncate(0)
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._handle is not None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
