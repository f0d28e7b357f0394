"""The councils' answers given at the national tier, as open data (every version)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.features.council.model import CouncilAnswer
from shared.features.responses.open_data import RESPONSE_COLUMNS
from shared.platform.web.open_data import Dataset, RowStream, row_of, scalars


async def _given(session: AsyncSession, filters: Mapping[str, str]) -> RowStream:
    query = select(CouncilAnswer).order_by(CouncilAnswer.response_id, CouncilAnswer.version)
    async for a in scalars(session, query):
        yield {**row_of(a, RESPONSE_COLUMNS), "national_item_id": str(a.item_id)}


GIVEN_RESPONSES = Dataset("responses", "council answers (every version)", RESPONSE_COLUMNS, _given)
