"""Peak resident memory of service processes, sampled beside a measured run."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping

import psutil


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of ``process`` and all its children (a service's workers)."""
    children = process.children(recursive=True)
    total: int = process.memory_info().rss
    return total + sum(int(child.memory_info().rss) for child in children)


class RssSampler:
    """Peak resident memory of each service process (and its children), sampled in a thread."""

    def __init__(self, pids: Mapping[str, int], interval: float = 0.25) -> None:
        self.processes = {tier: psutil.Process(pid) for tier, pid in pids.items()}
        self.peak: dict[str, int] = dict.fromkeys(pids, 0)
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            for tier, process in self.processes.items():
                with contextlib.suppress(psutil.Error):
                    self.peak[tier] = max(self.peak[tier], tree_rss(process))
            self._stop.wait(self.interval)

    def peak_mb(self) -> dict[str, float]:
        return {tier: round(rss / 2**20, 1) for tier, rss in self.peak.items()}
