"""The one path a council's answer takes at every tier below the national one.

A ``CouncilResponse`` names every local proposal its national item came from. Each tier keeps
the answer once per version and attaches it to each of those proposals it holds (the tier says
which: its own proposals at the local tier, the proposals its items carry at the regional
tier). Primary keys make a redelivered or replayed answer change nothing; a newer version is
kept beside the older ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import msgspec
import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.envelope import MessageError
from shared.contracts.messages import CouncilResponse
from shared.features.responses.model import ReceivedResponse, ResponseAttachment
from shared.platform.bus.inbox import Delivery, Handler

log = structlog.get_logger(__name__)

#: Which of these local proposal ids this tier holds.
HeldProposals = Callable[[AsyncSession, Sequence[str]], Awaitable[Sequence[str]]]


async def attach(session: AsyncSession, response: CouncilResponse, held: HeldProposals) -> int:
    """Store the answer and attach it to every origin proposal held here; how many."""
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
    wanted = sorted({o.proposal_id for o in response.origins})
    here = sorted(set(await held(session, wanted))) if wanted else []
    if here:
        await session.execute(
            insert(ResponseAttachment)
            .values(
                [
                    {
                        "response_id": response.response_id,
                        "version": response.version,
                        "proposal_id": proposal_id,
                        "national_item_id": response.national_item_id,
                    }
                    for proposal_id in here
                ]
            )
            .on_conflict_do_nothing()
        )
    log.info(
        "response.attached",
        response=response.response_id,
        version=response.version,
        proposals=len(here),
    )
    return len(here)


def response_handler(held: HeldProposals) -> Handler:
    """The bus handler for kind ``response`` at a tier that holds proposals as ``held`` says."""

    async def on_response(session: AsyncSession, delivery: Delivery) -> None:
        if not isinstance(delivery.body, CouncilResponse):
            raise MessageError("unexpected-body", type(delivery.body).__name__)
        await attach(session, delivery.body, held)

    return on_response


async def answers_for(session: AsyncSession, proposal_ids: Sequence[str]) -> list[ReceivedResponse]:
    """Every version of every answer attached to these proposals, oldest first."""
    if not proposal_ids:
        return []
    rows = await session.scalars(
        select(ReceivedResponse)
        .join(
            ResponseAttachment,
            (ResponseAttachment.response_id == ReceivedResponse.response_id)
            & (ResponseAttachment.version == ReceivedResponse.version),
        )
        .where(ResponseAttachment.proposal_id.in_(list(proposal_ids)))
        .distinct()
        .order_by(ReceivedResponse.response_id, ReceivedResponse.version)
    )
    return list(rows.all())
