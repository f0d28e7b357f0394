"""Tables of the exactly-once backbone: outbox, inbox, dead letters, trusted keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Identity, Index, LargeBinary, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.platform.db.base import DefaultBase, UUIDv7AuditBase


class OutboxEntry(DefaultBase):
    """A message written in the same transaction as the state change it announces."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_unsent", "seq", postgresql_where=text("sent_at IS NULL")),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    subject: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)


class InboxEntry(DefaultBase):
    """Proof that a message's effect was applied; its primary key makes a second apply fail."""

    __tablename__ = "inbox"

    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    sender: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    applied_at: Mapped[datetime] = mapped_column(server_default=func.now())
    #: Later deliveries of the same message that were recognised and ignored.
    duplicates: Mapped[int] = mapped_column(server_default=text("0"))


class DeadLetter(UUIDv7AuditBase):
    """A message that could not be applied, kept with its reason, raw bytes and headers."""

    __tablename__ = "dead_letter"

    message_id: Mapped[str | None] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[str] = mapped_column(Text, server_default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, Any]]
    replayed_at: Mapped[datetime | None]
    replay_outcome: Mapped[str | None] = mapped_column(Text)


class TrustedKey(DefaultBase):
    """A sender's Ed25519 public key; revoked keys stay for the audit trail."""

    __tablename__ = "trusted_key"

    key_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    assembly_id: Mapped[str] = mapped_column(String(64), server_default="")
    territory: Mapped[str] = mapped_column(String(16), server_default="")
    introduced_by: Mapped[str] = mapped_column(String(255), server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str] = mapped_column(Text, server_default="")
