"""Dead letters: a message that cannot be applied is kept with its reason, never dropped."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.envelope import MSG_ID_HEADER
from shared.platform.bus.metrics import DEAD_LETTERS
from shared.platform.bus.models import DeadLetter

log = structlog.get_logger(__name__)


async def record_dead_letter(
    session: AsyncSession,
    *,
    subject: str,
    data: bytes,
    headers: Mapping[str, str] | None,
    reason: str,
    detail: str = "",
) -> uuid.UUID:
    """Store the raw message with why it was refused (in the caller's transaction)."""
    headers = dict(headers or {})
    row_id = uuid.uuid4()
    await session.execute(
        insert(DeadLetter).values(
            id=row_id,
            message_id=headers.get(MSG_ID_HEADER),
            subject=subject,
            reason=reason,
            detail=detail[:4000],
            data=data,
            headers=headers,
        )
    )
    DEAD_LETTERS.labels(reason=reason).inc()
    log.warning(
        "message.dead_lettered",
        reason=reason,
        detail=detail[:300],
        subject=subject,
        message_id=headers.get(MSG_ID_HEADER),
    )
    return row_id


async def list_dead_letters(
    session: AsyncSession, *, limit: int = 100, offset: int = 0, reason: str | None = None
) -> tuple[list[DeadLetter], int]:
    query = select(DeadLetter)
    count = select(func.count()).select_from(DeadLetter)
    if reason:
        query = query.where(DeadLetter.reason == reason)
        count = count.where(DeadLetter.reason == reason)
    # Count first: under READ COMMITTED each statement sees new commits, so a letter counted
    # is always among the rows read after it.
    total = int((await session.execute(count)).scalar_one())
    rows = (
        await session.scalars(
            query.order_by(DeadLetter.created_at.desc()).limit(limit).offset(offset)
        )
    ).all()
    return list(rows), total


async def mark_replayed(session: AsyncSession, dead_letter_id: uuid.UUID, outcome: str) -> None:
    await session.execute(
        update(DeadLetter)
        .where(DeadLetter.id == dead_letter_id)
        .values(replayed_at=datetime.now(UTC), replay_outcome=outcome)
    )


def dead_letter_view(row: DeadLetter) -> dict[str, Any]:
    """Public JSON view; raw bytes are shown as text when they decode, else as hex."""
    try:
        raw = row.data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        raw, encoding = row.data.hex(), "hex"
    return {
        "id": str(row.id),
        "message_id": row.message_id,
        "subject": row.subject,
        "reason": row.reason,
        "detail": row.detail,
        "received_at": row.created_at.isoformat(),
        "headers": row.headers,
        "raw": raw,
        "raw_encoding": encoding,
        "replayed_at": row.replayed_at.isoformat() if row.replayed_at else None,
        "replay_outcome": row.replay_outcome,
    }
