"""Proposals: submit (one or thousands at once), amend with versioned text, withdraw, and
online supports in digital assemblies. Possible duplicates are flagged on submission with the
shared near-duplicate finder, so a secretary can merge before the plenary."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from advanced_alchemy.mixins.uuid import uuid7  # type: ignore[attr-defined]
from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.local.assemblies import require_a_vote, require_not_closed
from services.local.auth import Actor
from services.local.model import Assembly, Proposal, ProposalSupport, ProposalVersion
from shared.core.decide.clustering import ClusterItem, DuplicateIndex
from shared.core.errors import Conflict, Forbidden, Invalid, NotFound
from shared.features.cycles.store import rules_for

DUPLICATE_THRESHOLD = 0.5
MAX_BULK = 10_000


async def _duplicate_index(session: AsyncSession, assembly: Assembly) -> DuplicateIndex:
    rows = await session.execute(
        select(Proposal.id, Proposal.axis, Proposal.title, Proposal.text).where(
            Proposal.assembly_id == assembly.id, Proposal.status != "withdrawn"
        )
    )
    return DuplicateIndex(
        ClusterItem(str(pid), f"{title}. {text}", axis) for pid, axis, title, text in rows
    )


async def submit_many(
    session: AsyncSession, assembly: Assembly, actor: Actor, entries: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Insert proposals (and their first text version) with two ``COPY``s, once every entry is
    valid; possible duplicates are found for the whole batch at once, each entry against the
    assembly's proposals and the entries before it."""
    require_not_closed(assembly)
    if len(entries) > MAX_BULK:
        raise Invalid(f"at most {MAX_BULK} proposals per upload")
    rules = await rules_for(session, assembly.cycle_id)
    for entry in entries:
        rules.axis(entry["axis"])  # unknown axis → 422
        if entry.get("support") and actor.role == "participant":
            raise Forbidden("only the secretary records support counts")
        if "\x00" in entry["title"] or "\x00" in entry["text"]:
            raise Invalid("a text value holds a character that cannot be stored (NUL)")
    if not entries:
        return []
    ids = [uuid7() for _ in entries]  # time-ordered: the id order is the submission order
    index = await _duplicate_index(session, assembly)
    found = index.add_many(
        [
            ClusterItem(str(pid), f"{entry['title']}. {entry['text']}", entry["axis"])
            for pid, entry in zip(ids, entries, strict=True)
        ],
        threshold=DUPLICATE_THRESHOLD,
    )
    author = actor.participant.id if actor.participant else None
    rows: list[dict[str, Any]] = [
        {
            "id": pid,
            "assembly_id": assembly.id,
            "axis": entry["axis"],
            "competence": entry["competence"],
            "title": entry["title"],
            "text": entry["text"],
            "support": entry.get("support", 0),
            "status": "submitted",
            "version": 1,
            "author_id": author,
            "possible_duplicates": [{"proposal_id": m.b, "score": m.score} for m in matches]
            or None,
        }
        for pid, entry, matches in zip(ids, entries, found, strict=True)
    ]
    now = datetime.now(UTC)
    connection = await (await session.connection()).get_raw_connection()
    driver = connection.driver_connection
    assert driver is not None
    await driver.copy_records_to_table(
        Proposal.__tablename__,
        columns=_PROPOSAL_COLUMNS,
        records=[
            (
                *(r[c] for c in _PROPOSAL_COLUMNS[:-3]),
                json.dumps(r["possible_duplicates"]) if r["possible_duplicates"] else None,
                now,
                now,
            )
            for r in rows
        ],
    )
    await driver.copy_records_to_table(
        ProposalVersion.__tablename__,
        columns=("proposal_id", "version", "title", "text"),
        records=[(r["id"], 1, r["title"], r["text"]) for r in rows],
    )
    return rows


_PROPOSAL_COLUMNS = (
    "id",
    "assembly_id",
    "axis",
    "competence",
    "title",
    "text",
    "support",
    "status",
    "version",
    "author_id",
    "possible_duplicates",
    "created_at",
    "updated_at",
)


async def get_proposal(
    session: AsyncSession, assembly: Assembly, proposal_id: uuid.UUID, *, lock: bool = False
) -> Proposal:
    proposal = await session.get(Proposal, proposal_id, with_for_update=lock)
    if proposal is None or proposal.assembly_id != assembly.id:
        raise NotFound(f"no proposal {proposal_id} in this assembly")
    return proposal


def _may_edit(actor: Actor, proposal: Proposal) -> None:
    if actor.role == "participant" and (
        actor.participant is None or proposal.author_id != actor.participant.id
    ):
        raise Forbidden("only the author or the secretary may change this proposal")


