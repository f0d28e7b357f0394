"""This tier's consolidation rules per cycle: stored as JSON, defaults when none were set."""

from __future__ import annotations

import msgspec
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.envelope import MessageError
from shared.contracts.messages import CycleAnnouncement
from shared.contracts.subjects import down_subject
from shared.core.consolidation import ConsolidationRules, rules_from_cycle
from shared.core.cycle import CycleRules, load_rules
from shared.core.errors import Invalid
from shared.core.territory import NATION
from shared.features.consolidation.model import CycleConsolidationRules
from shared.features.cycles.model import CycleRecord
from shared.platform.bus.outbox import Outbox


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


async def adopt_cycle(session: AsyncSession, cycle: CycleRules, tier: str) -> bool:
    """Take the announced cycle's defaults unless this tier already set its own rules."""
    if await session.get(CycleConsolidationRules, cycle.cycle_id) is not None:
        return False
    await set_rules(session, cycle.cycle_id, rules_from_cycle(cycle, tier))
    return True


async def announce_cycle(session: AsyncSession, outbox: Outbox, rules_toml: str) -> CycleRules:
    """The national tier announces a cycle to every tier below (and adopts its defaults)."""
    cycle = load_rules(rules_toml)
    await adopt_cycle(session, cycle, "national")
    body = CycleAnnouncement(cycle_id=cycle.cycle_id, title=cycle.title, rules_toml=rules_toml)
    await outbox.stage(session, body, down_subject("cycle", NATION))
    return cycle


async def on_cycle_announced(session: AsyncSession, body: CycleAnnouncement) -> None:
    """Regional handler: keep the cycle (the plenary reads its decision and delegate rules) and
    adopt its consolidation defaults; rules that do not parse are refused (dead-lettered)."""
    try:
        cycle = load_rules(body.rules_toml)
    except Invalid as exc:
        raise MessageError("invalid-rules", exc.detail) from exc
    if cycle.cycle_id != body.cycle_id:
        raise MessageError(
            "invalid-rules", f"announced {body.cycle_id}, rules say {cycle.cycle_id}"
        )
    values = {
        "cycle_id": cycle.cycle_id,
        "title": cycle.title,
        "rules_toml": body.rules_toml,
        "source": "bus",
    }
    await session.execute(
        insert(CycleRecord)
        .values(**values)
        .on_conflict_do_update(index_elements=[CycleRecord.cycle_id], set_=values)
    )
    await adopt_cycle(session, cycle, "regional")
