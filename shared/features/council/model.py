"""National tables: the councils' answers (devolutivas) to consolidated mandates, their drafts
and rapporteurs (members are accounts with a ``council`` grant, see the identity feature).

Every answer and update is a new ``council_answer`` row (a version), never an overwrite, so the
history of what the council promised stays public.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.types import JsonB
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.platform.db.base import UUIDv7AuditBase


class CouncilAnswer(UUIDv7AuditBase):
    """One version of the council's answer to one consolidated item."""

    __tablename__ = "council_answer"
    __table_args__ = (UniqueConstraint("response_id", "version"),)

    response_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int]
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consolidated_item.id"), index=True)
    #: The council member (an account of this tier) who gave this version, and for which council.
    answered_by: Mapped[str] = mapped_column(String(64))
    council: Mapped[str] = mapped_column(String(300), server_default="")
    decision: Mapped[str] = mapped_column(String(32))
    justification: Mapped[str] = mapped_column(Text, server_default="")
    responsible_body: Mapped[str] = mapped_column(String(300), server_default="")
    instrument: Mapped[str] = mapped_column(String(300), server_default="")
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JsonB)
    answered_at: Mapped[datetime]
    message_id: Mapped[str] = mapped_column(String(64))


class CouncilRapporteur(UUIDv7AuditBase):
    """The member of the item's council who drafts its answer (one per item; naming another
    replaces them). Staff-only: not in open data."""

    __tablename__ = "council_rapporteur"

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consolidated_item.id"), unique=True)
    council: Mapped[str] = mapped_column(String(300))
    #: The rapporteur's account (it holds the council's grant) and its name when named.
    account_id: Mapped[str] = mapped_column(String(64), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    assigned_by: Mapped[str] = mapped_column(String(64))
    assigned_at: Mapped[datetime]


class CouncilDraft(UUIDv7AuditBase):
    """The council's unpublished answer to an item, edited in place (one per item): never sent
    down, never in open data or public pages. ``version`` counts the saves, so an edit made on
    a stale copy is refused; publishing turns it into a ``council_answer`` and removes it."""

    __tablename__ = "council_draft"

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consolidated_item.id"), unique=True)
    council: Mapped[str] = mapped_column(String(300))
    version: Mapped[int]
    decision: Mapped[str] = mapped_column(String(32))
    justification: Mapped[str] = mapped_column(Text, server_default="")
    responsible_body: Mapped[str] = mapped_column(String(300), server_default="")
    instrument: Mapped[str] = mapped_column(String(300), server_default="")
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JsonB)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_by_name: Mapped[str] = mapped_column(String(200), server_default="")
    # ``updated_at`` (when it was last saved) is the audit base's.
