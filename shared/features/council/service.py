"""The national tier's end of the cycle: publish the consolidated mandates, let council members
answer each item, and send every answer and update down to every origin.

Each answer is a new version of the item's response (``response_id`` is stable per item), staged
in the outbox with every local proposal the item came from, so each origin can show it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import msgspec
import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.consolidation import AnswerView
from shared.contracts.http.council import Answer, AnswerSent, MemberIssued, Published
from shared.contracts.messages import CouncilResponse, Milestone, OriginRef, SourceRef
from shared.contracts.subjects import down_subject
from shared.core.consolidation import check_answer
from shared.core.errors import Conflict, Forbidden, NotFound
from shared.core.vocabulary import ACTIVE, NATION, CouncilDecision
from shared.features.consolidation.model import ConsolidatedItem, ItemOrigin, ItemSource, SourceItem
from shared.features.consolidation.ranking import rank_items
from shared.features.council.model import CouncilAnswer, CouncilMember
from shared.features.cycles.store import rules_for
from shared.platform.bus.outbox import Outbox
from shared.platform.db.database import Database

log = structlog.get_logger(__name__)


def answer_view(a: CouncilAnswer, *, item_title: str = "") -> AnswerView:
    """A council answer given at this (the national) tier."""
    return AnswerView(
        response_id=a.response_id,
        version=a.version,
        national_item_id=str(a.item_id),
        decision=a.decision,
        justification=a.justification,
        responsible_body=a.responsible_body,
        instrument=a.instrument,
        milestones=msgspec.convert(a.milestones, list[Milestone]),
        answered_at=a.answered_at,
        item_title=item_title,
    )


async def given_answers(session: AsyncSession, item_ids: Sequence[uuid.UUID]) -> list[AnswerView]:
    """The answers the councils gave here to these items, every version (the national view)."""
    rows = await session.execute(
        select(CouncilAnswer, ConsolidatedItem.title)
        .join(ConsolidatedItem, ConsolidatedItem.id == CouncilAnswer.item_id)
        .where(CouncilAnswer.item_id.in_(list(item_ids)))
        .order_by(CouncilAnswer.response_id, CouncilAnswer.version)
    )
    return [answer_view(a, item_title=title) for a, title in rows]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_member(
    session: AsyncSession, *, name: str, council: str
) -> tuple[CouncilMember, str]:
    """A new council member and their bearer token (shown once; only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    member = CouncilMember(name=name, council=council, token_sha256=token_digest(token))
    session.add(member)
    await session.flush()
    return member, token


async def member_for_token(session: AsyncSession, token: str) -> CouncilMember:
    member = await session.scalar(
        select(CouncilMember).where(CouncilMember.token_sha256 == token_digest(token))
    )
    if member is None or member.revoked_at is not None:
        raise Forbidden("this endpoint needs a council member's token")
    return member


async def publish_mandates(session: AsyncSession, *, cycle_id: str) -> Published:
    """The national final result becomes the consolidated mandates: ranked, then published —
    every active item, or the first ``priority.top_n`` of each axis when the cycle sets it."""
    rules = await rules_for(session, cycle_id)
    await rank_items(session, cycle_id=cycle_id, uf=NATION, rules=rules)
    chosen = (
        ConsolidatedItem.cycle_id == cycle_id,
        ConsolidatedItem.uf == NATION,
        ConsolidatedItem.status == ACTIVE,
        ConsolidatedItem.published_at.is_(None),
    )
    top_n = rules.priority.top_n
    limit = () if top_n is None else (ConsolidatedItem.rank <= top_n,)
    result = await session.execute(
        update(ConsolidatedItem)
        .where(*chosen, *limit)
        .values(published_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    published = int(getattr(result, "rowcount", 0) or 0)
    if not published:
        raise NotFound(f"nothing to publish for {cycle_id}")
    log.info("mandates.published", cycle=cycle_id, items=published)
    return Published(cycle_id=cycle_id, published=published)


async def answer_item(
    session: AsyncSession,
    outbox: Outbox,
    *,
    item_id: uuid.UUID,
    member: CouncilMember,
    decision: CouncilDecision,
    justification: str = "",
    responsible_body: str = "",
    instrument: str = "",
    milestones: list[Milestone] | None = None,
) -> AnswerSent:
    """Record the next version of the item's answer and send it to every origin."""
    milestones = list(milestones or [])
    check_answer(decision, justification, (m.progress for m in milestones))
    item = await session.get(ConsolidatedItem, item_id, with_for_update=True)
    if item is None:
        raise NotFound(f"no item {item_id}")
    if item.published_at is None or item.status != ACTIVE:
        raise Conflict("only published consolidated mandates can be answered")
    previous = (
        await session.execute(
            select(CouncilAnswer.response_id, func.max(CouncilAnswer.version))
            .where(CouncilAnswer.item_id == item_id)
            .group_by(CouncilAnswer.response_id)
        )
    ).first()
    response_id = previous[0] if previous else str(uuid.uuid4())
    version = (previous[1] if previous else 0) + 1
    now = datetime.now(UTC)
    origins = [
        OriginRef(proposal_id=p, assembly_id=a, territory=t)
        for p, a, t in await session.execute(
            select(ItemOrigin.proposal_id, ItemOrigin.assembly_id, ItemOrigin.territory)
            .join(ItemSource, ItemSource.source_item_id == ItemOrigin.source_item_id)
            .where(ItemSource.item_id == item_id)
            .distinct()
            .order_by(ItemOrigin.proposal_id)
        )
    ]
    sources = [
        SourceRef(
            item_id=s.item_id,
            assembly_id=s.assembly_id,
            territory=s.territory,
            rank=s.rank,
            support=s.support,
        )
        for s in await session.scalars(
            select(SourceItem)
            .join(ItemSource, ItemSource.source_item_id == SourceItem.item_id)
            .where(ItemSource.item_id == item_id)
        )
    ]
    body = CouncilResponse(
        response_id=response_id,
        national_item_id=str(item_id),
        version=version,
        decision=decision,
        justification=justification,
        responsible_body=responsible_body,
        instrument=instrument,
        milestones=milestones,
        answered_at=now,
        origins=origins,
        cycle_id=item.cycle_id,
        item_title=item.title,
        item_text=item.text,
        axis=item.axis,
        sources=sources,
        council=member.council,
    )
    message_id = await outbox.stage(session, body, down_subject("response", NATION))
    answer = CouncilAnswer(
        response_id=response_id,
        version=version,
        item_id=item_id,
        member_id=member.id,
        decision=decision,
        justification=justification,
        responsible_body=responsible_body,
        instrument=instrument,
        milestones=[msgspec.to_builtins(m) for m in milestones],
        answered_at=now,
        message_id=message_id,
    )
    session.add(answer)
    await session.flush()
    log.info("response.sent", item=str(item_id), version=version, origins=len(origins))
    view = answer_view(answer, item_title=item.title)
    return AnswerSent(**msgspec.structs.asdict(view), origins=len(origins))


class Council:
    """The national councils' use cases, each in its own transaction."""

    def __init__(self, db: Database, outbox: Outbox) -> None:
        self.db = db
        self.outbox = outbox

    async def add_member(self, *, name: str, council: str) -> MemberIssued:
        async with self.db.transaction() as session:
            member, token = await issue_member(session, name=name, council=council)
            return MemberIssued(
                id=str(member.id), name=member.name, council=member.council, token=token
            )

    async def member(self, token: str) -> CouncilMember:
        async with self.db.reading() as session:
            return await member_for_token(session, token)

    async def publish(self, *, cycle_id: str) -> Published:
        async with self.db.transaction() as session:
            return await publish_mandates(session, cycle_id=cycle_id)

    async def answer(self, item_id: uuid.UUID, member: CouncilMember, answer: Answer) -> AnswerSent:
        async with self.db.transaction() as session:
            return await answer_item(
                session,
                self.outbox,
                item_id=item_id,
                member=await session.merge(member),
                decision=answer.decision,
                justification=answer.justification,
                responsible_body=answer.responsible_body,
                instrument=answer.instrument,
                milestones=list(answer.milestones),
            )

    async def answers(self, item_id: uuid.UUID) -> list[AnswerView]:
        async with self.db.reading() as session:
            item = await session.get(ConsolidatedItem, item_id)
            rows = await session.scalars(
                select(CouncilAnswer)
                .where(CouncilAnswer.item_id == item_id)
                .order_by(CouncilAnswer.version)
            )
            title = item.title if item else ""
            return [answer_view(a, item_title=title) for a in rows]