async def amend(
    session: AsyncSession,
    assembly: Assembly,
    actor: Actor,
    proposal_id: uuid.UUID,
    *,
    title: str | None,
    text: str,
    reason: str,
) -> Proposal:
    """A new text version; earlier versions stay readable."""
    require_not_closed(assembly)
    proposal = await get_proposal(session, assembly, proposal_id, lock=True)
    _may_edit(actor, proposal)
    if proposal.status in ("withdrawn", "rejected"):
        raise Conflict(f"a {proposal.status} proposal cannot be amended")
    proposal.version += 1
    proposal.text = text
    if title:
        proposal.title = title
    await session.execute(
        insert(ProposalVersion),
        [
            {
                "proposal_id": proposal.id,
                "version": proposal.version,
                "title": proposal.title,
                "text": text,
                "reason": reason,
            }
        ],
    )
    await session.flush()
    return proposal


async def withdraw(
    session: AsyncSession, assembly: Assembly, actor: Actor, proposal_id: uuid.UUID
) -> Proposal:
    require_not_closed(assembly)
    proposal = await get_proposal(session, assembly, proposal_id, lock=True)
    _may_edit(actor, proposal)
    if proposal.status not in ("submitted",):
        raise Conflict(f"a {proposal.status} proposal cannot be withdrawn")
    proposal.status = "withdrawn"
    await session.flush()
    return proposal


async def support(
    session: AsyncSession, assembly: Assembly, actor: Actor, proposal_id: uuid.UUID
) -> Proposal:
    """An online support: digital assemblies only, once per proposal, up to the cycle's limit."""
    require_not_closed(assembly)
    if assembly.kind != "digital":
        raise Conflict("online supports are for digital assemblies")
    if actor.participant is None:
        raise Forbidden("only a participant can support a proposal")
    require_a_vote(actor.participant, "support proposals")
    rules = await rules_for(session, assembly.cycle_id)
    proposal = await get_proposal(session, assembly, proposal_id, lock=True)
    if proposal.status != "submitted":
        raise Conflict(f"a {proposal.status} proposal cannot be supported")
    given = await session.scalar(
        select(func.count())
        .select_from(ProposalSupport)
        .where(ProposalSupport.participant_id == actor.participant.id)
    )
    if int(given or 0) >= rules.supports_per_participant:
        raise Conflict(f"each participant may support {rules.supports_per_participant} proposals")
    added = await session.scalar(
        pg_insert(ProposalSupport)
        .values(proposal_id=proposal.id, participant_id=actor.participant.id)
        .on_conflict_do_nothing()
        .returning(ProposalSupport.proposal_id)
    )
    if added is None:
        raise Conflict("you already support this proposal")
    proposal.support += 1
    await session.flush()
    return proposal


async def list_proposals(
    session: AsyncSession, assembly: Assembly, *, axis: str | None, limit: int, offset: int
) -> list[Proposal]:
    query = select(Proposal).where(Proposal.assembly_id == assembly.id)
    if axis:
        query = query.where(Proposal.axis == axis)
    rows = await session.scalars(query.order_by(Proposal.id).limit(limit).offset(offset))
    return list(rows.all())


async def authored_by(
    session: AsyncSession, assembly: Assembly, participant_id: uuid.UUID
) -> list[uuid.UUID]:
    """The proposals a participant submitted here, oldest first."""
    rows = await session.scalars(
        select(Proposal.id)
        .where(Proposal.assembly_id == assembly.id, Proposal.author_id == participant_id)
        .order_by(Proposal.id)
    )
    return list(rows)


async def versions(session: AsyncSession, proposal: Proposal) -> list[ProposalVersion]:
    rows = await session.scalars(
        select(ProposalVersion)
        .where(ProposalVersion.proposal_id == proposal.id)
        .order_by(ProposalVersion.version)
    )
    return list(rows.all())


async def similar_titles(
    session: AsyncSession, assembly: Assembly, axis: str, title: str, text: str
) -> list[str]:
    """The titles of the proposals here that a new one would be flagged as a possible
    duplicate of (the same finder and threshold as :func:`submit_many`), nothing written."""
    index = await _duplicate_index(session, assembly)
    [matches] = index.add_many(
        [ClusterItem("new", f"{title}. {text}", axis)], threshold=DUPLICATE_THRESHOLD
    )
    ids = [uuid.UUID(m.b) for m in matches]
    if not ids:
        return []
    rows = await session.scalars(select(Proposal.title).where(Proposal.id.in_(ids)))
    return list(rows)
