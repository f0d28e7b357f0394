"""The operator's use cases on every tier: look at and replay dead letters, trust or revoke
keys, and count what the tier holds."""

from __future__ import annotations

import uuid

import msgspec

from shared.contracts.envelope import MessageError
from shared.contracts.http.operations import (
    DeadLetterPage,
    DeadLetterView,
    KeyIn,
    KeyStatus,
    ReplayResult,
    RevocationIn,
    TierStats,
)
from shared.contracts.messages import KeyIntroduction, KeyRevocation
from shared.core.errors import Invalid, NotFound
from shared.features.operations.stats import tier_stats
from shared.platform.bus.dead_letters import list_dead_letters, mark_replayed
from shared.platform.bus.keys import OPERATOR
from shared.platform.bus.models import DeadLetter
from shared.platform.node import Node


def dead_letter_view(row: DeadLetter) -> DeadLetterView:
    try:
        raw, encoding = row.data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        raw, encoding = row.data.hex(), "hex"
    return DeadLetterView(
        id=str(row.id),
        message_id=row.message_id,
        subject=row.subject,
        reason=row.reason,
        detail=row.detail,
        received_at=row.created_at,
        headers=dict(row.headers),
        raw=raw,
        raw_encoding=encoding,  # type: ignore[arg-type]
        replayed_at=row.replayed_at,
        replay_outcome=row.replay_outcome,
    )


class Operations:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.db = node.db

    async def dead_letters(self, *, reason: str | None, limit: int, offset: int) -> DeadLetterPage:
        async with self.db.reading() as session:
            rows, total = await list_dead_letters(
                session, limit=limit, offset=offset, reason=reason
            )
        return DeadLetterPage(total=total, items=[dead_letter_view(r) for r in rows])

    async def replay(self, letter_id: uuid.UUID) -> ReplayResult:
        """Run a stored message through verification and apply it again (after a fix)."""
        async with self.db.reading() as session:
            letter = await session.get(DeadLetter, letter_id)
            if letter is None:
                raise NotFound(f"no dead letter {letter_id}")
            subject, data, headers = letter.subject, letter.data, dict(letter.headers)
        outcome, reason = await self.node.receiver.receive(subject, data, headers)
        async with self.db.transaction() as session:
            await mark_replayed(session, letter_id, f"{outcome.value} {reason}".strip())
        return ReplayResult(id=str(letter_id), outcome=outcome.value, reason=reason)

    async def trust_key(self, key: KeyIn) -> KeyStatus:
        introduction = KeyIntroduction(**msgspec.structs.asdict(key))
        try:
            async with self.db.transaction() as session:
                await self.node.trust.register(session, introduction, introduced_by=OPERATOR)
        except MessageError as refusal:
            raise Invalid(refusal.detail or refusal.reason) from refusal
        return KeyStatus(key_id=key.key_id, status="trusted")

    async def revoke_key(self, revocation: RevocationIn) -> KeyStatus:
        try:
            async with self.db.transaction() as session:
                await self.node.trust.revoke(
                    session,
                    KeyRevocation(**msgspec.structs.asdict(revocation)),
                    revoked_by=OPERATOR,
                )
        except MessageError as refusal:
            raise Invalid(refusal.detail or refusal.reason) from refusal
        return KeyStatus(key_id=revocation.key_id, status="revoked")

    async def stats(self, *, tables: bool) -> TierStats:
        async with self.db.reading() as session:
            counts = await tier_stats(session, count_tables=tables)
        return msgspec.convert({"tier": self.node.settings.tier, **counts}, TierStats)
