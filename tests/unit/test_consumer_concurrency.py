"""A fetched batch is applied several messages at a time without reordering what depends on
order: each signer's messages stay in sequence, and key messages are barriers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, cast

from shared.contracts.envelope import SENDER_HEADER
from shared.contracts.subjects import Subscription, up_subject
from shared.platform.bus.connection import Bus
from shared.platform.bus.consumer import ConsumerLoop
from shared.platform.bus.inbox import Receiver
from shared.platform.settings import Settings


@dataclass
class _Metadata:
    num_delivered: int = 1


@dataclass
class FakeMsg:
    subject: str
    data: bytes
    headers: dict[str, str]
    metadata: _Metadata = field(default_factory=_Metadata)
    acked: bool = False

    async def ack(self) -> None:
        self.acked = True

    async def nak(self, delay: float | None = None) -> None:
        raise AssertionError("nothing here should be handed back")


class RecordingReceiver:
    def __init__(self) -> None:
        self.started: list[bytes] = []
        self.finished: list[bytes] = []
        self.running = 0
        self.most = 0

    async def receive(
        self, subject: str, data: bytes, headers: Any, *, wait_for_introduction: bool = False
    ) -> None:
        self.started.append(data)
        self.running += 1
        self.most = max(self.most, self.running)
        await asyncio.sleep(0.01 if b"intro" in data else 0.002 * (len(self.started) % 3))
        self.running -= 1
        self.finished.append(data)

    async def receive_together(self, messages: Any) -> bool:
        """No kind here is batched: every message goes down the one-by-one path."""
        return False


def _loop(receiver: RecordingReceiver, concurrency: int) -> ConsumerLoop:
    return ConsumerLoop(
        Settings(consumer_concurrency=concurrency),
        cast(Bus, None),
        cast(Receiver, receiver),
        Subscription("S", "plenaria.up.local.>", "d"),
    )


def _batch(senders: int, per_sender: int) -> list[FakeMsg]:
    batch: list[FakeMsg] = []
    for n in range(per_sender):
        for s in range(senders):
            sender = f"local/assembly/{s}"
            if n == 0:
                batch.append(
                    FakeMsg(
                        up_subject("local", "key.introduced", "SP"),
                        f"intro {sender}".encode(),
                        {SENDER_HEADER: "local"},
                    )
                )
            batch.append(
                FakeMsg(
                    up_subject("local", "report", "SP"),
                    f"{sender} {n}".encode(),
                    {SENDER_HEADER: sender},
                )
            )
    return batch


async def test_senders_run_concurrently_each_in_order_after_its_introduction() -> None:
    receiver = RecordingReceiver()
    batch = _batch(senders=10, per_sender=5)
    await _loop(receiver, 4)._apply_batch(cast(Any, batch))

    assert sorted(receiver.finished) == sorted(m.data for m in batch)  # each applied once
    assert all(m.acked for m in batch)
    assert 1 < receiver.most <= 4
    finished = receiver.finished
    for s in range(10):
        sender = f"local/assembly/{s}"
        intro = finished.index(f"intro {sender}".encode())
        reports = [finished.index(f"{sender} {n}".encode()) for n in range(5)]
        assert reports == sorted(reports), "a sender's messages were reordered"
        started = receiver.started.index(f"{sender} 0".encode())
        assert receiver.started.index(f"intro {sender}".encode()) < started
        assert intro < reports[0], "a report overtook its key's introduction"


async def test_concurrency_of_one_keeps_the_batch_order() -> None:
    receiver = RecordingReceiver()
    batch = _batch(senders=3, per_sender=3)
    await _loop(receiver, 1)._apply_batch(cast(Any, batch))
    assert receiver.finished == [m.data for m in batch]
    assert receiver.most == 1
