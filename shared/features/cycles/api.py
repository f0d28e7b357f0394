"""Cycle endpoints: every tier shows the rules it holds; the tiers below the national one may
have a cycle loaded by their operator (demo, tests); the national tier announces cycles."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from shared.contracts.http.cycles import CycleAnnounced, CycleText
from shared.core.cycle import CycleRules
from shared.features.cycles.service import Cycles
from shared.platform.web.auth import admin_guard


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
    guards = [admin_guard]

    @post("/", status_code=201)
    async def load(self, cycles: NamedDependency[Cycles], data: JSONBody[CycleText]) -> CycleRules:
        """Store a cycle's TOML rules here (normally they arrive from the national tier)."""
        return await cycles.load(data.rules_toml)

    @post("/presets/{name:str}", status_code=201)
    async def load_preset(self, cycles: NamedDependency[Cycles], name: FromPath[str]) -> CycleRules:
        """Store a packaged preset's rules here (demo, tests)."""
        return await cycles.load_preset(name)


class CycleAnnounceController(Controller):
    path = "/api/v1/cycles"
    tags = ["cycles"]
    guards = [admin_guard]

    @post("/announce", status_code=202)
    async def announce(
        self, cycles: NamedDependency[Cycles], data: JSONBody[CycleText]
    ) -> CycleAnnounced:
        """Store a cycle and announce its rules to every tier below."""
        return await cycles.announce(data.rules_toml)
