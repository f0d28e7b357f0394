"""Waiting for something that happens in the background (a message applied, a process ready)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    done: Callable[[T], bool] = bool,
    timeout: float = 30.0,  # noqa: ASYNC109 - a polling budget, not a cancellation
    interval: float = 0.2,
) -> T:
    """Poll ``probe`` until ``done(result)``; fail with the last result after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await probe()
        if done(result):
            return result
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"condition not reached within {timeout}s; last value: {result!r}")
        await asyncio.sleep(interval)
