"""Pure CPU work too long for the event loop, run in a worker process.

Clustering the biggest axis of São Paulo's 19,000 proposals takes about 20 s of CPU. Run on the
event loop, it would stop the whole tier for that long (reports arriving, every other page);
run in a thread, it would still hold the GIL against the loop. So it runs in one spawned worker
process (``concurrent.futures.ProcessPoolExecutor``: a worker that dies fails its call instead
of hanging it, and the next call starts a new one), started on first use. Small jobs are not
worth a process: the caller decides (``run(..., off_loop=False)`` runs it right here).

The node supervises it as a background loop: ``stop`` cancels queued calls and lets a running
one finish in the worker, whose result is then dropped.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import structlog

log = structlog.get_logger(__name__)

T = TypeVar("T")


class Offload:
    """One worker process for a tier's pure CPU work (``shared.platform.feature.BackgroundLoop``)."""

    name = "offload"

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        await self._stopped.wait()

    def stop(self) -> None:
        self._stopped.set()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def run_pure(self, function: Callable[..., T], *args: Any, off_loop: bool = True) -> T:
        """``function(*args)``: in the worker process (``function`` and ``args`` are pickled,
        so a module-level function of light imports), or right here unless ``off_loop``."""
        if not off_loop:
            return function(*args)
        if self._stopped.is_set():
            raise RuntimeError("the offload worker has stopped")
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, function, *args)
        except BrokenProcessPool:
            log.warning("offload.worker_died", function=getattr(function, "__name__", "?"))
            self._pool = None
            raise
