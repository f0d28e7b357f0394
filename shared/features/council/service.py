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
from shared.contracts.http.council import (
    Answer,
    AnswerSent,
    Assigned,
    MandateWeight,
    Published,
)
from shared.contracts.messages import CouncilResponse, Milestone, OriginRef, SourceRef
from shared.contracts.subjects import down_subject
from shared.core.access import Principal
from shared.core.consolidation import check_answer
from shared.core.errors import Conflict, Forbidden, NotFound
from shared.core.vocabulary import ACTIVE, NATION, CouncilDecision
from shared.features.consolidation.model import (
    ConsolidatedItem,
    ItemOrigin,
    ItemSource,
    ReceivedReport,
    SourceItem,
)
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
    origins: dict[str, OriginRef] = {}
    carried_by: dict[str, str] = {}
    for p, a, t, via in await session.execute(
        select(
            ItemOrigin.proposal_id,
            ItemOrigin.assembly_id,
            ItemOrigin.territory,
            ItemOrigin.source_item_id,
        )
        .join(ItemSource, ItemSource.source_item_id == ItemOrigin.source_item_id)
        .where(ItemSource.item_id == item_id)
        .order_by(ItemOrigin.proposal_id, ItemOrigin.source_item_id)
    ):
        origins.setdefault(p, OriginRef(proposal_id=p, assembly_id=a, territory=t))
        carried_by.setdefault(p, via)
    sources = [
        SourceRef(
            item_id=s.item_id,
            assembly_id=s.assembly_id,
            territory=s.territory,
            rank=s.rank,
            support=s.support,
            text=s.text,
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
        origins=list(origins.values()),
        cycle_id=item.cycle_id,
        item_title=item.title,
        item_text=item.text,
        axis=item.axis,
        sources=sources,
        council=item.council,
        carried_by=carried_by,
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


#: How the mandates list may be ordered (its column: larger first, except rank and title).
MANDATE_ORDERS = ("rank", "states", "municipalities", "participants", "proposals", "title")


async def mandate_weights(
    session: AsyncSession,
    *,
    councils: Sequence[str] | None,
    item_ids: Sequence[uuid.UUID] | None = None,
    order: str = "rank",
) -> list[MandateWeight]:
    """The published national items (of ``councils``, or all) with what stands behind each,
    in three set-based queries however many items there are."""
    query = select(ConsolidatedItem).where(
        ConsolidatedItem.uf == NATION,
        ConsolidatedItem.published_at.is_not(None),
        ConsolidatedItem.status == ACTIVE,
    )
    if councils is not None:
        query = query.where(ConsolidatedItem.council.in_(list(councils)))
    if item_ids is not None:
        query = query.where(ConsolidatedItem.id.in_(list(item_ids)))
    items = (await session.scalars(query)).all()
    ids = [i.id for i in items]
    if not ids:
        return []
    reports = (
        select(ItemSource.item_id, SourceItem.report_id, SourceItem.uf)
        .join(SourceItem, SourceItem.item_id == ItemSource.source_item_id)
        .where(ItemSource.item_id.in_(ids))
        .distinct()
        .subquery()
    )
    through: dict[uuid.UUID, tuple[int, int]] = {
        item_id: (int(states), int(participants or 0))
        for item_id, states, participants in await session.execute(
            select(
                reports.c.item_id,
                func.count(func.distinct(reports.c.uf)),
                func.sum(ReceivedReport.participants),
            )
            .join(ReceivedReport, ReceivedReport.report_id == reports.c.report_id)
            .group_by(reports.c.item_id)
        )
    }
    behind: dict[uuid.UUID, tuple[int, int]] = {
        item_id: (int(towns), int(proposals))
        for item_id, towns, proposals in await session.execute(
            select(
                ItemSource.item_id,
                func.count(func.distinct(func.left(ItemOrigin.territory, 7))),
                func.count(func.distinct(ItemOrigin.proposal_id)),
            )
            .join(ItemOrigin, ItemOrigin.source_item_id == ItemSource.source_item_id)
            .where(ItemSource.item_id.in_(ids))
            .group_by(ItemSource.item_id)
        )
    }
    latest: dict[uuid.UUID, tuple[str, int]] = {}
    for item_id, decision, version in await session.execute(
        select(CouncilAnswer.item_id, CouncilAnswer.decision, CouncilAnswer.version)
        .where(CouncilAnswer.item_id.in_(ids))
        .order_by(CouncilAnswer.item_id, CouncilAnswer.version)
    ):
        latest[item_id] = (decision, version)
    rows = [
        MandateWeight(
            item_id=str(i.id),
            cycle_id=i.cycle_id,
            axis=i.axis,
            title=i.title,
            text=i.text,
            rank=i.rank,
            score=i.score,
            council=i.council,
            states=through.get(i.id, (0, 0))[0],
            participants=through.get(i.id, (0, 0))[1],
            municipalities=behind.get(i.id, (0, 0))[0],
            proposals=behind.get(i.id, (0, 0))[1],
            decision=latest.get(i.id, ("", 0))[0],
            answer_version=latest.get(i.id, ("", 0))[1],
        )
        for i in items
    ]
    if order == "title":
        rows.sort(key=lambda r: (r.title.casefold(), r.item_id))
    elif order in MANDATE_ORDERS and order != "rank":
        rows.sort(key=lambda r: (-int(getattr(r, order)), r.axis, r.rank or 0, r.item_id))
    else:
        rows.sort(key=lambda r: (r.axis, r.rank is None, r.rank or 0, r.item_id))
    return rows


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

    async def mandates(self, principal: Principal, *, order: str = "rank") -> list[MandateWeight]:
        """The published items a person works on: their councils' (a council member), or all
        of them (the national commission), with their weight."""
        if principal.grant_for(["commission"], territory=NATION):
            councils: list[str] | None = None
        else:
            councils = sorted(
                {g.council for g in principal.grants if g.role == "council" and g.council}
            )
            if not councils:
                principal.require("council", "commission", territory=NATION)
                raise Forbidden("this needs the council or commission role")
        async with self.db.reading() as session:
            return await mandate_weights(session, councils=councils, order=order)

    async def mandate(self, item_id: uuid.UUID) -> MandateWeight:
        """One published item with its weight (public)."""
        async with self.db.reading() as session:
            found = await mandate_weights(session, councils=None, item_ids=[item_id])
        if not found:
            raise NotFound(f"no published item {item_id}")
        return found[0]

    async def answers(self, item_id: uuid.UUID) -> list[AnswerView]:
        async with self.db.reading() as session:
            return await given_answers(session, [item_id])
