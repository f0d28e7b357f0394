"""Local-tier tables: assemblies, participants and proposals (with text versions and online
supports)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.platform.db.base import DefaultBase, UUIDv7AuditBase


class Assembly(UUIDv7AuditBase):
    """One meeting of one territory: neighbourhood, municipal, free, digital…"""

    __tablename__ = "assembly"

    cycle_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    territory: Mapped[str] = mapped_column(String(16), index=True)
    uf: Mapped[str] = mapped_column(String(2), index=True)
    #: The IBGE codes of every municipality an intermunicipal conference covers (``territory``,
    #: its seat, first); empty for every other kind.
    covers: Mapped[list[str]] = mapped_column(JSONB, server_default="[]", default=list)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), server_default="draft")
    deadline: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    participants: Mapped[int] = mapped_column(server_default="0")
    population: Mapped[int] = mapped_column(server_default="0")
    report_id: Mapped[str | None] = mapped_column(String(64))
    #: The id receivers know the assembly's own Ed25519 key by; the key itself is derived from
    #: the instance seed whenever it signs (never stored).
    key_id: Mapped[str | None] = mapped_column(String(160))
    #: The public key last introduced for it (public, not secret). When the key derived now
    #: differs — an assembly from before derived keys, or after the instance key's rotation —
    #: the derived key is introduced again, ahead of the report, when the assembly closes.
    public_key: Mapped[str | None] = mapped_column(String(64))
    late: Mapped[bool] = mapped_column(server_default="false")


class Participant(UUIDv7AuditBase):
    """A registered person: only what credentialing, quotas and mandates need."""

    __tablename__ = "participant"

    assembly_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assembly.id"), index=True)
    public_name: Mapped[str] = mapped_column(String(200))
    segment: Mapped[str] = mapped_column(String(32))
    gender: Mapped[str] = mapped_column(String(32), server_default="")
    race_colour: Mapped[str] = mapped_column(String(16), server_default="")
    age_band: Mapped[str] = mapped_column(String(16), server_default="")
    disability: Mapped[bool] = mapped_column(server_default="false")
    lgbtqia: Mapped[bool] = mapped_column(server_default="false")
    traditional_people: Mapped[str] = mapped_column(String(64), server_default="")
    #: The digest of the voting credential bound to them (:class:`VotingCard`), none until a
    #: card is bound at the desk or after the credential is revoked.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    credentialed_at: Mapped[datetime | None]
    #: A guest or observer: speaks, but is on no roll, stands for nothing, signs and supports
    #: nothing, and does not count towards what voters bound (counts, seats, motions).
    voice_only: Mapped[bool] = mapped_column(server_default="false")
    #: Checked in, or handed a card, once voting began: it waits for a second person of the
    #: desk (not this one) to confirm it; until then the person is not credentialed…
    awaiting_by: Mapped[str | None] = mapped_column(String(64))
    #: …and a replacement card's credential is not theirs yet.
    awaiting_token_hash: Mapped[str | None] = mapped_column(String(64))


class VotingCard(UUIDv7AuditBase):
    """A voting credential before and after it reaches its holder.

    The credential itself (the badge code) is shown only to whoever asked for the card: the
    participant's own phone (``origin = "device"``) or the organiser who prints a sheet of
    badges (``"printed"``). The desk binds a card to a participant by its ``pairing`` number —
    the number on the phone's screen or on the outside of the badge — and so never sees the
    credential.
    """

    __tablename__ = "voting_card"
    __table_args__ = (UniqueConstraint("assembly_id", "pairing"),)

    assembly_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assembly.id"), index=True)
    origin: Mapped[str] = mapped_column(String(8))
    #: Eight digits, read aloud or typed by the desk; not a secret.
    pairing: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Who printed the card (an account id), so that person cannot also hand it out.
    printed_by: Mapped[str | None] = mapped_column(String(64))
    #: A phone's card must be bound soon or it lapses; a printed badge keeps.
    expires_at: Mapped[datetime | None]
    participant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("participant.id"))
    bound_at: Mapped[datetime | None]


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
    version: Mapped[int] = mapped_column(server_default="1")
    author_id: Mapped[uuid.UUID | None]
    #: Near-duplicates found at submission: ``[{"proposal_id", "score"}]``.
    possible_duplicates: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    forwarded: Mapped[bool] = mapped_column(server_default="false")


class ProposalVersion(DefaultBase):
    """Every text a proposal had: amendments never overwrite history."""

    __tablename__ = "proposal_version"

    proposal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("proposal.id"), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500), server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ProposalSupport(DefaultBase):
    """An online support of a digital assembly's proposal (public, one per participant)."""

    __tablename__ = "proposal_support"

    proposal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("proposal.id"), primary_key=True)
    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("participant.id"), primary_key=True, index=True
    )


