"""The council answers received at this tier, as open data (every version)."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.messages import CouncilResponse
from shared.features.responses.model import ReceivedResponse
from shared.platform.web.open_data import Dataset, RowStream, row_of, scalars

RESPONSE_COLUMNS = (
    "response_id", "version", "national_item_id", "decision", "justification",
    "responsible_body", "instrument", "milestones", "answered_at",
)  # fmt: skip


async def _received(session: AsyncSession, filters: Mapping[str, str]) -> RowStream:
    query = select(ReceivedResponse).order_by(
        ReceivedResponse.response_id, ReceivedResponse.version
    )
    async for r in scalars(session, query):
        body = msgspec.convert(r.body, CouncilResponse)
        yield {
            **row_of(r, RESPONSE_COLUMNS),
            "justification": body.justification,
            "responsible_body": body.responsible_body,
            "instrument": body.instrument,
            "milestones": msgspec.to_builtins(body.milestones),
        }


RECEIVED_RESPONSES = Dataset(
    "responses", "council answers received here (every version)", RESPONSE_COLUMNS, _received
)
