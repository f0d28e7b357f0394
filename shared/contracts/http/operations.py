"""HTTP contract of what every tier exposes to its operator: dead letters, keys, counts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

#: Base64 of an Ed25519 public key (32 bytes), as ``shared.platform.bus.signing`` writes it.
PublicKey = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9+/]{43}=$")]
KeyId = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]


class DeadLetterView(msgspec.Struct, kw_only=True):
    """A refused message with its reason; raw bytes as text when they decode, else hex."""

    id: str
    message_id: str | None
    subject: str
    reason: str
    detail: str
    received_at: datetime
    headers: dict[str, Any]
    raw: str
    raw_encoding: Literal["utf-8", "hex"]
    replayed_at: datetime | None
    replay_outcome: str | None


class DeadLetterPage(msgspec.Struct, kw_only=True):
    total: int
    items: list[DeadLetterView]


class ReplayResult(msgspec.Struct, kw_only=True):
    id: str
    outcome: str
    reason: str = ""


class KeyIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A key to trust; checked here, so a malformed one is a 4xx and never reaches the ring."""

    key_id: KeyId
    public_key: PublicKey
    assembly_id: Annotated[str, msgspec.Meta(max_length=64)] = ""
    territory: Annotated[str, msgspec.Meta(max_length=16)] = ""


class RevocationIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    key_id: KeyId
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class KeyStatus(msgspec.Struct, kw_only=True):
    key_id: str
    status: Literal["trusted", "revoked"]


class InboxCounts(msgspec.Struct, kw_only=True):
    applied: int
    duplicates: int


class OutboxCounts(msgspec.Struct, kw_only=True):
    sent: int
    unsent: int


class DeadLetterCounts(msgspec.Struct, kw_only=True):
    total: int = 0
    by_reason: dict[str, int] = msgspec.field(default_factory=dict)
    by_kind: dict[str, int] = msgspec.field(default_factory=dict)


class ConferenceCounts(msgspec.Struct, kw_only=True):
    states: int
    cycles: int


class TierStats(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Counts of what a tier holds and what crossed its bus (read by simulate and bench)."""

    tier: str
    inbox: dict[str, InboxCounts]
    outbox: dict[str, OutboxCounts]
    dead_letters: DeadLetterCounts
    tables: dict[str, int] | None = None
    statuses: dict[str, dict[str, int]] | None = None
    conferences: ConferenceCounts | None = None
    items_reported: int | None = None
    items_published: int | None = None
    ballots: dict[str, int] | None = None
