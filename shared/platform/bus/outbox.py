"""Transactional outbox: a state change and the message announcing it commit together.

Use cases call :meth:`Outbox.stage` inside their own transaction; the relay publishes later.
Publishing straight from a request handler would lose the message if NATS were away.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from shared.contracts.envelope import (
    MSG_ID_HEADER,
    SENDER_HEADER,
    SIGNATURE_HEADER,
    encode_envelope,
    seal,
)
from shared.platform.bus.models import OutboxEntry
from shared.platform.bus.signing import Signer

#: Set in ``session.info`` by a transaction that staged messages, so that its commit wakes the
#: relay (see :func:`shared.platform.db.engine.make_sessionmaker`).
STAGED = "plenaria.outbox.staged"


def staged_in(session: Session) -> bool:
    """Whether ``session``'s transaction staged outbox messages (and forget it)."""
    return bool(session.info.pop(STAGED, False))


class Outbox:
    """Seals, signs and stages outgoing messages; owned by the composition root."""

    def __init__(self, default_signer: Signer) -> None:
        self.default_signer = default_signer
        self.staged = 0

    def prepare(
        self,
        body: msgspec.Struct,
        subject: str,
        *,
        signer: Signer | None = None,
        message_id: str | None = None,
    ) -> dict[str, object]:
        """The outbox row for one message (sealed and signed), without writing it."""
        signer = signer or self.default_signer
        envelope = seal(body, sender=signer.key_id, subject=subject, message_id=message_id)
        data = encode_envelope(envelope)
        headers = {
            MSG_ID_HEADER: envelope.id,
            SENDER_HEADER: signer.key_id,
            SIGNATURE_HEADER: signer.sign(data),
        }
        return {
            "id": envelope.id,
            "subject": subject,
            "kind": envelope.kind,
            "data": data,
            "headers": headers,
        }

    async def stage(
        self,
        session: AsyncSession,
        body: msgspec.Struct,
        subject: str,
        *,
        signer: Signer | None = None,
        message_id: str | None = None,
    ) -> str:
        """Add one message to the caller's transaction; returns its message id."""
        row = self.prepare(body, subject, signer=signer, message_id=message_id)
        await session.execute(insert(OutboxEntry), [row])
        session.info[STAGED] = True
        self.staged += 1
        return str(row["id"])

    async def stage_many(self, session: AsyncSession, rows: Iterable[dict[str, object]]) -> int:
        """Add prepared rows in one executemany (bulk paths)."""
        batch = list(rows)
        if batch:
            await session.execute(insert(OutboxEntry), batch)
            session.info[STAGED] = True
            self.staged += len(batch)
        return len(batch)
