"""Drive a generated cycle through the real services over HTTP, as the people running it would.

Nothing is written into a tier's database. The national commission allocates seats to the states
and the state conveners to their municipal conferences; secretaries open assemblies, upload
proposals in bulk, register candidates, record the plenary's decisions, upload the priority
ballot files, run the delegate election and close; reports and mandates travel up over
JetStream by themselves; conveners credential delegates, merge duplicates and close the state
conferences; the council publishes the national result and answers every item, and the
answers travel back down. Counts in the summary are read back from the services.

Phases run one after another (a barrier between them) so each has its own time, which is what
`plenaria bench` reads; within a phase requests run with bounded concurrency.
"""

from __future__ import annotations

import time
from typing import Any

from shared.tools.simulation.consolidation import ConsolidationStage
from shared.tools.simulation.municipal import MunicipalStage
from shared.tools.simulation.session import (
    TIERS,
    Endpoints,
    Reporter,
    SilentReporter,
    SimulationError,
)
from shared.tools.simulation.summary import build_summary, stats_delta

__all__ = ["CycleDriver", "Endpoints", "Reporter", "SilentReporter", "SimulationError"]


class CycleDriver(MunicipalStage, ConsolidationStage):
    """Runs one scenario's cycle, phase by phase, and returns the summary."""

    async def run(self) -> dict[str, Any]:
        """Drive the whole cycle and return the summary (see :mod:`shared.tools.simulation.summary`)."""
        began = time.perf_counter()
        async with self._connected():
            before = {tier: await self.stats(tier) for tier in TIERS}
            self._before = before
            await self.staff()
            await self.announce_cycle()
            await self.open_assemblies()
            await self.allocate_seats()
            await self.submit_proposals()
            await self.decide_proposals()
            await self.prioritise()
            await self.elect_delegates()
            await self.close_assemblies()
            await self.await_messages("regional", "report", len(self.assemblies))
            await self.credential_state_delegates()
            await self.close_state_conferences()
            await self.await_messages("national", "report", len(self.scenario.ufs))
            await self.credential_national_delegates()
            await self.consolidate_nation()
            await self.answer_items()
            lineage = await self.check_lineage()
            equity = await self.check_equity()
            after = {tier: await self.stats(tier) for tier in TIERS}
        self.record.seconds["total"] = time.perf_counter() - began
        summary = build_summary(
            scale=self.scenario.scale,
            seed=self.scenario.seed,
            stats={tier: stats_delta(after[tier], before[tier]) for tier in TIERS},
            lineage=lineage,
            seconds=self.record.seconds,
            notes=self.record.notes,
        )
        summary["cycle_id"] = self.cycle_id
        summary["equity"] = equity
        summary["consolidation_seconds"] = {
            uf: round(s, 3) for uf, s in sorted(self.record.close_seconds.items())
        }
        summary["rows_sent"] = dict(self.record.rows)
        return summary
