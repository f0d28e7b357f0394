"""Council answers as they arrive at a tier below the national one, and which of the proposals
held here each answer reached (the same two tables at the regional and the local tier)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from advanced_alchemy.types import JsonB
from sqlalchemy import String, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.platform.db.base import DefaultBase


class ReceivedResponse(DefaultBase):
    """One version of a council's answer, as the national tier sent it (the whole body)."""

    __tablename__ = "received_response"

    response_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    national_item_id: Mapped[str] = mapped_column(String(64), index=True)
    decision: Mapped[str] = mapped_column(String(32))
    answered_at: Mapped[datetime]
    body: Mapped[dict[str, Any]] = mapped_column(JsonB)
    received_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ResponseAttachment(DefaultBase):
    """A response version attached to one local proposal it answers, where that proposal is
    held here: the proposal itself at the local tier, an item carrying it at the regional one."""

    __tablename__ = "response_attachment"

    response_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    national_item_id: Mapped[str] = mapped_column(String(64), index=True)
