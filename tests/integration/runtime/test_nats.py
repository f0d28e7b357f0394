"""Embedded nats-server: JetStream streams survive a stop, a SIGKILL and a killed predecessor."""

from __future__ import annotations

from pathlib import Path

import nats
import psutil

from shared.tools.runtime.nats_server import EmbeddedNats
from shared.tools.runtime.ports import accepts_connections


async def publish(url: str, stream: str, count: int) -> None:
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        await js.add_stream(name=stream, subjects=[f"{stream.lower()}.>"])
        for i in range(count):
            await js.publish(
                f"{stream.lower()}.x", str(i).encode(), headers={"Nats-Msg-Id": str(i)}
            )
    finally:
        await client.close()


async def stored(url: str, stream: str) -> int:
    client = await nats.connect(url)
    try:
        info = await client.jetstream().stream_info(stream)
        return info.state.messages
    finally:
        await client.close()


async def test_stream_survives_an_outage_on_the_same_url(nats_running: EmbeddedNats) -> None:
    url = nats_running.url
    await publish(url, "OUTAGE", 5)

    nats_running.stop()
    assert not nats_running.is_running()
    assert not accepts_connections(nats_running.port)

    nats_running.start()
    assert nats_running.url == url
    assert await stored(url, "OUTAGE") == 5


async def test_stream_survives_sigkill(nats_running: EmbeddedNats) -> None:
    await publish(nats_running.url, "CRASH", 3)
    nats_running.kill()
    nats_running.start()
    assert await stored(nats_running.url, "CRASH") == 3


async def test_server_of_a_killed_run_is_replaced(tmp_path: Path) -> None:
    orphan = EmbeddedNats(tmp_path / "nats", monitor=False)
    orphan.start()
    orphan_pid = orphan.pid
    assert orphan_pid is not None
    await publish(orphan.url, "KEPT", 2)
    successor = EmbeddedNats(tmp_path / "nats", port=orphan.port, monitor=False)
    try:
        successor.start()
        gone = not psutil.pid_exists(orphan_pid) or psutil.Process(orphan_pid).status() == "zombie"
        assert gone
        assert await stored(successor.url, "KEPT") == 2
    finally:
        successor.stop()
        orphan.stop()
