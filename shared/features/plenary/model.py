"""Plenary tables any tier's assembly uses: polls, the voter roll, secret ballots, motions,
candidacies and mandates. ``assembly_id`` is text so a local assembly, a
state conference or the national conference can all own rows here.

Ballot secrecy by design: ``plenary_voter`` (who voted) and ``plenary_ballot`` (what was voted)
share only the poll id. A ballot has a random UUID4 key, no timestamp, no sequence and no
participant column; counts and ballot files are written in one shuffled batch, and a closed
electronic poll's ballots are rewritten in random order, so neither key order, time nor physical
position can join a ballot to a voter.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.platform.db.base import DefaultBase, UUIDv7AuditBase


class Poll(UUIDv7AuditBase):
    """One vote of a plenary: a proposal's decision, an axis's priority, a motion, an election."""

    __tablename__ = "plenary_poll"
    __table_args__ = (Index("ix_plenary_poll_assembly_kind", "assembly_id", "kind"),)

    assembly_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    #: What is decided: a proposal id, an axis id, a motion id, or "delegates".
    subject: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300), server_default="")
    method: Mapped[str] = mapped_column(String(16))
    candidates: Mapped[list[str]] = mapped_column(JSONB)
    approvals: Mapped[int] = mapped_column(server_default="1")
    status: Mapped[str] = mapped_column(String(16), server_default="open")
    amended_text: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(32))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    export_sha256: Mapped[str | None] = mapped_column(String(64))
    ballots_total: Mapped[int] = mapped_column(server_default="0")
    #: How many voters the roll frozen at opening holds (None: polls opened before rolls froze).
    electorate: Mapped[int | None]
    #: SHA-256 of the frozen roll (its sorted voter ids, one a line).
    roll_sha256: Mapped[str | None] = mapped_column(String(64))
    #: The ballot box key electronic ballots of this poll are sealed to.
    key_fingerprint: Mapped[str | None] = mapped_column(String(64))
    #: The signed opening record (zerésima) and closing record (boletim de urna).
    opening: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    closing: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    #: Counts the desk entered take two people: whoever closed such a poll (status
    #: ``counted``) and whoever else confirmed its tally (status ``closed``).
    counted_by: Mapped[str | None] = mapped_column(String(64))
    confirmed_by: Mapped[str | None] = mapped_column(String(64))


class PollVoter(DefaultBase):
    """Who has voted in a poll (one row per voter and poll: a second ballot is refused)."""

    __tablename__ = "plenary_voter"

    poll_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plenary_poll.id", ondelete="CASCADE"), primary_key=True
    )
    voter_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class PollEligible(DefaultBase):
    """The roll frozen when the poll opened: only these voters may cast a ballot in it."""

    __tablename__ = "plenary_eligible"

    poll_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plenary_poll.id", ondelete="CASCADE"), primary_key=True
    )
    voter_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class SealedBallot(DefaultBase):
    """An electronic ballot as cast: a fixed-length sealed box to the ballot box key, under a
    random key, with no time, order or voter column. Written with the voter's roll row; only
    the closing decrypts it, in memory."""

    __tablename__ = "plenary_sealed_ballot"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    poll_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plenary_poll.id", ondelete="CASCADE"), index=True
    )
    box: Mapped[bytes] = mapped_column(LargeBinary)


class BallotKey(DefaultBase):
    """The public half of an assembly's ballot box key (the private half is never written)."""

    __tablename__ = "plenary_ballot_key"

    assembly_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    fingerprint: Mapped[str] = mapped_column(String(64))


class AuditEvent(DefaultBase):
    """One desk action of an assembly, hash-chained to the one before (append-only: a trigger
    refuses UPDATE and DELETE)."""

    __tablename__ = "audit_event"

    assembly_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Ballot(DefaultBase):
    """What was voted, with nothing that names, orders or dates the voter."""

    __tablename__ = "plenary_ballot"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    poll_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plenary_poll.id", ondelete="CASCADE"), index=True
    )
    #: Tie groups of candidate ids, best first (``[["yes"]]`` for a decision).
    ranking: Mapped[list[list[str]]] = mapped_column(JSONB)
    #: Ballots with this content (1 electronically; more for counts and uploaded files).
    count: Mapped[int] = mapped_column(server_default="1")


class Motion(UUIDv7AuditBase):
    """A statement (support, repudiation, recommendation…) that collects signatures first."""

    __tablename__ = "plenary_motion"

    assembly_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), server_default="collecting")
    signatures: Mapped[int] = mapped_column(server_default="0")
    needed: Mapped[int] = mapped_column(server_default="0")
    poll_id: Mapped[uuid.UUID | None]


class MotionSignature(DefaultBase):
    """A motion's signatures are public and one per signer."""

    __tablename__ = "plenary_motion_signature"

    motion_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plenary_motion.id", ondelete="CASCADE"), primary_key=True
    )
    signer_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class Candidacy(UUIDv7AuditBase):
    """A person standing as delegate, with only the public fields a mandate carries."""

    __tablename__ = "plenary_candidacy"
    __table_args__ = (UniqueConstraint("assembly_id", "person_id"),)

    assembly_id: Mapped[str] = mapped_column(String(64), index=True)
    person_id: Mapped[str] = mapped_column(String(64))
    public_name: Mapped[str] = mapped_column(String(200))
    segment: Mapped[str] = mapped_column(String(32))
    gender: Mapped[str] = mapped_column(String(32), server_default="")
    quota_groups: Mapped[list[str]] = mapped_column(JSONB)


class Mandate(UUIDv7AuditBase):
    """An elected titular or ranked alternate; what goes up in the report's mandates."""

    __tablename__ = "plenary_mandate"

    assembly_id: Mapped[str] = mapped_column(String(64), index=True)
    #: The candidacy an election filled; none for a seat drawn by lottery.
    candidacy_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("plenary_candidacy.id"))
    public_name: Mapped[str] = mapped_column(String(200))
    segment: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    rank: Mapped[int]
    gender: Mapped[str] = mapped_column(String(32), server_default="")
    quota_groups: Mapped[list[str]] = mapped_column(JSONB)
    #: ``elected`` by the plenary or ``drawn`` by the assembly's civic lottery.
    selection: Mapped[str] = mapped_column(String(8), server_default="elected")
    #: A drawn mandate's selection probability, as the lottery published it.
    probability: Mapped[float | None]
