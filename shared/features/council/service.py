"""The national tier's end of the cycle: publish the consolidated mandates, let council members
answer each item, and send every answer and update down to every origin.

Each answer is a new version of the item's response (``response_id`` is stable per item), staged
in the outbox with every local proposal the item came from, so each origin can show it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypeVar

import msgspec
import structlog
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.consolidation import AnswerView
from shared.contracts.http.council import (
    Answer,
    AnswerSent,
    Assigned,
    DraftSave,
    DraftsPublished,
    DraftView,
    MandateWeight,
    Published,
    RapporteurView,
)
from shared.contracts.messages import CouncilResponse, Milestone, OriginRef, SourceRef
from shared.contracts.subjects import down_subject
from shared.core.access import Principal
from shared.core.consolidation import check_answer
from shared.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from shared.core.vocabulary import ACTIVE, NATION, CouncilDecision
from shared.features.consolidation.model import (
    ConsolidatedItem,
    ItemOrigin,
    ItemSource,
    ReceivedReport,
    SourceItem,
)
from shared.features.consolidation.ranking import rank_items
from shared.features.council.model import CouncilAnswer, CouncilDraft, CouncilRapporteur
from shared.features.cycles.store import rules_for
from shared.features.identity.model import Account, RoleGrant
from shared.platform.bus.outbox import Outbox
from shared.platform.db.database import Database

#: A per-item table of the council's desk (rapporteur, draft).
DeskRow = TypeVar("DeskRow", CouncilRapporteur, CouncilDraft)

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


def check(decision: CouncilDecision, justification: str, milestones: Sequence[Milestone]) -> None:
    """What every answer must be, published or drafted (422 naming what is wrong)."""
    check_answer(decision, justification, ((m.title, m.due, m.progress) for m in milestones))


def answerable(item: ConsolidatedItem | None, item_id: uuid.UUID) -> ConsolidatedItem:
    """The item, if it is a published, active mandate assigned to a council (404/409 if not)."""
    if item is None:
        raise NotFound(f"no item {item_id}")
    if item.published_at is None or item.status != ACTIVE:
        raise Conflict("only published consolidated mandates can be answered")
    if not item.council:
        raise Conflict("the item is not assigned to a council yet")
    return item


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
    """Record the next version of the item's answer and send it to every origin; the item's
    draft, if any, is superseded by it and removed."""
    milestones = list(milestones or [])
    check(decision, justification, milestones)
    item = await session.get(ConsolidatedItem, item_id, with_for_update=True)
    if item is None:
        raise NotFound(f"no item {item_id}")
    if item.published_at is None or item.status != ACTIVE:
        raise Conflict("only published consolidated mandates can be answered")
    await session.execute(delete(CouncilDraft).where(CouncilDraft.item_id == item_id))
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
    desk: bool = False,
) -> list[MandateWeight]:
    """The published national items (of ``councils``, or all) with what stands behind each,
    in a few set-based queries however many items there are; ``desk`` adds each item's
    rapporteur and draft version (for the councils' own desk, never the public)."""
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
    rapporteurs: dict[uuid.UUID, tuple[str, str]] = {}
    drafts: dict[uuid.UUID, int] = {}
    if desk:
        rapporteurs = {
            r.item_id: (r.account_id, r.display_name)
            for r in await session.scalars(
                select(CouncilRapporteur).where(CouncilRapporteur.item_id.in_(ids))
            )
        }
        drafts = {
            item_id: int(version)
            for item_id, version in await session.execute(
                select(CouncilDraft.item_id, CouncilDraft.version).where(
                    CouncilDraft.item_id.in_(ids)
                )
            )
        }
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
            rapporteur_id=rapporteurs.get(i.id, ("", ""))[0],
            rapporteur=rapporteurs.get(i.id, ("", ""))[1],
            draft_version=drafts.get(i.id, 0),
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


def _unpublishable(
    item: ConsolidatedItem | None, item_id: uuid.UUID, draft: CouncilDraft | None
) -> str:
    """Why this item's draft cannot be published now ("" when it can)."""
    try:
        answerable(item, item_id)
        if draft is None:
            raise NotFound("the item has no draft")
        drafted = drafted_answer(draft)
        check(drafted.decision, drafted.justification, drafted.milestones)
    except DomainError as refusal:
        return refusal.detail
    return ""


def drafted_answer(d: CouncilDraft) -> Answer:
    """The answer a stored draft proposes (422 if it no longer reads as one)."""
    try:
        return msgspec.convert(
            {
                "decision": d.decision,
                "justification": d.justification,
                "responsible_body": d.responsible_body,
                "instrument": d.instrument,
                "milestones": d.milestones,
            },
            Answer,
        )
    except msgspec.ValidationError as wrong:
        raise Invalid(str(wrong)) from None


def draft_view(d: CouncilDraft) -> DraftView:
    return DraftView(
        item_id=str(d.item_id),
        council=d.council,
        version=d.version,
        decision=d.decision,
        justification=d.justification,
        responsible_body=d.responsible_body,
        instrument=d.instrument,
        milestones=msgspec.convert(d.milestones, list[Milestone]),
        updated_by=d.updated_by,
        updated_by_name=d.updated_by_name,
        updated_at=d.updated_at,
    )


def rapporteur_view(r: CouncilRapporteur) -> RapporteurView:
    return RapporteurView(
        item_id=str(r.item_id),
        council=r.council,
        account_id=r.account_id,
        name=r.display_name,
        assigned_by=r.assigned_by,
        assigned_at=r.assigned_at,
    )


def desk_of(principal: Principal, council: str) -> None:
    """The national commission, or a member of ``council`` (401/403 otherwise)."""
    if principal.grant_for(["commission"], territory=NATION) is None:
        principal.require("council", council=council)


async def council_members(
    session: AsyncSession, councils: Sequence[str]
) -> dict[str, list[tuple[str, str]]]:
    """The accounts holding a live grant of each council: ``(account id, name)``, by name."""
    members: dict[str, list[tuple[str, str]]] = {c: [] for c in councils}
    for council, account_id, name in await session.execute(
        select(RoleGrant.council, Account.id, Account.display_name)
        .join(Account, Account.id == RoleGrant.account_id)
        .where(
            RoleGrant.role == "council",
            RoleGrant.council.in_(list(councils)),
            RoleGrant.revoked_at.is_(None),
            Account.disabled_at.is_(None),
        )
        .distinct()
        .order_by(RoleGrant.council, Account.display_name, Account.id)
    ):
        members[council].append((str(account_id), name))
    return members


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
            if item.council != council:
                # The rapporteur and the draft belonged to the council the item leaves.
                for table in (CouncilRapporteur, CouncilDraft):
                    await session.execute(delete(table).where(table.item_id == item_id))
            item.council = council
            return Assigned(item_id=str(item_id), council=council)

    async def answer(self, principal: Principal, item_id: uuid.UUID, answer: Answer) -> AnswerSent:
        async with self.db.transaction() as session:
            item = answerable(await session.get(ConsolidatedItem, item_id), item_id)
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

    async def mandates(
        self, principal: Principal, *, order: str = "rank", mine: bool = False
    ) -> list[MandateWeight]:
        """The published items a person works on: their councils' (a council member), or all
        of them (the national commission), with their weight, rapporteur and draft; ``mine``:
        only the items they are the rapporteur of."""
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
            rows = await mandate_weights(session, councils=councils, order=order, desk=True)
        return [r for r in rows if r.rapporteur_id == principal.id] if mine else rows

    async def members(self, councils: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        """Who may be named rapporteur of an item of each council (its members)."""
        async with self.db.reading() as session:
            return await council_members(session, councils)

    async def name_rapporteur(
        self, principal: Principal, item_id: uuid.UUID, account_id: uuid.UUID
    ) -> RapporteurView:
        """Name the member of the item's council who drafts its answer (the commission, or a
        member of that council); 422 unless the account holds that council's grant."""
        async with self.db.transaction() as session:
            item = answerable(
                await session.get(ConsolidatedItem, item_id, with_for_update=True), item_id
            )
            desk_of(principal, item.council)
            members = dict((await council_members(session, [item.council]))[item.council])
            if str(account_id) not in members:
                raise Invalid(
                    f"account {account_id} does not hold a {item.council} council grant: "
                    "only a member of the item's council can be its rapporteur",
                    account_id=str(account_id),
                    council=item.council,
                )
            row = await session.scalar(
                select(CouncilRapporteur).where(CouncilRapporteur.item_id == item_id)
            )
            if row is None:
                row = CouncilRapporteur(item_id=item_id)
                session.add(row)
            row.council = item.council
            row.account_id = str(account_id)
            row.display_name = members[str(account_id)]
            row.assigned_by = principal.id
            row.assigned_at = datetime.now(UTC)
            await session.flush()
            log.info("rapporteur.named", item=str(item_id), council=item.council)
            return rapporteur_view(row)

    async def rapporteur(self, principal: Principal, item_id: uuid.UUID) -> RapporteurView:
        row = await self._desk_row(principal, item_id, CouncilRapporteur, "no rapporteur named")
        return rapporteur_view(row)

    async def _desk_row(
        self, principal: Principal, item_id: uuid.UUID, model: type[DeskRow], missing: str
    ) -> DeskRow:
        """The item's one ``model`` row, for its council's members and the commission only."""
        async with self.db.reading() as session:
            item = answerable(await session.get(ConsolidatedItem, item_id), item_id)
            desk_of(principal, item.council)
            row = await session.scalar(select(model).where(model.item_id == item_id))
            if row is None:
                raise NotFound(f"{missing} for item {item_id}")
            return row

    async def save_draft(
        self, principal: Principal, item_id: uuid.UUID, draft: DraftSave
    ) -> DraftView:
        """Save the item's draft answer in place (a member of its council), checked exactly as
        a published answer is, never published; 409 when ``draft.version`` is not the
        draft's current version (someone saved it since)."""
        check(draft.decision, draft.justification, draft.milestones)
        async with self.db.transaction() as session:
            item = answerable(
                await session.get(ConsolidatedItem, item_id, with_for_update=True), item_id
            )
            principal.require("council", council=item.council)
            row = await session.scalar(select(CouncilDraft).where(CouncilDraft.item_id == item_id))
            current = row.version if row is not None else 0
            if draft.version != current:
                raise Conflict(
                    f"the draft is at version {current} and this edit was made on version "
                    f"{draft.version}: someone saved it meanwhile; reload it and edit again",
                    version=current,
                )
            if row is None:
                row = CouncilDraft(item_id=item_id, version=0)
                session.add(row)
            row.council = item.council
            row.version = current + 1
            row.decision = draft.decision
            row.justification = draft.justification
            row.responsible_body = draft.responsible_body
            row.instrument = draft.instrument
            row.milestones = [msgspec.to_builtins(m) for m in draft.milestones]
            row.updated_by = principal.id
            row.updated_by_name = principal.name
            row.updated_at = datetime.now(UTC)
            await session.flush()
            log.info("draft.saved", item=str(item_id), version=row.version)
            return draft_view(row)

    async def draft(self, principal: Principal, item_id: uuid.UUID) -> DraftView:
        """The item's draft (its council's members and the commission only)."""
        return draft_view(await self._desk_row(principal, item_id, CouncilDraft, "no draft"))

    async def draft_if_any(self, principal: Principal, item_id: uuid.UUID) -> DraftView | None:
        try:
            return await self.draft(principal, item_id)
        except (NotFound, Conflict):
            return None

    async def publish_drafts(
        self, principal: Principal, item_ids: Sequence[uuid.UUID]
    ) -> DraftsPublished:
        """Publish the drafts of ``item_ids`` as answers, all in one transaction or none: each
        becomes the item's next answer version through :func:`answer_item` (the same checks,
        outbox and versions; it flows down to every origin). 403 naming the items of a council
        the caller is not a member of; 422 listing every item that has no valid draft, and
        why."""
        if principal.anonymous:
            principal.require("council")
        wanted = list(dict.fromkeys(item_ids))
        async with self.db.transaction() as session:
            items = {
                i.id: i
                for i in await session.scalars(
                    select(ConsolidatedItem)
                    .where(ConsolidatedItem.id.in_(wanted))
                    .order_by(ConsolidatedItem.id)
                    .with_for_update()
                )
            }
            drafts = {
                d.item_id: d
                for d in await session.scalars(
                    select(CouncilDraft).where(CouncilDraft.item_id.in_(wanted))
                )
            }
            foreign = [
                str(i)
                for i in wanted
                if i in items
                and items[i].council
                and principal.grant_for(["council"], council=items[i].council) is None
            ]
            if foreign:
                raise Forbidden(
                    "your council role does not reach these items: nothing was published",
                    items=foreign,
                )
            failing: list[dict[str, str]] = []
            for item_id in wanted:
                reason = _unpublishable(items.get(item_id), item_id, drafts.get(item_id))
                if reason:
                    failing.append({"item_id": str(item_id), "reason": reason})
            if failing:
                raise Invalid(
                    f"{len(failing)} of {len(wanted)} drafts cannot be published, so none was",
                    items=failing,
                )
            published: list[AnswerSent] = []
            for item_id in wanted:
                drafted = drafted_answer(drafts[item_id])
                published.append(
                    await answer_item(
                        session,
                        self.outbox,
                        item_id=item_id,
                        member=principal,
                        decision=drafted.decision,
                        justification=drafted.justification,
                        responsible_body=drafted.responsible_body,
                        instrument=drafted.instrument,
                        milestones=list(drafted.milestones),
                    )
                )
            log.info("drafts.published", items=len(published))
            return DraftsPublished(published=published)

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
