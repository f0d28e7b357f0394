"""Which municipalities take part at a given scale, and how many people and proposals each has.

Participation and proposals are proportional to population with log-normal noise, calibrated on
a health cycle: about 2 million participants (≈1 % of the population), 100–120 thousand local
proposals and one priority ballot per participant who stays to vote. Per-assembly details
(proposal texts, participants) are drawn lazily from a seed of their own, so the same seed
gives the same cycle whatever order or concurrency the driver uses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from shared.tools.simulation.census import FederativeUnit
from shared.tools.simulation.people import ParticipantDraft, draft_participants
from shared.tools.simulation.population import Municipality, apportion_exact, municipalities_of
from shared.tools.simulation.texts import ProposalDraft, draft_proposals

Scale = Literal["tiny", "state", "brazil"]
SCALES: tuple[Scale, ...] = ("tiny", "state", "brazil")

PARTICIPATION_RATE = 2_000_000 / 203_062_512
PROPOSAL_RATE = 110_000 / 203_062_512
MIN_PARTICIPANTS = 15
MIN_PROPOSALS = 3
MAX_PROPOSALS = 400
#: The states of the ``tiny`` scale (small, so a test runs in seconds) and of ``state``.
TINY_UFS = ("AC", "AP", "RR")
TINY_PER_UF = 3
STATE_UF = "SP"
CYCLE_ID = "cns-sim"


@dataclass(frozen=True, slots=True)
class AssemblyPlan:
    """One municipal conference of the simulated cycle."""

    municipality: Municipality
    participants: int
    proposals: int
    ballots: int
    seed: str

    @property
    def uf(self) -> str:
        return self.municipality.uf

    @property
    def title(self) -> str:
        return f"Conferência Municipal de Saúde de {self.municipality.name}"

    def proposal_drafts(self) -> list[ProposalDraft]:
        rng = random.Random(f"{self.seed}:proposals")
        return draft_proposals(self.proposals, self.participants, self.municipality.name, rng)

    def participant_drafts(self, limit: int | None = None) -> list[ParticipantDraft]:
        """The assembly's participants (the first ``limit`` of them: candidates, say)."""
        rng = random.Random(f"{self.seed}:participants")
        return draft_participants(self.participants, rng, limit)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A whole simulated cycle: the states involved and their municipal conferences."""

    scale: str
    seed: int
    cycle_id: str
    units: list[FederativeUnit]
    assemblies: list[AssemblyPlan]

    @property
    def ufs(self) -> list[str]:
        return [unit.uf for unit in self.units]

    def by_uf(self) -> dict[str, list[AssemblyPlan]]:
        grouped: dict[str, list[AssemblyPlan]] = {uf: [] for uf in self.ufs}
        for plan in self.assemblies:
            grouped[plan.uf].append(plan)
        return grouped

    @property
    def largest_uf(self) -> str:
        counts = {uf: len(plans) for uf, plans in self.by_uf().items()}
        return max(counts, key=lambda uf: (counts[uf], uf))


def plan_assembly(municipality: Municipality, seed: int) -> AssemblyPlan:
    """People, proposals and ballots of one municipality's conference."""
    own = f"{seed}:{municipality.territory}"
    rng = random.Random(f"{own}:sizes")
    population = municipality.population
    participants = max(
        MIN_PARTICIPANTS, round(population * PARTICIPATION_RATE * rng.lognormvariate(0.0, 0.35))
    )
    proposals = round(population * PROPOSAL_RATE * rng.lognormvariate(0.0, 0.4))
    proposals = min(MAX_PROPOSALS, max(MIN_PROPOSALS, proposals))
    ballots = round(participants * rng.uniform(0.85, 0.98))
    return AssemblyPlan(municipality, participants, proposals, ballots, own)


def build_scenario(
    units: list[FederativeUnit], scale: Scale = "tiny", seed: int = 1, municipalities: int = 0
) -> Scenario:
    """The cycle at ``scale``, or ``municipalities`` spread over every state by their counts."""
    chosen: list[tuple[FederativeUnit, list[Municipality]]] = []
    if municipalities:
        counts = apportion_exact(municipalities, [float(u.municipalities) for u in units], 0)
        for unit, count in zip(units, counts, strict=True):
            if count:
                chosen.append((unit, municipalities_of(unit)[: min(count, unit.municipalities)]))
    elif scale == "tiny":
        for unit in (u for u in units if u.uf in TINY_UFS):
            pool = municipalities_of(unit)[1:]  # small towns: the capital would dominate
            rng = random.Random(f"{seed}:tiny:{unit.uf}")
            picked = sorted(rng.sample(range(len(pool)), TINY_PER_UF))
            chosen.append((unit, [pool[i] for i in picked]))
    elif scale == "state":
        unit = next(u for u in units if u.uf == STATE_UF)
        chosen.append((unit, municipalities_of(unit)))
    else:
        chosen = [(unit, municipalities_of(unit)) for unit in units]
    return Scenario(
        scale=f"municipalities={municipalities}" if municipalities else scale,
        seed=seed,
        cycle_id=CYCLE_ID,
        units=[unit for unit, _ in chosen],
        assemblies=[plan_assembly(m, seed) for _, towns in chosen for m in towns],
    )
