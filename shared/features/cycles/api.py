"""Cycle endpoints: every tier shows the rules it holds; the tiers below the national one may
have a cycle loaded by their operator (demo, tests); the national tier announces cycles."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from shared.contracts.http.cycles import CycleAnnounced, CycleText
from shared.core.access import Principal
from shared.core.cycle import CycleRules
from shared.core.vocabulary import NATION
from shared.features.cycles.service import Cycles
from shared.platform.web.auth import allow


class CycleController(Controller):
    path = "/api/v1/cycles"
    tags = ["cycles"]

    @get("/{cycle_id:str}")
    async def show(self, cycles: NamedDependency[Cycles], cycle_id: FromPath[str]) -> CycleRules:
        """The rules of a cycle as this tier holds them (public)."""
        return await cycles.rules(cycle_id)


class CycleLoadController(Controller):
    path = "/api/v1/cycles"
    tags = ["cycles"]

    @post("/", status_code=201, **allow("operator"))
    async def load(self, cycles: NamedDependency[Cycles], data: JSONBody[CycleText]) -> CycleRules:
        """Store a cycle's TOML rules here when the national tier's announcement cannot arrive
        (an operator's recovery step; normally cycles come down the bus)."""
        return await cycles.load(data.rules_toml)

    @post("/presets/{name:str}", status_code=201, **allow("operator"))
    async def load_preset(self, cycles: NamedDependency[Cycles], name: FromPath[str]) -> CycleRules:
        """Store a packaged preset's rules here (demo, tests)."""
        return await cycles.load_preset(name)


class CycleAnnounceController(Controller):
    path = "/api/v1/cycles"
    tags = ["cycles"]

    @post("/announce", status_code=202, **allow("commission"))
    async def announce(
        self,
        cycles: NamedDependency[Cycles],
        principal: NamedDependency[Principal],
        data: JSONBody[CycleText],
    ) -> CycleAnnounced:
        """The national commission stores a cycle and announces its rules to every tier below."""
        principal.require("commission", territory=NATION)
        return await cycles.announce(data.rules_toml)
