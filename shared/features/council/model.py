"""National tables: the councils' answers (devolutivas) to consolidated mandates (members are
accounts with a ``council`` grant, see the identity feature).

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
