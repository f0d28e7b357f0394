"""Receiving side: verify, check the sender's authority, decode, and apply each message's
effect exactly once.

Before any handler runs, the signed envelope's subject and territory must match the delivery
and the signer's scope must allow the kind there (``shared.contracts.authority``).

The inbox row and the effect commit in one transaction, so a redelivery (after a crash, a
restart, a replay or a second instance) finds the row and changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import msgspec
import structlog
from sqlalchemy import delete, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts.authority import check_body, check_envelope
from shared.contracts.envelope import (
    MSG_ID_HEADER,
    SENDER_HEADER,
    SIGNATURE_HEADER,
    Envelope,
    MessageError,
    decode_body,
    open_envelope,
)
from shared.contracts.messages import KeyIntroduction, KeyRevocation
from shared.platform.bus.dead_letters import mark_replayed, record_dead_letter
from shared.platform.bus.keys import TrustStore
from shared.platform.bus.metrics import DUPLICATES_IGNORED, MESSAGES_APPLIED
from shared.platform.bus.models import DeadLetter, InboxEntry

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Delivery:
    """A verified, decoded message handed to a tier's handler."""

    envelope: Envelope
    body: msgspec.Struct
    subject: str
    data: bytes
    signature: str


Handler = Callable[[AsyncSession, Delivery], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, Sequence[Delivery]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class BatchedHandler:
    """A handler that can also apply many deliveries of its kind in one transaction.

    ``many`` must have the effect of ``one`` applied to each delivery in order, and raise
    (a :class:`MessageError` or a database error) rather than apply a part: the receiver then
    applies the batch again one message at a time, which refuses just the bad one.
    """

    one: Handler
    many: BatchHandler

    async def __call__(self, session: AsyncSession, delivery: Delivery) -> None:
        await self.one(session, delivery)


class SenderNotYetKnown(Exception):
    """The signer's key is not known yet but its introduction is probably on its way: the
    caller should deliver the message again later (and dead-letter it on the last try)."""

    def __init__(self, sender: str) -> None:
        super().__init__(f"no key for {sender} yet; its introduction may still be on its way")
        self.sender = sender


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    DEAD_LETTERED = "dead-lettered"


class Receiver:
    """Applies messages through the tier's handlers; refuses what it cannot verify."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        trust: TrustStore,
        handlers: Mapping[str, Handler],
        *,
        max_message_bytes: int | None = None,
    ) -> None:
        self.sessions = sessions
        self.trust = trust
        #: Anything bigger is refused before it is parsed or verified (None: no limit).
        self.max_message_bytes = max_message_bytes
        self.handlers: dict[str, Handler] = {
            "key.introduced": BatchedHandler(self._introduce_key, self._introduce_keys),
            "key.revoked": self._revoke_key,
            **handlers,
        }

    async def receive(
        self,
        subject: str,
        data: bytes,
        headers: Mapping[str, str] | None,
        *,
        wait_for_introduction: bool = False,
    ) -> tuple[Outcome, str]:
        """Apply one message; returns the outcome and, when refused, the reason.

        Database errors propagate so the caller can redeliver later; everything wrong with
        the message itself ends as a dead letter. With ``wait_for_introduction`` (a consumer
        that will get the message again), a signer whose introduction is probably still on its
        way raises :class:`SenderNotYetKnown` instead of becoming an ``unknown-sender`` letter.
        """
        headers = dict(headers or {})
        with structlog.contextvars.bound_contextvars(
            message_id=headers.get(MSG_ID_HEADER, ""), subject=subject
        ):
            return await self._receive(subject, data, headers, wait_for_introduction)

    async def receive_together(
        self, messages: Sequence[tuple[str, bytes, Mapping[str, str]]]
    ) -> bool:
        """Apply messages of one batched kind in a single transaction (one inbox insert, one
        handler call), which is what lets a tier take in thousands of reports a minute.

        Returns False, having changed nothing, unless every message verifies, all share a
        kind with a :class:`BatchedHandler`, and the handler applies them all: the caller then
        applies them one by one, where refusals, waits and retries are decided per message.
        Database errors propagate (nothing was committed) for the caller to fall back too.
        """
        deliveries: list[Delivery] = []
        for subject, data, headers in messages:
            limit = self.max_message_bytes
            if limit is not None and len(data) > limit:
                return False
            try:
                deliveries.append(await self._verify(subject, data, dict(headers), False))
            except MessageError:
                return False
        kinds = {delivery.envelope.kind for delivery in deliveries}
        handler = self.handlers.get(kinds.pop()) if len(kinds) == 1 else None
        if not isinstance(handler, BatchedHandler):
            return False
        try:
            async with self.sessions() as session, session.begin():
                fresh = await self._claim_many(session, deliveries)
                if fresh:
                    await handler.many(session, fresh)
        except MessageError:
            return False
        fresh_ids = {delivery.envelope.id for delivery in fresh}
        for delivery in deliveries:
            kind, message_id = delivery.envelope.kind, delivery.envelope.id
            if message_id in fresh_ids:
                MESSAGES_APPLIED.labels(kind=kind).inc()
                log.info(
                    "message.applied",
                    kind=kind,
                    message_id=message_id,
                    sender=delivery.envelope.sender,
                    batch=len(deliveries),
                )
            else:
                DUPLICATES_IGNORED.labels(kind=kind).inc()
                log.info("message.duplicate_ignored", message_id=message_id)
        introduced = [d.body.key_id for d in fresh if isinstance(d.body, KeyIntroduction)]
        if introduced:
            await self._replay_waiting_for(introduced)
        return True

    async def _receive(
        self, subject: str, data: bytes, headers: dict[str, str], wait_for_introduction: bool
    ) -> tuple[Outcome, str]:
        try:
            limit = self.max_message_bytes
            if limit is not None and len(data) > limit:
                raise MessageError("oversized", f"{len(data)} bytes, more than the {limit} allowed")
            delivery = await self._verify(subject, data, headers, wait_for_introduction)
            handler = self.handlers.get(delivery.envelope.kind)
            if handler is None:
                raise MessageError("unhandled-kind", delivery.envelope.kind)
            async with self.sessions() as session, session.begin():
                if not await self._claim(session, delivery):
                    DUPLICATES_IGNORED.labels(kind=delivery.envelope.kind).inc()
                    log.info("message.duplicate_ignored", message_id=delivery.envelope.id)
                    return Outcome.DUPLICATE, ""
                await handler(session, delivery)
            MESSAGES_APPLIED.labels(kind=delivery.envelope.kind).inc()
            log.info(
                "message.applied",
                kind=delivery.envelope.kind,
                message_id=delivery.envelope.id,
                sender=delivery.envelope.sender,
            )
            if isinstance(delivery.body, KeyIntroduction):
                await self._replay_waiting_for([delivery.body.key_id])
            return Outcome.APPLIED, ""
        except MessageError as refusal:
            async with self.sessions() as session, session.begin():
                await record_dead_letter(
                    session,
                    subject=subject,
                    data=data,
                    headers=headers,
                    reason=refusal.reason,
                    detail=refusal.detail,
                )
            return Outcome.DEAD_LETTERED, refusal.reason

    async def _replay_waiting_for(self, key_ids: Sequence[str]) -> None:
        """Replay letters refused as ``unknown-sender`` for keys just introduced: an
        introduction delayed behind its report (an outage, a slow instance) loses nothing."""
        sender = DeadLetter.headers[SENDER_HEADER].as_string()
        async with self.sessions() as session:
            waiting = (
                await session.execute(
                    select(
                        DeadLetter.id,
                        DeadLetter.subject,
                        DeadLetter.data,
                        DeadLetter.headers,
                        sender.label("key_id"),
                    )
                    .where(DeadLetter.reason == "unknown-sender")
                    .where(DeadLetter.replayed_at.is_(None))
                    .where(sender.in_(key_ids))
                    .order_by(DeadLetter.created_at)
                )
            ).all()
        for letter in waiting:
            outcome, reason = await self.receive(letter.subject, letter.data, letter.headers)
            async with self.sessions() as session, session.begin():
                await mark_replayed(session, letter.id, f"{outcome.value} {reason}".strip())
            log.info(
                "message.replayed_after_introduction", key_id=letter.key_id, outcome=outcome.value
            )

    async def _verify(
        self, subject: str, data: bytes, headers: dict[str, str], wait_for_introduction: bool
    ) -> Delivery:
        envelope = open_envelope(data)
        signature = headers.get(SIGNATURE_HEADER, "")
        if not self.trust.ring.knows(envelope.sender):
            async with self.sessions() as session:
                await self.trust.reload(session)
            if wait_for_introduction and self.trust.awaits_introduction(envelope.sender):
                raise SenderNotYetKnown(envelope.sender)
        self.trust.ring.verify(envelope.sender, data, signature)
        # Who signed is proven; now whether that signer may say this, here (before any handler).
        scope = self.trust.scope_of(envelope.sender)
        if scope is None:
            raise MessageError("unauthorised-sender", f"{envelope.sender} has no scope")
        check_envelope(envelope, scope, subject)
        body = decode_body(envelope)
        check_body(envelope, body, scope)
        return Delivery(
            envelope=envelope,
            body=body,
            subject=subject,
            data=data,
            signature=signature,
        )

    @classmethod
    async def _claim(cls, session: AsyncSession, delivery: Delivery) -> bool:
        """Insert the inbox row; False (and a duplicate counted) if it was already there."""
        return bool(await cls._claim_many(session, [delivery]))

    @staticmethod
    async def _claim_many(session: AsyncSession, deliveries: Sequence[Delivery]) -> list[Delivery]:
        """Insert the inbox rows of many deliveries in one statement; those not seen before."""
        statement: Any = (
            insert(InboxEntry)
            .values(
                [
                    {
                        "message_id": d.envelope.id,
                        "kind": d.envelope.kind,
                        "sender": d.envelope.sender,
                        "subject": d.subject,
                    }
                    for d in deliveries
                ]
            )
            .on_conflict_do_update(
                index_elements=[InboxEntry.message_id],
                set_={"duplicates": InboxEntry.duplicates + 1},
            )
            .returning(InboxEntry.message_id, literal_column("(xmax = 0)"))
        )
        fresh = {row[0] for row in (await session.execute(statement)).all() if row[1]}
        return [d for d in deliveries if d.envelope.id in fresh]

    async def _introduce_key(self, session: AsyncSession, delivery: Delivery) -> None:
        assert isinstance(delivery.body, KeyIntroduction)
        await self.trust.register(session, delivery.body, introduced_by=delivery.envelope.sender)

    async def _introduce_keys(self, session: AsyncSession, deliveries: Sequence[Delivery]) -> None:
        for delivery in deliveries:
            await self._introduce_key(session, delivery)

    async def _revoke_key(self, session: AsyncSession, delivery: Delivery) -> None:
        assert isinstance(delivery.body, KeyRevocation)
        await self.trust.revoke(session, delivery.body, revoked_by=delivery.envelope.sender)


async def prune_inbox(session: AsyncSession, *, older_than: datetime) -> int:
    """Forget the proof of messages applied before ``older_than`` (their stream copies are gone:
    see :func:`shared.platform.settings.check_retention`); how many rows went."""
    result = await session.execute(delete(InboxEntry).where(InboxEntry.applied_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)
