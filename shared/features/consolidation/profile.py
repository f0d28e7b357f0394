"""What makes the regional and the national tier different — everything else about
consolidation is shared code. Each tier's composition root supplies its profile.

A state conference (regional tier) consolidates the reports of one state's local assemblies;
the national conference consolidates the 27 state reports into one conference for the whole
country, so its scope is always ``BR``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.consolidation import AnswerView
from shared.core.errors import Invalid
from shared.core.territory import municipalities
from shared.core.vocabulary import NATION, AssemblyKind, Tier

#: ``{unit: territory}`` of what should report to a conference of (cycle, scope).
ExpectedUnits = Callable[[AsyncSession, str, str], Awaitable[dict[str, str]]]
#: The council answers to show for some items: given here (national), or received (regional).
AnswersOf = Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[list[AnswerView]]]


@dataclass(frozen=True, slots=True)
class ConsolidationProfile:
    tier: Tier
    #: The tier whose reports arrive here.
    below: Tier
    #: The kind of this tier's own conference (its caps are ``[caps.<kind>]``).
    assembly_kind: AssemblyKind
    #: One conference for the whole country (national) rather than one per state.
    nationwide: bool
    expected: ExpectedUnits
    answers: AnswersOf
    #: The tier whose reports may also arrive here straight, skipping the tier between, for
    #: the assembly kinds the cycle routes to this stage (``[routing.reports_to]``): the local
    #: tier's free and digital conferences at the national tier.
    direct: Tier | None = None

    def scope(self, uf: str | None) -> str:
        """The territory a conference of this tier consolidates for a request naming ``uf``:
        the nation at the national tier (``uf`` ignored); at a tier with one conference per
        state, that state — a request naming none (or ``BR``) is refused, never answered as an
        empty conference."""
        if self.nationwide:
            return NATION
        if not uf or uf.upper() == NATION or not municipalities(uf.upper()):
            raise Invalid(
                "this tier holds one conference per state: name it with uf (e.g. uf=SP); "
                f"got {uf!r}"
            )
        return uf.upper()

    def unit_of(self, assembly_id: str, uf: str, tier: str = "") -> str:
        """Which expected unit a received report stands for: a state at the national tier,
        an assembly at the regional one — and an assembly reporting straight here (``tier``
        below ``below``) stands for itself, never for its state."""
        if self.nationwide and tier in ("", self.below):
            return uf
        return assembly_id

    def conference(self, cycle_id: str, uf: str | None) -> Conference:
        return Conference(self, cycle_id, self.scope(uf))


@dataclass(frozen=True, slots=True)
class Conference:
    """One state (or the national) conference of a cycle: its plenary, items and report."""

    profile: ConsolidationProfile
    cycle_id: str
    uf: str

    @property
    def key(self) -> str:
        """The conference's id: its plenary's ``assembly_id`` and its report's sender unit."""
        return f"{self.profile.tier}:{self.cycle_id}:{self.uf}"

    @property
    def tier(self) -> Tier:
        return self.profile.tier
