"""Motions: propose, collect signatures, put to a vote once enough signed, record the outcome.

The signatures a motion needs follow the delegates present (credentialed with a vote) *now*,
not when it was proposed: a motion proposed as the room filled needs the share of the room
that signs it (CNS: 20 % of those present, or 200 signatures, whichever is fewer). Each
signature, each listing and the vote read the threshold again (:func:`standing`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.core.cycle import Motions
from shared.core.errors import Conflict, NotFound
from shared.core.motions import motion_approved, signatures_needed
from shared.features.plenary.ballot_box import BallotBox
from shared.features.plenary.model import Motion, MotionSignature, Poll
from shared.features.plenary.polls import open_poll, result_of

#: A motion that still collects signatures (it may be qualified and fall back as people arrive).
COLLECTING = ("collecting", "qualified")


def standing(motion: Motion, rule: Motions, credentialed: int) -> tuple[str, int]:
    """The motion's status and signatures needed with ``credentialed`` delegates present."""
    needed = signatures_needed(rule, credentialed)
    if motion.status not in COLLECTING:
        return motion.status, motion.needed
    return ("qualified" if motion.signatures >= needed else "collecting"), needed


def refresh(motion: Motion, rule: Motions, credentialed: int) -> Motion:
    """Bring the stored threshold and status to the delegates present now."""
    motion.status, motion.needed = standing(motion, rule, credentialed)
    return motion


async def propose(
    session: AsyncSession,
    *,
    assembly_id: str,
    kind: str,
    title: str,
    text: str,
    rule: Motions,
    credentialed: int,
) -> Motion:
    motion = Motion(
        assembly_id=assembly_id,
        kind=kind,
        title=title,
        text=text,
        status="collecting",
        signatures=0,
        needed=signatures_needed(rule, credentialed),
    )
    session.add(motion)
    await session.flush()
    return motion


async def get_motion(
    session: AsyncSession, motion_id: uuid.UUID, *, assembly_id: str, lock: bool = False
) -> Motion:
    motion = await session.get(Motion, motion_id, with_for_update=lock)
    if motion is None or motion.assembly_id != assembly_id:
        raise NotFound(f"no motion {motion_id} in this assembly")
    return motion


async def list_motions(session: AsyncSession, assembly_id: str) -> Sequence[Motion]:
    return (
        await session.scalars(
            select(Motion).where(Motion.assembly_id == assembly_id).order_by(Motion.id)
        )
    ).all()


async def sign(
    session: AsyncSession, motion: Motion, signer_id: str, *, rule: Motions, credentialed: int
) -> Motion:
    """One signature per signer while the motion collects them, counted against the
    threshold of the ``credentialed`` delegates present now."""
    if motion.status not in COLLECTING:
        raise Conflict("the motion no longer collects signatures")
    added = await session.scalar(
        pg_insert(MotionSignature)
        .values(motion_id=motion.id, signer_id=signer_id)
        .on_conflict_do_nothing()
        .returning(MotionSignature.signer_id)
    )
    if added is None:
        raise Conflict("you have already signed this motion", already_signed=True)
    motion.signatures += 1
    refresh(motion, rule, credentialed)
    await session.flush()
    return motion


async def put_to_vote(
    session: AsyncSession,
    motion: Motion,
    *,
    mode: str,
    rule: Motions,
    credentialed: int,
    electorate: Sequence[str] | None = None,
    box: BallotBox | None = None,
    audit_head: str = "",
) -> Poll:
    """Open the motion's yes/no/abstain poll; only a motion with enough signatures for the
    ``credentialed`` delegates present now goes."""
    refresh(motion, rule, credentialed)
    if motion.status != "qualified":
        raise Conflict(
            f"the motion has {motion.signatures} of the {motion.needed} signatures it needs"
        )
    poll = await open_poll(
        session,
        assembly_id=motion.assembly_id,
        kind="motion",
        mode=mode,
        subject=str(motion.id),
        title=motion.title,
        method="plurality",
        candidates=(),
        electorate=electorate,
        box=box,
        audit_head=audit_head,
    )
    motion.poll_id = poll.id
    motion.status = "voting"
    return poll


def settle(motion: Motion, poll: Poll, rule: Motions) -> None:
    """Record the outcome of the motion's closed poll."""
    result = result_of(poll)
    yes, no = (result.yes, result.no) if result else (0, 0)
    approved = motion_approved(rule, yes, no)
    motion.status = "approved" if approved else "rejected"
    poll.outcome = motion.status
