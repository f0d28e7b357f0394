"""What a tier sends and receives on the bus, read or written without the other tiers.

``publish``/``publish_row`` put bytes on JetStream the way another tier's relay would;
``outbox_messages`` and ``stream_messages`` read what a tier sent up or down, from its own outbox
table or from the stream, so a one-tier test can check it without starting the receiver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
import nats
from nats.js.errors import NotFoundError
from sqlalchemy import select

from shared.contracts.envelope import (
    MSG_ID_HEADER,
    SENDER_HEADER,
    SIGNATURE_HEADER,
    decode_body,
    open_envelope,
)
from shared.contracts.subjects import STREAM_SUBJECTS
from shared.platform.bus.models import OutboxEntry
from shared.platform.node import Node

Row = dict[str, Any]


async def publish(url: str, subject: str, data: bytes, headers: dict[str, str]) -> Any:
    """Publish raw bytes to JetStream; returns the publish ack."""
    nc = await nats.connect(url.split(","))
    try:
        return await nc.jetstream().publish(subject, data, headers=headers)
    finally:
        await nc.close()


async def publish_row(url: str, row: Row) -> Any:
    """Publish a prepared (sealed and signed) outbox row straight to JetStream."""
    return await publish(url, str(row["subject"]), row["data"], row["headers"])


@dataclass(frozen=True)
class Sent:
    """One message as it left (or would leave) a tier: where, who signed, and its body."""

    id: str
    subject: str
    kind: str
    sender: str
    signature: str
    data: bytes
    headers: dict[str, str]
    body: dict[str, Any]
    sent: bool


def _sent(message_id: str, subject: str, data: bytes, headers: dict[str, str], sent: bool) -> Sent:
    envelope = open_envelope(data)
    return Sent(
        id=headers.get(MSG_ID_HEADER, message_id),
        subject=subject,
        kind=envelope.kind,
        sender=headers[SENDER_HEADER],
        signature=headers.get(SIGNATURE_HEADER, ""),
        data=data,
        headers=headers,
        body=msgspec.to_builtins(decode_body(envelope)),
        sent=sent,
    )


async def outbox_messages(node: Node, kind: str | None = None) -> list[Sent]:
    """The messages a running tier staged in its outbox (oldest first), decoded."""
    query = select(OutboxEntry).order_by(OutboxEntry.seq)
    if kind is not None:
        query = query.where(OutboxEntry.kind == kind)
    async with node.sessions() as session:
        rows = (await session.scalars(query)).all()
        return [
            _sent(str(r.id), r.subject, r.data, dict(r.headers), r.sent_at is not None)
            for r in rows
        ]


async def stream_messages(url: str, subject: str) -> list[Sent]:
    """Every message the stream holds on ``subject`` (a filter), oldest first, decoded."""
    stream = next(name for name, subjects in STREAM_SUBJECTS.items() if _covers(subjects, subject))
    nc = await nats.connect(url.split(","))
    try:
        js = nc.jetstream()
        info = await js.stream_info(stream)
        found: list[Sent] = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            try:
                message = await js.get_msg(stream, seq)
            except NotFoundError:
                continue
            if not _matches(subject, message.subject):
                continue
            headers = dict(message.headers or {})
            found.append(_sent("", message.subject, message.data or b"", headers, True))
        return found
    finally:
        await nc.close()


def _covers(stream_subjects: Any, subject: str) -> bool:
    return any(_matches(pattern, subject) for pattern in stream_subjects)


def _matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: ``*`` one token, ``>`` the rest."""
    want, have = pattern.split("."), subject.split(".")
    for n, token in enumerate(want):
        if token == ">":
            return len(have) > n
        if n >= len(have) or (token != "*" and token != have[n]):
            return False
    return len(want) == len(have)
