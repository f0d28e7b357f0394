"""The cycle store's table: a cycle's rules as announced from above, kept verbatim."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.platform.db.base import DefaultBase


class CycleRecord(DefaultBase):
    """A cycle's rules as announced from above (or loaded from a preset), kept verbatim."""

    __tablename__ = "cycle_rules"

    cycle_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    rules_toml: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), server_default="bus")
    received_at: Mapped[datetime] = mapped_column(server_default=func.now())
