"""HTTP contract of an assembly's civic lottery (sorteio cívico): volunteers, the commitment,
the closed pool, the reveal, and the public record anyone can re-run with ``plenaria lottery``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec


class VolunteerIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    participant_id: uuid.UUID


class Volunteered(msgspec.Struct, kw_only=True):
    #: The name the published pool gives the volunteer (V001…): how they find themselves in it.
    pseudonym: str


class CommitmentIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The SHA-256 (hex) of a secret the organiser keeps until the pool is closed."""

    commitment: Annotated[str, msgspec.Meta(min_length=64, max_length=64)]


class RevealIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    secret: Annotated[str, msgspec.Meta(min_length=16, max_length=200)]
    #: What the cycle's public source published (empty when the cycle names none).
    public_value: Annotated[str, msgspec.Meta(max_length=200)] = ""


class LotteryView(msgspec.Struct, kw_only=True):
    """Everything public about the draw (the secret only once revealed).

    ``status``: open → closed → queued → running → drawn | failed. ``rerun`` is the command
    that reproduces the draw from ``pool_csv`` and ``quotas_csv`` saved as files."""

    status: str
    segment: str
    seats: int
    requested_method: str
    public_source: str
    volunteers: int
    commitment_sha256: str | None
    committed_at: datetime | None
    pool_sha256: str | None
    pool_csv: str | None
    quotas_csv: str | None
    closed_at: datetime | None
    secret: str | None
    public_value: str
    seed: int | None
    revealed_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    #: Seconds the draw has been running (or took).
    elapsed_s: float | None
    method: str | None
    selected: list[str]
    probabilities: dict[str, float]
    probabilities_estimated: bool
    panels: int
    error: str | None
    rerun: str | None
