"""The one seat-allocation table of every tier: what a tier apportioned and sent down, and what
it received from above (or, at the local tier, what a secretary entered when nothing arrived).

A newer allocation for the same unit (cycle, territory, assembly) and direction supersedes the
older one, which stays for the record.
"""

from __future__ import annotations

from advanced_alchemy.types import JsonB
from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.platform.db.base import UUIDv7AuditBase


class AllocationRecord(UUIDv7AuditBase):
    """Seats one unit (a state, an assembly, or every assembly of a territory) may elect."""

    __tablename__ = "seat_allocation"
    __table_args__ = (
        Index("ix_seat_allocation_unit", "cycle_id", "direction", "territory", "assembly_id"),
    )

    allocation_id: Mapped[str] = mapped_column(String(64), unique=True)
    #: ``sent`` (apportioned here) or ``received`` (from above, or entered at the local tier).
    direction: Mapped[str] = mapped_column(String(8))
    #: ``bus`` (a message from the tier above), ``entered`` (typed in here), or ``apportioned``.
    source: Mapped[str] = mapped_column(String(16), server_default="bus")
    cycle_id: Mapped[str] = mapped_column(String(64), index=True)
    territory: Mapped[str] = mapped_column(String(16), index=True)
    uf: Mapped[str] = mapped_column(String(2), index=True)
    #: Empty for an allocation to a state or to every assembly of a territory.
    assembly_id: Mapped[str] = mapped_column(String(64), server_default="")
    seats: Mapped[int]
    per_segment: Mapped[dict[str, int]] = mapped_column(JsonB)
    method: Mapped[str] = mapped_column(String(32), server_default="")
    basis: Mapped[str] = mapped_column(String(16), server_default="")
    basis_value: Mapped[int] = mapped_column(server_default="0")
    alternates_per_segment: Mapped[int] = mapped_column(server_default="0")
    superseded: Mapped[bool] = mapped_column(server_default="false")
