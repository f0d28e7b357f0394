"""Durable pull consumers with explicit ack feeding a :class:`Receiver`.

Instances of one deployment share each durable, so JetStream spreads messages between them;
the inbox makes any overlap harmless.
"""

from __future__ import annotations

import asyncio
import contextlib

import nats
import structlog
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from shared.contracts.envelope import SENDER_HEADER
from shared.contracts.subjects import Subscription, is_key_subject
from shared.platform.bus.connection import Bus, BusUnavailable
from shared.platform.bus.dead_letters import record_dead_letter
from shared.platform.bus.errors import DATABASE_ERRORS
from shared.platform.bus.inbox import Receiver, SenderNotYetKnown
from shared.platform.settings import Settings

log = structlog.get_logger(__name__)


class ConsumerLoop:
    """Fetches batches from one durable and applies them, each signer's in order."""

    def __init__(
        self, settings: Settings, bus: Bus, receiver: Receiver, subscription: Subscription
    ) -> None:
        self.settings = settings
        self.bus = bus
        self.receiver = receiver
        self.subscription = subscription
        self._stopping = False
        self.in_flight = 0

    def stop(self) -> None:
        """Finish the message in hand, then leave the loop."""
        self._stopping = True

    async def run(self) -> None:
        sub = self.subscription
        bound = log.bind(durable=sub.durable, stream=sub.stream)
        while not self._stopping:
            try:
                await self.bus.wait_connected()
                await self._declare(bound)
                psub = await self.bus.js.pull_subscribe_bind(durable=sub.durable, stream=sub.stream)
                bound.info("consumer.started")
                try:
                    await self._pump(psub)
                finally:
                    # Unsubscribing first lets the connection drain without waiting on fetches.
                    with contextlib.suppress(nats.errors.Error):
                        await psub.unsubscribe()
            except (BusUnavailable, nats.errors.Error, TimeoutError, OSError) as exc:
                if self._stopping:
                    break
                bound.warning("consumer.interrupted", error=repr(exc))
                await asyncio.sleep(1.0)

    def consumer_config(self) -> ConsumerConfig:
        """The durable as this process's settings describe it."""
        sub = self.subscription
        return ConsumerConfig(
            name=sub.durable,
            durable_name=sub.durable,
            filter_subject=sub.filter_subject,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            max_deliver=self.settings.max_deliver,
            ack_wait=self.settings.ack_wait_s,
            max_ack_pending=max(1000, self.settings.consumer_batch * 4),
        )

    async def _declare(self, bound: structlog.typing.FilteringBoundLogger) -> None:
        """Create the durable, or bring an existing one to the current settings.

        Binding alone would keep whatever config the durable was first created with, so a
        changed ack wait or max deliver would never take effect.
        """
        try:
            await self.bus.js.add_consumer(self.subscription.stream, self.consumer_config())
        except nats.js.errors.BadRequestError as exc:
            # A setting JetStream cannot change on a live durable: keep it as it is.
            bound.warning("consumer.config_not_updated", error=str(exc))

    async def _pump(self, psub: nats.js.JetStreamContext.PullSubscription) -> None:
        while not self._stopping:
            try:
                messages = await psub.fetch(self.settings.consumer_batch, timeout=1.0)
            except TimeoutError:
                # nats-py raises its own TimeoutError or a bare asyncio one depending on where
                # the fetch expired; both just mean "nothing yet". Leaving the subscription on
                # a bare one orphaned its pending pull, whose message then waited out ack_wait.
                continue
            await self._apply_batch(messages)

    async def _apply_batch(self, messages: list[Msg]) -> None:
        """Apply a fetched batch, up to ``consumer_concurrency`` messages at a time.

        Key introductions and revocations are barriers: everything before one is applied (and
        acked) first, then the key message (with any key messages right behind it), then what
        follows — so a report never overtakes the introduction of the key that signed it, nor
        a revocation its report.
        Between barriers, messages are partitioned by signer: each signer's are applied in
        order, different signers' concurrently. The inbox keeps each effect exactly-once; each
        message is acked only after its own transaction committed.
        """
        limit = max(1, self.settings.consumer_concurrency)
        if limit == 1:
            for msg in messages:
                await self._apply_unless_stopping(msg)
            return
        segment: list[Msg] = []
        keys: list[Msg] = []
        for msg in messages:
            if is_key_subject(msg.subject):
                await self._apply_partitioned(segment, limit)
                segment = []
                keys.append(msg)
            else:
                await self._apply_in_order(keys)
                keys = []
                segment.append(msg)
        await self._apply_partitioned(segment, limit)
        await self._apply_in_order(keys)

    async def _apply_in_order(self, messages: list[Msg]) -> None:
        """Key messages back to back: together when they can be, else one after another."""
        for msg in await self._apply_in_groups(messages):
            await self._apply_unless_stopping(msg)

    async def _apply_in_groups(self, messages: list[Msg]) -> list[Msg]:
        """Apply leading groups of ``apply_batch`` messages in one transaction each; returns
        the rest, from the first group that could not go together."""
        size = self.settings.apply_batch
        while size > 1 and len(messages) > 1 and await self._apply_together(messages[:size]):
            messages = messages[size:]
        return messages

    async def _apply_partitioned(self, messages: list[Msg], limit: int) -> None:
        messages = await self._apply_in_groups(messages)
        if not messages:
            return
        partitions: dict[str, list[Msg]] = {}
        for msg in messages:
            sender = (msg.headers or {}).get(SENDER_HEADER, "")
            partitions.setdefault(sender, []).append(msg)
        gate = asyncio.Semaphore(limit)

        async def apply_in_order(partition: list[Msg]) -> None:
            for msg in partition:
                async with gate:
                    await self._apply_unless_stopping(msg)

        results = await asyncio.gather(
            *(apply_in_order(partition) for partition in partitions.values()),
            return_exceptions=True,
        )
        # Every partition ran to its end; the first failure (e.g. the bus went away) is raised
        # so the loop reconnects, and what was not acked is delivered again.
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _apply_together(self, messages: list[Msg]) -> bool:
        """Apply a segment in one transaction when its kind allows (see
        :meth:`Receiver.receive_together`); False sends it down the one-by-one path."""
        if len(messages) < 2 or self._stopping:
            return False
        self.in_flight += len(messages)
        try:
            applied = await self.receiver.receive_together(
                [(msg.subject, msg.data, dict(msg.headers or {})) for msg in messages]
            )
        except DATABASE_ERRORS as exc:
            log.info("batch.one_by_one", error=str(exc), messages=len(messages))
            return False
        finally:
            self.in_flight -= len(messages)
        if applied:
            for msg in messages:
                await msg.ack()
        return applied

    async def _apply_unless_stopping(self, msg: Msg) -> None:
        if self._stopping:
            await self._hand_back([msg])
            return
        self.in_flight += 1
        try:
            await self._apply(msg)
        finally:
            self.in_flight -= 1

    @staticmethod
    async def _hand_back(messages: list[Msg]) -> None:
        """On shutdown, nak what was fetched but not applied, so another instance gets it now
        rather than after the ack wait."""
        for msg in messages:
            with contextlib.suppress(nats.errors.Error):
                await msg.nak()

    async def _apply(self, msg: Msg) -> None:
        headers = dict(msg.headers or {})
        delivered = msg.metadata.num_delivered
        last_try = delivered + 1 >= self.settings.max_deliver
        wait_for_introduction = not last_try and delivered <= self.settings.introduction_retries
        try:
            await self.receiver.receive(
                msg.subject, msg.data, headers, wait_for_introduction=wait_for_introduction
            )
        except SenderNotYetKnown as exc:
            delay = min(0.5 * 2.0**delivered, 30.0)
            log.info("message.sender_not_yet_known", sender=exc.sender, delay=delay)
            await msg.nak(delay=delay)
            return
        except DATABASE_ERRORS as exc:
            if last_try:
                await self._give_up(msg, headers, exc)
                return
            delay = min(2.0**delivered, 30.0)
            log.warning("message.retry_later", error=str(exc), delivered=delivered, delay=delay)
            await msg.nak(delay=delay)
            return
        await msg.ack()

    async def _give_up(self, msg: Msg, headers: dict[str, str], exc: Exception) -> None:
        """Last delivery: keep the message as a dead letter rather than let JetStream drop it."""
        try:
            async with self.receiver.sessions() as session, session.begin():
                await record_dead_letter(
                    session,
                    subject=msg.subject,
                    data=msg.data,
                    headers=headers,
                    reason="apply-failed",
                    detail=str(exc),
                )
        except DATABASE_ERRORS as again:
            log.error("message.dead_letter_failed", error=str(again))
            await msg.nak(delay=30.0)
            return
        await msg.ack()