class WorkingGroupMember(DefaultBase):
    """A participant's place in one working group of their assembly (the cycle's
    ``[working_groups]``): group ``number`` of ``axis``, counted in ``segment``'s places. One
    place per participant: moving them to another group frees this one."""

    __tablename__ = "working_group_member"

    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("participant.id"), primary_key=True
    )
    assembly_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assembly.id"), index=True)
    axis: Mapped[str] = mapped_column(String(64))
    number: Mapped[int]
    segment: Mapped[str] = mapped_column(String(32))
    placed_at: Mapped[datetime] = mapped_column(server_default=func.now())


class LotteryDraw(UUIDv7AuditBase):
    """An assembly's civic lottery (``[lottery]`` of the cycle), from the open pool to the panel.

    ``status``: ``open`` (volunteers join; the organiser commits) → ``closed`` (pool frozen, its
    digest fixed) → ``queued`` (secret revealed, seed derived) → ``running`` → ``drawn`` or
    ``failed`` (``error`` says why). Everything here is public except ``secret`` until the
    reveal: the commitment, the pool digest, the seed, the quotas and the answer.
    """

    __tablename__ = "lottery_draw"

    assembly_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assembly.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), server_default="open")
    seats: Mapped[int]
    method: Mapped[str] = mapped_column(String(16))
    commitment: Mapped[str | None] = mapped_column(String(64))
    committed_by: Mapped[str | None] = mapped_column(String(64))
    committed_at: Mapped[datetime | None]
    pool_digest: Mapped[str | None] = mapped_column(String(64))
    #: The pool and quotas exactly as published (the CLI's CSVs), fixed when the pool closed.
    pool_csv: Mapped[str | None] = mapped_column(Text)
    quotas_csv: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    secret: Mapped[str | None] = mapped_column(String(200))
    public_value: Mapped[str] = mapped_column(String(200), server_default="")
    seed: Mapped[int | None]
    revealed_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: The lottery's answer as ``plenaria lottery`` prints it (selected pseudonyms,
    #: probabilities, seed, methods, panels).
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(String(1000))


class LotteryVolunteer(DefaultBase):
    """A participant who volunteered for the draw, under the pseudonym the pool publishes."""

    __tablename__ = "lottery_volunteer"
    __table_args__ = (UniqueConstraint("assembly_id", "number"),)

    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("participant.id"), primary_key=True
    )
    assembly_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assembly.id"), index=True)
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class EvaluationResponder(DefaultBase):
    """Who has answered the evaluation (once each); what they answered is not kept with them."""

    __tablename__ = "evaluation_responder"

    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("participant.id"), primary_key=True
    )
    assembly_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assembly.id"), index=True)


class EvaluationCount(DefaultBase):
    """How many participants of an assembly gave ``answer`` to ``question`` (counts only, so no
    answer can be joined to the person who gave it)."""

    __tablename__ = "evaluation_count"

    assembly_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assembly.id"), primary_key=True)
    question: Mapped[str] = mapped_column(String(32), primary_key=True)
    answer: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(server_default="0")
