"""The worker process that keeps long pure CPU work (clustering a big axis) off the event loop:
the work runs in another process, its errors come back to the caller, a worker that dies fails
its call instead of hanging it and the next call gets a new one, and a stopped worker takes no
more work."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from shared.platform.offload import Offload


async def test_the_work_runs_in_another_process_and_its_errors_come_back() -> None:
    offload = Offload()
    try:
        worker = await offload.run_pure(os.getpid)
        assert worker != os.getpid()
        assert await offload.run_pure(os.getpid) == worker  # one worker, kept for the next call
        assert await offload.run_pure(os.getpid, off_loop=False) == os.getpid()
        with pytest.raises(ValueError, match="invalid literal"):
            await offload.run_pure(int, "not a number")
    finally:
        offload.stop()


async def test_a_worker_that_dies_fails_its_call_and_the_next_one_gets_a_new_worker() -> None:
    offload = Offload()
    try:
        first = await offload.run_pure(os.getpid)
        with pytest.raises(BrokenProcessPool):
            await offload.run_pure(os._exit, 3)
        second = await offload.run_pure(os.getpid)
        assert second not in (first, os.getpid())
    finally:
        offload.stop()
    with pytest.raises(RuntimeError, match="stopped"):
        await offload.run_pure(os.getpid)
