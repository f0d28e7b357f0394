"""Regional and national tables: what arrived from below and what it was consolidated into.

``source_item`` rows are never changed or deleted: consolidation only adds ``consolidated_item``
rows and ``item_source`` lineage edges, so every national item stays traceable to its origins.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.types import JsonB
from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.platform.db.base import DefaultBase, UUIDv7AuditBase


class ConferenceReport(DefaultBase):
    """That this tier's conference for (cycle, territory) has reported: at most once, even when
    it forwards no item (a state still sends its delegation)."""

    __tablename__ = "conference_report"

    cycle_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    uf: Mapped[str] = mapped_column(String(2), primary_key=True)
    report_id: Mapped[str] = mapped_column(String(64), unique=True)
    items: Mapped[int] = mapped_column(Integer)
    closed_at: Mapped[datetime]
    #: Addenda sent since (late items forwarded after the conference closed).
    addenda: Mapped[int] = mapped_column(Integer, server_default="0")


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
    #: Why the report counts as late (its own deadline, or arriving after this conference
    #: closed, and what the cycle's late policy did with it); empty when on time.
    late_reason: Mapped[str] = mapped_column(String(300), server_default="")
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
    #: Current text version (``item_version`` keeps every one).
    version: Mapped[int] = mapped_column(server_default="1")
    #: Which action made this item (None: one per source item at ingest) and which retired it.
    made_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("consolidation_action.id"))
    retired_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("consolidation_action.id"))
    #: Score breakdown of the last ranking (weighted Borda contributions, distinct origins).
    breakdown: Mapped[dict[str, Any] | None] = mapped_column(JsonB)
    #: National tier: when the item became a published consolidated mandate, and the council
    #: that must answer it (only that council's members may).
    published_at: Mapped[datetime | None]
    council: Mapped[str] = mapped_column(String(300), server_default="")
    #: The diretriz (guideline) this proposal is grouped under: another active item of the
    #: same conference and axis, itself nested under none (one level, set by ``nest``).
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("consolidated_item.id"), index=True
    )


class ItemSource(DefaultBase):
    """Lineage edge: a consolidated item was made from a source item."""

    __tablename__ = "item_source"

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consolidated_item.id"), primary_key=True)
    source_item_id: Mapped[str] = mapped_column(
        ForeignKey("source_item.item_id"), primary_key=True, index=True
    )


class ItemOrigin(DefaultBase):
    """A source item's local origin proposals, flattened for set-based lineage queries."""

    __tablename__ = "item_origin"
    __table_args__ = (Index("ix_item_origin_proposal", "proposal_id"),)

    source_item_id: Mapped[str] = mapped_column(ForeignKey("source_item.item_id"), primary_key=True)
    proposal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    assembly_id: Mapped[str] = mapped_column(String(64))
    territory: Mapped[str] = mapped_column(String(16))


class ItemVersion(UUIDv7AuditBase):
    """Every text of an item: a rewrite adds a version, never overwrites one."""

    __tablename__ = "item_version"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consolidated_item.id"), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    action_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("consolidation_action.id"))


class ConsolidationAction(UUIDv7AuditBase):
    """A convener's (or the automatic policy's) change, with what is needed to reverse it."""

    __tablename__ = "consolidation_action"

    cycle_id: Mapped[str] = mapped_column(String(64), index=True)
    uf: Mapped[str] = mapped_column(String(2), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(255), server_default="")
    note: Mapped[str] = mapped_column(Text, server_default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JsonB)
    undone_at: Mapped[datetime | None]


class ReceivedMandate(DefaultBase):
    """A delegate mandate carried by a verified report: the only basis for credentials."""

    __tablename__ = "received_mandate"

    mandate_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("received_report.report_id"), index=True)
    cycle_id: Mapped[str] = mapped_column(String(64), index=True)
    uf: Mapped[str] = mapped_column(String(2), index=True)
    assembly_id: Mapped[str] = mapped_column(String(64), index=True)
    territory: Mapped[str] = mapped_column(String(16))
    public_name: Mapped[str] = mapped_column(String(300))
    segment: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    rank: Mapped[int]
    gender: Mapped[str] = mapped_column(String(32), server_default="")
    quota_groups: Mapped[list[str]] = mapped_column(JsonB)
    #: SHA-256 of the one-time code the delegate was handed when elected (in the report).
    claim_sha256: Mapped[str] = mapped_column(String(64), server_default="")


class Credential(UUIDv7AuditBase):
    """A delegate admitted to this tier's plenary on one mandate.

    ``holder`` is what the credentialing desk recorded about the person (e.g. a hash of their
    document); it is unique per cycle and territory so nobody holds two mandates.
    """

    __tablename__ = "credential"
    __table_args__ = (
        UniqueConstraint("mandate_id", name="uq_credential_mandate"),
        UniqueConstraint("cycle_id", "uf", "holder", name="uq_credential_holder"),
    )

    mandate_id: Mapped[str] = mapped_column(ForeignKey("received_mandate.mandate_id"))
    cycle_id: Mapped[str] = mapped_column(String(64), index=True)
    uf: Mapped[str] = mapped_column(String(2), index=True)
    holder: Mapped[str] = mapped_column(String(128))
    replaces_mandate_id: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None]
    #: The credential the delegate's own device holds (SHA-256), bound when they redeemed
    #: their mandate's claim code: what lets them vote and stand themselves.
    device_token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    claimed_at: Mapped[datetime | None]


class Absence(DefaultBase):
    """A titular declared absent at this tier's plenary, so an alternate may take the seat."""

    __tablename__ = "absence"

    mandate_id: Mapped[str] = mapped_column(
        ForeignKey("received_mandate.mandate_id"), primary_key=True
    )
    declared_at: Mapped[datetime]


class PlenaryMember(UUIDv7AuditBase):
    """Someone admitted to this tier's plenary without a mandate from below.

    ``category`` is ``ex_officio`` (a member by office, under one of the cycle's
    ``[[seats.<stage>.ex_officio]]`` entries, ``entry``: credentialed and voting like a delegate,
    on the roll), ``guest`` or ``observer`` (voice only: on no roll, voting, standing and signing
    for nothing). ``holder`` is what the desk recorded about the person, unique per plenary
    across members and delegates alike while the registration stands: a revoked row stays (the
    audit trail) and the same person may be registered again. The one-time claim code binds the
    member's own device, as a delegate's does.
    """

    __tablename__ = "plenary_member"
    __table_args__ = (
        Index(
            "uq_plenary_member_holder",
            "cycle_id",
            "uf",
            "holder",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    cycle_id: Mapped[str] = mapped_column(String(64), index=True)
    uf: Mapped[str] = mapped_column(String(2), index=True)
    category: Mapped[str] = mapped_column(String(16))
    entry: Mapped[str] = mapped_column(String(32), server_default="")
    public_name: Mapped[str] = mapped_column(String(300))
    segment: Mapped[str] = mapped_column(String(64), server_default="")
    #: Self-declared, public like a delegate's (the equity tables count ex officio members).
    gender: Mapped[str] = mapped_column(String(16), server_default="")
    quota_groups: Mapped[list[str]] = mapped_column(JsonB, server_default="[]")
    holder: Mapped[str] = mapped_column(String(128))
    claim_sha256: Mapped[str] = mapped_column(String(64))
    device_token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    claimed_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
