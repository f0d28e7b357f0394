"""`plenaria up` end to end with stub tier services: real servers, processes and signals."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from shared.core.vocabulary import TIERS
from shared.tools.runtime.lock import DataDirInUse, DataDirLock
from shared.tools.runtime.nats_server import EmbeddedNats
from shared.tools.runtime.ports import free_port, http_get
from shared.tools.runtime.postgres import EmbeddedPostgres
from shared.tools.runtime.supervisor import Supervisor
from tests.support.stubs.up import UP, stub_options


def clean_environ(**extra: str) -> dict[str, str]:
    """The test's environment without the developer's PLENARIA_* settings, on free ports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLENARIA_")}
    env.update({f"PLENARIA_{tier.upper()}_PORT": str(free_port()) for tier in TIERS})
    env.update(extra)
    return env


def service_info(url: str) -> dict[str, Any]:
    """What a stub service reports: its PLENARIA_* environment and pid."""
    answer = http_get(f"{url}/env")
    assert answer is not None and answer[0] == 200
    info: dict[str, Any] = json.loads(answer[1])
    return info


def eventually(condition: Callable[[], bool], timeout: float, step: Callable[[], None]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        step()
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def supervisor(
    tmp_path: Path, postgres: EmbeddedPostgres, nats_server: EmbeddedNats
) -> Iterator[tuple[Supervisor, list[str]]]:
    nats_server.start()
    environ = clean_environ(
        PLENARIA_DATABASE_URL=postgres.url("postgres"), PLENARIA_NATS_URL=nats_server.url
    )
    notes: list[str] = []
    sup = Supervisor(stub_options(tmp_path / "data", environ=environ), notify=notes.append)
    try:
        yield sup, notes
    finally:
        sup.stop()


def test_up_on_external_servers_wires_services_and_restarts_a_crash(
    supervisor: tuple[Supervisor, list[str]], postgres: EmbeddedPostgres, nats_server: EmbeddedNats
) -> None:
    sup, notes = supervisor
    sup.start()

    assert sup.postgres is None and sup.nats is None  # external servers were configured
    with pytest.raises(DataDirInUse):
        DataDirLock(sup.data_dir).acquire()
    trusted = json.loads((sup.data_dir / "keys" / "trusted.json").read_text())
    assert sorted(trusted) == sorted(TIERS)
    tokens = {t: (sup.data_dir / f"admin-token-{t}").read_text().strip() for t in TIERS}
    assert len(set(tokens.values())) == len(TIERS)  # one operator credential per tier
    for tier in TIERS:
        assert postgres.database_exists(f"plenaria_{tier}")
        env = service_info(sup.urls[tier])["env"]
        prefix = f"PLENARIA_{tier.upper()}_"
        assert env[prefix + "DATABASE_URL"] == postgres.url(f"plenaria_{tier}")
        assert env["PLENARIA_NATS_URL"] == nats_server.url
        assert env[prefix + "INSTANCE"] == tier
        assert (
            env[prefix + "SIGNING_KEY"]
            == (sup.data_dir / "keys" / f"{tier}.seed").read_text().strip()
        )
        assert env["PLENARIA_TRUSTED_KEYS_FILE"] == str(sup.data_dir / "keys" / "trusted.json")
        assert env[prefix + "ADMIN_TOKEN"] == tokens[tier]
        assert "PLENARIA_ADMIN_TOKEN" not in env
        assert not any(
            env.get(f"PLENARIA_{other.upper()}_ADMIN_TOKEN") for other in TIERS if other != tier
        )
        assert env["PLENARIA_DATA_DIR"] == str(sup.data_dir)
        assert f"PLENARIA_{tier.upper()}_PORT" in env

    local = sup.services["local"]
    crashed_pid = service_info(local.url)["pid"]
    assert crashed_pid == local.pid
    os.kill(crashed_pid, signal.SIGKILL)

    def restarted() -> bool:
        return local.is_ready() and local.pid != crashed_pid

    assert eventually(restarted, timeout=15, step=sup.check)
    assert any(note.startswith("local exited with code -9") for note in notes)

    pids = [service.pid for service in sup.services.values() if service.pid is not None]
    sup.stop()
    assert not any(psutil.pid_exists(pid) for pid in pids)
    with DataDirLock(sup.data_dir):  # released
        pass


def test_up_process_with_embedded_servers_stops_everything_on_sigterm(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    up = subprocess.Popen(
        [sys.executable, str(UP), str(data_dir)],
        env=clean_environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in up.stdout or []:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    output: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not any("Press Ctrl-C" in line for line in output):
            assert time.monotonic() < deadline, "".join(output)
            try:
                output.append(lines.get(timeout=1))
            except queue.Empty:
                assert up.poll() is None, "".join(output)
        urls = {
            parts[0]: parts[1]
            for parts in (line.split() for line in output)
            if len(parts) == 2 and parts[0] in TIERS
        }
        assert sorted(urls) == sorted(TIERS), "".join(output)
        for url in urls.values():
            assert http_get(f"{url}/health/ready") == (200, b"ok")
        children = psutil.Process(up.pid).children(recursive=True)
        assert len(children) >= 5  # three services, postgres (and its workers), nats-server
        assert (data_dir / "postgres" / "pgdata" / "PG_VERSION").exists()

        up.send_signal(signal.SIGTERM)
        assert up.wait(timeout=60) == 0
        _, alive = psutil.wait_procs(children, timeout=10)
        assert alive == []
    finally:
        if up.poll() is None:
            os.killpg(up.pid, signal.SIGKILL)
            up.wait()
    with DataDirLock(data_dir):  # released by the exiting process
        pass
