"""The national tier's end of the cycle: publish the consolidated mandates, let council members
answer each item, and send every answer and update down to every origin.

Each answer is a new version of the item's response (``response_id`` is stable per item), staged
in the outbox with every local proposal the item came from, so each origin can show it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.messages import CouncilResponse, Milestone, OriginRef, SourceRef
from shared.contracts.subjects import down_subject
from shared.core.consolidation import Decision, check_answer
from shared.core.errors import Conflict, Forbidden, NotFound
from shared.features.consolidation.actions import ACTIVE
from shared.features.consolidation.lineage import answer_view
from shared.features.consolidation.model import ConsolidatedItem, ItemOrigin, ItemSource, SourceItem
from shared.features.consolidation.ranking import rank_items
from shared.features.council.model import CouncilAnswer, CouncilMember
from shared.features.cycles.consolidation_rules import rules_for
from shared.platform.bus.outbox import Outbox

log = structlog.get_logger(__name__)
NATION = "BR"


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


async def publish_mandates(session: AsyncSession, *, cycle_id: str) -> dict[str, Any]:
    """The national final result becomes the consolidated mandates: ranked, then published."""
    rules = await rules_for(session, cycle_id)
    await rank_items(session, cycle_id=cycle_id, uf=NATION, rules=rules)
    result = await session.execute(
        update(ConsolidatedItem)
        .where(
            ConsolidatedItem.cycle_id == cycle_id,
            ConsolidatedItem.uf == NATION,
            ConsolidatedItem.status == ACTIVE,
            ConsolidatedItem.published_at.is_(None),
        )
        .values(published_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    published = int(getattr(result, "rowcount", 0) or 0)
    if not published:
        raise NotFound(f"nothing to publish for {cycle_id}")
    log.info("mandates.published", cycle=cycle_id, items=published)
    return {"cycle_id": cycle_id, "published": published}


async def answer_item(
    session: AsyncSession,
    outbox: Outbox,
    *,
    item_id: uuid.UUID,
    member: CouncilMember,
    decision: Decision,
    justification: str = "",
    responsible_body: str = "",
    instrument: str = "",
    milestones: list[Milestone] | None = None,
) -> dict[str, Any]:
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
    return {**answer_view(answer), "origins": len(origins)}
