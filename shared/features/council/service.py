"""The national tier's end of the cycle: publish the consolidated mandates, let council members
answer each item, and send every answer and update down to every origin.

Each answer is a new version of the item's response (``response_id`` is stable per item), staged
in the outbox with every local proposal the item came from, so each origin can show it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import msgspec
import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.consolidation import AnswerView
from shared.contracts.http.council import Answer, AnswerSent, Assigned, Published
from shared.contracts.messages import CouncilResponse, Milestone, OriginRef, SourceRef
from shared.contracts.subjects import down_subject
from shared.core.access import Principal
from shared.core.consolidation import check_answer
from shared.core.errors import Conflict, NotFound
from shared.core.vocabulary import ACTIVE, NATION, CouncilDecision
from shared.features.consolidation.model import ConsolidatedItem, ItemOrigin, ItemSource, SourceItem
from shared.features.consolidation.ranking import rank_items
from shared.features.council.model import CouncilAnswer
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


async def publish_mandates(session: AsyncSession, *, cycle_id: str, council: str) -> Published:
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
        .values(published_at=datetime.now(UTC), council=council)
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
    member: Principal,
    decision: CouncilDecision,
    justification: str = "",
    responsible_body: str = "",
    instrument: str = "",
    milestones: list[Milestone] | None = None,
) -> AnswerSent:
    """Record the next version of the item's answer and send it to every origin."""
    milestones = list(milestones or [])
    check_answer(decision, justification, ((m.title, m.due, m.progress) for m in milestones))
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
        council=item.council,
    )
    message_id = await outbox.stage(session, body, down_subject("response", NATION))
    answer = CouncilAnswer(
        response_id=response_id,
        version=version,
        item_id=item_id,
        answered_by=member.id,
        council=item.council,
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
    """The national councils' use cases, each in its own transaction. The national commission
    publishes the consolidated mandates and assigns each to the council that must answer it;
    only that council's members answer it."""

    def __init__(self, db: Database, outbox: Outbox) -> None:
        self.db = db
        self.outbox = outbox

    async def publish(self, principal: Principal, *, cycle_id: str, council: str) -> Published:
        principal.require("commission", territory=NATION)
        async with self.db.transaction() as session:
            return await publish_mandates(session, cycle_id=cycle_id, council=council)

    async def assign(self, principal: Principal, item_id: uuid.UUID, council: str) -> Assigned:
        """Send a published item to the council that must answer it (before any answer)."""
        principal.require("commission", territory=NATION)
        async with self.db.transaction() as session:
            item = await session.get(ConsolidatedItem, item_id, with_for_update=True)
            if item is None or item.published_at is None:
                raise NotFound(f"no published item {item_id}")
            answered = await session.scalar(
                select(CouncilAnswer.id).where(CouncilAnswer.item_id == item_id).limit(1)
            )
            if answered is not None and item.council != council:
                raise Conflict("the item was answered already: its council stays")
            item.council = council
            return Assigned(item_id=str(item_id), council=council)

    async def answer(self, principal: Principal, item_id: uuid.UUID, answer: Answer) -> AnswerSent:
        async with self.db.transaction() as session:
            item = await session.get(ConsolidatedItem, item_id)
            if item is None:
                raise NotFound(f"no item {item_id}")
            if not item.council:
                raise Conflict("the item is not assigned to a council yet")
            principal.require("council", council=item.council)
            return await answer_item(
                session,
                self.outbox,
                item_id=item_id,
                member=principal,
                decision=answer.decision,
                justification=answer.justification,
                responsible_body=answer.responsible_body,
                instrument=answer.instrument,
                milestones=list(answer.milestones),
            )

    async def answers(self, item_id: uuid.UUID) -> list[AnswerView]:
        async with self.db.reading() as session:
            return await given_answers(session, [item_id])
