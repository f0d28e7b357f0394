"""Regional and national tables: what arrived from below and what it was consolidated into.

``source_item`` rows are never changed or deleted: consolidation only adds ``consolidated_item``
rows and ``item_source`` lineage edges, so every national item stays traceable to its origins.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.types import JsonB
from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import DefaultBase, UUIDv7AuditBase


class ReceivedReport(DefaultBase):
    """A verified report from the tier below, kept whole with its signature."""

    __tablename__ = "received_report"

    report_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    sender: Mapped[str] = mapped_column(String(255))
    signature: Mapped[str] = mapped_column(String(128))
    cycle_id: Mapped[str] = mapped_column(String(64), index=True)
    tier: Mapped[str] = mapped_column(String(16))
    assembly_id: Mapped[str] = mapped_column(String(64), index=True)
    assembly_kind: Mapped[str] = mapped_column(String(32))
    territory: Mapped[str] = mapped_column(String(16), index=True)
    uf: Mapped[str] = mapped_column(String(2), index=True)
    title: Mapped[str] = mapped_column(String(300))
    late: Mapped[bool]
    participants: Mapped[int]
    population: Mapped[int]
    closed_at: Mapped[datetime]
    received_at: Mapped[datetime]
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    body: Mapped[dict[str, Any]]


class SourceItem(DefaultBase):
    """One item of a received report, exactly as it arrived (with its origins)."""

    __tablename__ = "source_item"

    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("received_report.report_id"), index=True)
    assembly_id: Mapped[str] = mapped_column(String(64), index=True)
    territory: Mapped[str] = mapped_column(String(16))
    uf: Mapped[str] = mapped_column(String(2), index=True)
    axis: Mapped[str] = mapped_column(String(64), index=True)
    competence: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    rank: Mapped[int] = mapped_column(Integer)
    support: Mapped[int] = mapped_column(Integer)
    origins: Mapped[list[dict[str, Any]]] = mapped_column(JsonB)


class ConsolidatedItem(UUIDv7AuditBase):
    """An item of this tier, made from one or more source items."""

    __tablename__ = "consolidated_item"

    cycle_id: Mapped[str] = mapped_column(String(64), index=True)
    uf: Mapped[str] = mapped_column(String(2), index=True)
    axis: Mapped[str] = mapped_column(String(64), index=True)
    competence: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), server_default="active")
    score: Mapped[float] = mapped_column(server_default="0")
    rank: Mapped[int | None]
    report_id: Mapped[str | None] = mapped_column(String(64))


class ItemSource(DefaultBase):
    """Lineage edge: a consolidated item was made from a source item."""

    __tablename__ = "item_source"

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consolidated_item.id"), primary_key=True)
    source_item_id: Mapped[str] = mapped_column(
        ForeignKey("source_item.item_id"), primary_key=True, index=True
    )
