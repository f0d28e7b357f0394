"""This tier's consolidation rules per cycle: stored as JSON, defaults when none were set."""

from __future__ import annotations

import msgspec
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models.consolidation import CycleConsolidationRules
from shared.domain.consolidation import ConsolidationRules


async def rules_for(session: AsyncSession, cycle_id: str) -> ConsolidationRules:
    row = await session.get(CycleConsolidationRules, cycle_id)
    if row is None:
        return ConsolidationRules()
    return msgspec.convert(row.rules, ConsolidationRules)


async def set_rules(session: AsyncSession, cycle_id: str, rules: ConsolidationRules) -> None:
    data = msgspec.to_builtins(rules)
    await session.execute(
        insert(CycleConsolidationRules)
        .values(cycle_id=cycle_id, rules=data)
        .on_conflict_do_update(index_elements=["cycle_id"], set_={"rules": data})
    )
