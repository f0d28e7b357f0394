"""Use cases of the cycle store: read a cycle's rules, load one (operator, demo), announce one
(national tier)."""

from __future__ import annotations

from shared.contracts.http.cycles import CycleAnnounced
from shared.core.cycle import CycleRules
from shared.features.cycles import store
from shared.platform.bus.outbox import Outbox
from shared.platform.db.database import Database


class Cycles:
    def __init__(self, db: Database, outbox: Outbox) -> None:
        self.db = db
        self.outbox = outbox

    async def rules(self, cycle_id: str) -> CycleRules:
        async with self.db.reading() as session:
            return await store.rules_for(session, cycle_id)

    async def load(self, rules_toml: str) -> CycleRules:
        async with self.db.transaction() as session:
            return await store.store_cycle(session, rules_toml, source="operator")

    async def load_preset(self, name: str) -> CycleRules:
        async with self.db.transaction() as session:
            return await store.load_preset(session, name)

    async def announce(self, rules_toml: str) -> CycleAnnounced:
        async with self.db.transaction() as session:
            rules = await store.announce_cycle(session, self.outbox, rules_toml)
        return CycleAnnounced(cycle_id=rules.cycle_id, title=rules.title)
