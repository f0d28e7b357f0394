"""Council answers arriving at the regional tier, attached through lineage.

A ``CouncilResponse`` names every local proposal its national item came from; each source item
here that carries one of them gets the answer once (primary key response × version × source),
so a redelivered or replayed message changes nothing.
"""

from __future__ import annotations

import msgspec
import structlog
from sqlalchemy import literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.messages import CouncilResponse
from shared.features.consolidation.model import ItemOrigin, ReceivedResponse, ResponseAttachment

log = structlog.get_logger(__name__)


async def attach_response(session: AsyncSession, response: CouncilResponse) -> int:
    """Store the answer and attach it to every source item carrying one of its origins."""
    await session.execute(
        insert(ReceivedResponse)
        .values(
            response_id=response.response_id,
            version=response.version,
            national_item_id=response.national_item_id,
            decision=response.decision,
            answered_at=response.answered_at,
            body=msgspec.to_builtins(response),
        )
        .on_conflict_do_nothing()
    )
    proposals = sorted({o.proposal_id for o in response.origins})
    if not proposals:
        return 0
    carriers = (
        select(
            literal(response.response_id),
            literal(response.version),
            ItemOrigin.source_item_id,
            literal(response.national_item_id),
        )
        .where(ItemOrigin.proposal_id.in_(proposals))
        .distinct()
    )
    result = await session.execute(
        insert(ResponseAttachment)
        .from_select(["response_id", "version", "source_item_id", "national_item_id"], carriers)
        .on_conflict_do_nothing()
    )
    attached = int(getattr(result, "rowcount", 0) or 0)
    log.info(
        "response.attached",
        response=response.response_id,
        version=response.version,
        source_items=attached,
    )
    return attached
