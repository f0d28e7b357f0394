"""The cycle store every tier reads its rules from (one table, ``cycle_rules``).

The national tier stores a cycle as it announces it; the tiers below store it as the
announcement arrives (or an operator loads a packaged preset for a demo). Rules are parsed once
per stored text and re-read only when the row's version changes, so a request pays one cheap
version check instead of a TOML parse.
"""

from __future__ import annotations

import functools

from sqlalchemy import String, bindparam, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.envelope import MessageError
from shared.contracts.messages import CycleAnnouncement
from shared.contracts.subjects import down_subject
from shared.core.cycle import PRESETS, CycleRules, load_rules, preset_text
from shared.core.errors import Invalid, NotFound
from shared.core.vocabulary import NATION
from shared.features.cycles.model import CycleRecord
from shared.platform.bus.inbox import Delivery
from shared.platform.bus.outbox import Outbox

#: Parsed rules by cycle id, with the TOML text they were parsed from. A stored cycle is
#: immutable unless re-stored; ``store_cycle`` drops the entry, and a text that differs from the
#: cached one (re-stored by another process) is parsed again.
_parsed: dict[str, tuple[str, CycleRules]] = {}

#: Rules by cycle id, with the version of the row they were read from. Every write of a row
#: (a re-store, by any process) gives it a new ``xmin``; with the text's length that is the row
#: version, so a request asks for the version only and fetches the text when it changed.
_current: dict[str, tuple[str, CycleRules]] = {}

_VERSION = literal_column(
    "cycle_rules.xmin::text || ':' || octet_length(cycle_rules.rules_toml)", String()
)
_VERSION_OF = select(_VERSION).where(CycleRecord.cycle_id == bindparam("cycle_id"))
_TEXT_OF = select(CycleRecord.rules_toml, _VERSION).where(
    CycleRecord.cycle_id == bindparam("cycle_id")
)


async def store_cycle(session: AsyncSession, rules_toml: str, *, source: str) -> CycleRules:
    """Validate and store (or replace) a cycle's rules."""
    rules = load_rules(rules_toml)
    _parsed.pop(rules.cycle_id, None)
    _current.pop(rules.cycle_id, None)
    values = {
        "cycle_id": rules.cycle_id,
        "title": rules.title,
        "rules_toml": rules_toml,
        "source": source,
    }
    await session.execute(
        insert(CycleRecord)
        .values(**values)
        .on_conflict_do_update(index_elements=[CycleRecord.cycle_id], set_=values)
    )
    return rules


async def apply_announcement(session: AsyncSession, delivery: Delivery) -> None:
    """Bus handler for kind "cycle"; rules that do not decode are dead-lettered."""
    body = delivery.body
    if not isinstance(body, CycleAnnouncement):
        raise MessageError("unexpected-body", type(body).__name__)
    try:
        rules = await store_cycle(session, body.rules_toml, source="bus")
    except Invalid as exc:
        raise MessageError("invalid-rules", exc.detail) from exc
    if rules.cycle_id != body.cycle_id:
        raise MessageError(
            "invalid-rules", f"announced {body.cycle_id}, rules say {rules.cycle_id}"
        )


async def announce_cycle(session: AsyncSession, outbox: Outbox, rules_toml: str) -> CycleRules:
    """National: store a cycle and announce it to every tier below, in one transaction."""
    rules = await store_cycle(session, rules_toml, source="announced")
    body = CycleAnnouncement(cycle_id=rules.cycle_id, title=rules.title, rules_toml=rules_toml)
    await outbox.stage(session, body, down_subject("cycle", NATION))
    return rules


async def load_preset(session: AsyncSession, name: str) -> CycleRules:
    return await store_cycle(session, preset_text(name), source="preset")


async def rules_for(session: AsyncSession, cycle_id: str) -> CycleRules:
    """The stored rules of a cycle; a cycle nobody announced yet falls back to the packaged
    preset of the same id, so a demo runs before the national tier speaks."""
    cached = _current.get(cycle_id)
    if cached is not None:
        version = await session.scalar(_VERSION_OF, {"cycle_id": cycle_id})
        if version == cached[0]:
            return cached[1]
    row = (await session.execute(_TEXT_OF, {"cycle_id": cycle_id})).first()
    if row is not None:
        text, version = row
        rules = _parse(cycle_id, text)
        _current[cycle_id] = (version, rules)
        return rules
    _current.pop(cycle_id, None)
    for name in PRESETS:
        rules = _parse_preset(name)
        if rules.cycle_id == cycle_id:
            return rules
    raise NotFound(f"no cycle {cycle_id!r} has been announced")


def _parse(cycle_id: str, text: str) -> CycleRules:
    """The rules of ``text``, parsed once per distinct text of a cycle."""
    cached = _parsed.get(cycle_id)
    if cached is not None and cached[0] == text:
        return cached[1]
    rules = load_rules(text)
    _parsed[cycle_id] = (text, rules)
    return rules


@functools.cache
def _parse_preset(name: str) -> CycleRules:
    return load_rules(preset_text(name))
