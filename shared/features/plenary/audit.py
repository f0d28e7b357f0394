"""The desk's audit log: every secretary, organiser, convener or commission action on an
assembly, append-only and hash-chained.

Each event's hash is SHA-256 of the previous hash and the event's canonical JSON (sequence,
actor, kind, payload, time), written in the same transaction as the change it records; the
table refuses UPDATE and DELETE (a trigger). The head (sequence and hash) is signed into every
poll's opening and closing record and into the report sent up, so the tier above keeps it and
a rewritten history no longer extends what it saw. Payloads never hold a ballot.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.features.plenary.model import AuditEvent

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class Head:
    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


def event_hash(prev: str, seq: int, actor: str, kind: str, payload: Any, at: str) -> str:
    body = json.dumps(
        {"seq": seq, "actor": actor, "kind": kind, "payload": payload, "at": at},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256((prev + body).encode()).hexdigest()


async def record(
    session: AsyncSession, assembly_id: str, *, actor: str, kind: str, **payload: Any
) -> Head:
    """Append one event (serialised per assembly by a transaction-scoped advisory lock)."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"audit:{assembly_id}"},
    )
    last = await head(session, assembly_id)
    seq = last.seq + 1
    at = datetime.now(UTC)
    payload = json.loads(json.dumps(payload, default=str))
    digest = event_hash(last.hash, seq, actor, kind, payload, at.isoformat())
    await session.execute(
        insert(AuditEvent),
        [
            {
                "assembly_id": assembly_id,
                "seq": seq,
                "actor": actor[:200],
                "kind": kind,
                "payload": payload,
                "prev_hash": last.hash,
                "hash": digest,
                "at": at,
            }
        ],
    )
    return Head(seq, digest)


async def head(session: AsyncSession, assembly_id: str) -> Head:
    row = (
        await session.execute(
            select(AuditEvent.seq, AuditEvent.hash)
            .where(AuditEvent.assembly_id == assembly_id)
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        )
    ).first()
    return Head(row.seq, row.hash) if row else Head(0, GENESIS)


async def events(session: AsyncSession, assembly_id: str) -> list[AuditEvent]:
    return list(
        (
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.assembly_id == assembly_id)
                .order_by(AuditEvent.seq)
            )
        ).all()
    )


async def verify(session: AsyncSession, assembly_id: str) -> Head:
    """The head of a chain that verifies event by event (``ValueError`` at the first break)."""
    prev, seq = GENESIS, 0
    for event in await events(session, assembly_id):
        seq += 1
        if event.seq != seq or event.prev_hash != prev:
            raise ValueError(f"audit chain broken at event {event.seq}")
        digest = event_hash(
            prev, event.seq, event.actor, event.kind, event.payload, event.at.isoformat()
        )
        if digest != event.hash:
            raise ValueError(f"audit event {event.seq} was altered")
        prev = digest
    return Head(seq, prev)


async def count_of(session: AsyncSession, assembly_id: str, kind: str) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.assembly_id == assembly_id, AuditEvent.kind == kind)
        )
        or 0
    )
