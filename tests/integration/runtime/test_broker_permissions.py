"""The embedded nats-server as `plenaria up` configures it: each tier's user may publish only its
own subjects and read only its own durables; stream administration is the administrator's
alone. A client with the local tier's credentials is refused, by the server itself, when it
publishes down-stream or touches the streams."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.js.api import AckPolicy, ConsumerConfig

from shared.contracts.subjects import DOWN_STREAM, UP_STREAM, down_subject, up_subject
from shared.platform.settings import Settings
from shared.tools.runtime.broker import (
    ADMIN_USER,
    nats_credentials,
    provision_streams,
    write_server_config,
)
from shared.tools.runtime.nats_server import EmbeddedNats, nats_server_binary

QUICK = 2.0
CLI = "from shared.tools.cli import main; main()"


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmbeddedNats, Path]]:
    nats_dir = tmp_path_factory.mktemp("nats-secured")
    config = write_server_config(nats_dir, {"local": "local", "regional": "regional"})
    server = EmbeddedNats(nats_dir, config=config)
    server.start()
    try:
        provision_streams(server.url, nats_credentials(nats_dir)[ADMIN_USER], Settings())
        yield server, nats_dir
    finally:
        server.stop()


class Connected:
    def __init__(self, client: Client, errors: list[str]) -> None:
        self.client = client
        self.errors = errors
        self.js = client.jetstream(timeout=QUICK)


@pytest.fixture
async def connect(
    secured: tuple[EmbeddedNats, Path],
) -> AsyncIterator[object]:
    server, nats_dir = secured
    credentials = nats_credentials(nats_dir)
    opened: list[Client] = []

    async def as_user(user: str, password: str | None = None) -> Connected:
        errors: list[str] = []

        async def on_error(exc: Exception) -> None:
            errors.append(str(exc))

        client = await nats.connect(
            server.url,
            user=user,
            password=credentials[user] if password is None else password,
            error_cb=on_error,
            max_reconnect_attempts=0,
            allow_reconnect=False,
        )
        opened.append(client)
        return Connected(client, errors)

    yield as_user
    for client in opened:
        await client.close()


async def messages(connect: object, stream: str) -> int:
    admin = await connect(ADMIN_USER)  # type: ignore[operator]
    info = await admin.js.stream_info(stream)
    return int(info.state.messages)


async def test_the_local_user_publishes_its_own_subjects_only(connect: object) -> None:
    local = await connect("local")  # type: ignore[operator]
    before_up, before_down = (
        await messages(connect, UP_STREAM),
        await messages(connect, DOWN_STREAM),
    )
    ack = await local.js.publish(up_subject("local", "report", "SP"), b"{}")
    assert ack.stream == UP_STREAM

    for subject in (
        down_subject("allocation", "AP"),
        down_subject("cycle", "BR"),
        up_subject("regional", "report", "SP"),
    ):
        with pytest.raises((nats.errors.TimeoutError, asyncio.TimeoutError)):
            await local.js.publish(subject, b"{}")
    await asyncio.sleep(0.2)
    assert any("permissions violation" in e.lower() for e in local.errors), local.errors
    assert await messages(connect, UP_STREAM) == before_up + 1
    assert await messages(connect, DOWN_STREAM) == before_down


async def test_the_local_user_cannot_administer_streams_or_others_consumers(
    connect: object,
) -> None:
    local = await connect("local")  # type: ignore[operator]
    await local.js.publish(up_subject("local", "report", "RJ"), b"{}")
    held = await messages(connect, UP_STREAM)
    attempts = (
        local.js.purge_stream(UP_STREAM),
        local.js.delete_stream(DOWN_STREAM),
        local.js.update_stream(name=UP_STREAM, subjects=["plenaria.>"]),
        local.js.add_stream(name="SHADOW", subjects=["plenaria.shadow.>"]),
        local.js.delete_consumer(DOWN_STREAM, "regional-down"),
        local.js.add_consumer(
            UP_STREAM,
            ConsumerConfig(
                name="regional-up-from-local",
                durable_name="regional-up-from-local",
                filter_subject="plenaria.up.local.>",
                ack_policy=AckPolicy.EXPLICIT,
            ),
        ),
    )
    for attempt in attempts:
        with pytest.raises((nats.errors.TimeoutError, asyncio.TimeoutError)):
            await attempt
    assert await messages(connect, UP_STREAM) == held
    # Its own durable is allowed: that is how the local tier reads what comes down.
    own = await local.js.add_consumer(
        DOWN_STREAM,
        ConsumerConfig(
            name="local-down",
            durable_name="local-down",
            filter_subject="plenaria.down.>",
            ack_policy=AckPolicy.EXPLICIT,
        ),
    )
    assert own.name == "local-down"


async def test_the_regional_user_allocates_and_a_wrong_password_is_refused(
    connect: object, secured: tuple[EmbeddedNats, Path]
) -> None:
    regional = await connect("regional")  # type: ignore[operator]
    before = await messages(connect, DOWN_STREAM)
    await regional.js.publish(down_subject("allocation", "3550308"), b"{}")
    assert await messages(connect, DOWN_STREAM) == before + 1
    with pytest.raises((nats.errors.TimeoutError, asyncio.TimeoutError)):
        await regional.js.publish(down_subject("cycle", "BR"), b"{}")
    with pytest.raises(nats.errors.Error):
        await connect("local", "not-the-password")  # type: ignore[operator]
    with pytest.raises(nats.errors.Error):
        await nats.connect(  # no credentials at all
            secured[0].url,
            max_reconnect_attempts=0,
            allow_reconnect=False,
        )


def test_the_printed_configuration_for_real_servers_is_valid(tmp_path: Path) -> None:
    env = {
        **os.environ,
        **{
            f"PLENARIA_NATS_{u}_PASSWORD": f"pw-{u}"
            for u in ("ADMIN", "LOCAL", "REGIONAL", "NATIONAL", "ROUTE")
        },
    }
    printed = subprocess.run(
        [sys.executable, "-c", CLI, "broker", "config", "--route", "nats-2:6222"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    config = tmp_path / "nats.conf"
    config.write_text(printed)
    assert json.loads(printed)["cluster"]["authorization"] == {
        "user": "route",
        "password": "pw-ROUTE",
    }
    checked = subprocess.run(
        [str(nats_server_binary()), "-t", "-c", str(config), "--jetstream"],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    missing = subprocess.run(
        [sys.executable, "-c", CLI, "broker", "config"],
        env={k: v for k, v in env.items() if k != "PLENARIA_NATS_LOCAL_PASSWORD"},
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0 and "PLENARIA_NATS_LOCAL_PASSWORD" in missing.stderr
