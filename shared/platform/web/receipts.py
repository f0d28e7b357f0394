"""Forms that must take effect once however often they are sent: check-in at the door, a
proposal typed on a phone, counts entered at the desk.

Each such form carries an idempotency key (a hidden UUID field, :data:`KEY_FIELD`, new on every
page) and its handler runs through :func:`once`: the first post with a key claims it, runs the
action and records where its answer sent the browser; a resend of the same key (the offline
outbox replaying a queued form, a double tap, a retry after a lost answer) gets that same answer
and changes nothing. A refused action releases its key, so the corrected form can be sent again.

The table lives in the platform, not in one feature, because any tier's desk form may need it
(``static/js/outbox.js`` is generic too). Keys are forgotten after :data:`KEPT` — far longer than
a venue stays offline. If a process dies between the action and the record, the key stays
claimed without an answer: a resend is refused (409, "reload the page") rather than run twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import String, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Mapped, mapped_column

from shared.core.errors import Conflict, Invalid
from shared.platform.db.base import DefaultBase
from shared.platform.db.database import Database

log = structlog.get_logger(__name__)

#: The hidden field every once-only form carries.
KEY_FIELD = "idempotency_key"
#: How long a key is remembered.
KEPT = timedelta(days=7)


class FormReceipt(DefaultBase):
    """One once-only form post: who sent it where, and where its answer pointed."""

    __tablename__ = "form_receipt"

    key: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(300))
    actor: Mapped[str] = mapped_column(String(64))
    #: Where the answer sent the browser; None while the action runs.
    location: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(index=True)


def new_key() -> str:
    """A fresh key for a form being rendered."""
    return str(uuid.uuid4())


def parse_key(raw: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw or "").strip())
    except ValueError:
        raise Invalid(
            f"this form needs its {KEY_FIELD} (reload the page to get a fresh form)"
        ) from None


async def once(
    db: Database, raw_key: str | None, *, path: str, actor: str, run: Callable[[], Awaitable[str]]
) -> str:
    """Run ``run`` (which returns the address the answer redirects to) once for this key;
    a resend returns the first answer's address without running it again."""
    key = parse_key(raw_key)
    now = datetime.now(UTC)
    async with db.transaction() as session:
        await session.execute(delete(FormReceipt).where(FormReceipt.created_at < now - KEPT))
        claimed = await session.scalar(
            pg_insert(FormReceipt)
            .values(key=key, path=path[:300], actor=actor[:64], location=None, created_at=now)
            .on_conflict_do_nothing()
            .returning(FormReceipt.key)
        )
        earlier = None if claimed is not None else await session.get(FormReceipt, key)
    if earlier is not None:
        if earlier.path != path[:300] or earlier.actor != actor[:64]:
            raise Conflict("this form's key belongs to another form: reload the page")
        if earlier.location is None:
            raise Conflict("this form is being handled already: reload the page in a moment")
        log.info("form.resent", path=path)
        return earlier.location
    try:
        location = await run()
    except BaseException:
        async with db.transaction() as session:
            await session.execute(delete(FormReceipt).where(FormReceipt.key == key))
        raise
    async with db.transaction() as session:
        await session.execute(
            update(FormReceipt).where(FormReceipt.key == key).values(location=location[:2000])
        )
    return location
