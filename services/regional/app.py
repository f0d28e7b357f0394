"""The regional tier — state conferences — as a list of configured features.

A state conference receives its local assemblies' reports, consolidates and ranks them, runs
its plenary, shares its seats among its assemblies and reports to the national tier; from above
it keeps the cycle, its state's seat allocation and the councils' answers.
"""

from __future__ import annotations

from litestar import Litestar

from shared.features.allocation import service as allocations
from shared.features.allocation.feature import allocation
from shared.features.consolidation.board import assemblies_of_state, state_assembly_units
from shared.features.consolidation.credentials import delegate_principal
from shared.features.consolidation.feature import consolidation
from shared.features.consolidation.lineage import held_origins, received_answers
from shared.features.consolidation.profile import ConsolidationProfile
from shared.features.cycles.feature import cycles
from shared.features.identity.feature import identity
from shared.features.operations.feature import operations
from shared.features.responses.feature import responses
from shared.platform.feature import TierDefinition
from shared.platform.settings import Settings, load_settings
from shared.platform.web.app import create_app
from shared.platform.web.serve import configured_app

PROFILE = ConsolidationProfile(
    tier="regional",
    below="local",
    assembly_kind="state",
    nationwide=False,
    expected=assemblies_of_state,
    answers=received_answers,
)

REGIONAL = TierDefinition(
    title="regional tier",
    features=[
        identity(resolvers=[delegate_principal]),
        operations(),
        cycles(announces=False),
        consolidation(PROFILE),
        allocation(apportions="state", units=state_assembly_units, keeps=allocations.for_a_state),
        responses(held_origins),
    ],
)


def build_app(settings: Settings | None = None) -> Litestar:
    return create_app(settings or load_settings("regional"), REGIONAL)


def worker_app() -> Litestar:
    """Uvicorn's factory in each serving process (see :func:`shared.platform.web.serve.serve`)."""
    return configured_app("regional", REGIONAL)
