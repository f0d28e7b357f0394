"""Local-tier tables: assemblies and their proposals (deepened by the local-tier work)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import UUIDv7AuditBase


class Assembly(UUIDv7AuditBase):
    """One meeting of one territory: neighbourhood, municipal, free, digital…"""

    __tablename__ = "assembly"

    cycle_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    territory: Mapped[str] = mapped_column(String(16), index=True)
    uf: Mapped[str] = mapped_column(String(2), index=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), server_default="draft")
    deadline: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    participants: Mapped[int] = mapped_column(server_default="0")
    population: Mapped[int] = mapped_column(server_default="0")
    report_id: Mapped[str | None] = mapped_column(String(64))


class Proposal(UUIDv7AuditBase):
    """A proposal submitted at a local assembly."""

    __tablename__ = "proposal"

    assembly_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assembly.id"), index=True)
    axis: Mapped[str] = mapped_column(String(64))
    competence: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), server_default="submitted")
    support: Mapped[int] = mapped_column(server_default="0")
    rank: Mapped[int | None]
