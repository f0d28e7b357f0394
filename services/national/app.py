"""The national tier — the national conference and the policy councils — as a list of
configured features.

The national conference receives the 27 state reports, consolidates them into one conference
for the whole country, runs its plenary, shares its seats among the states and announces the
cycle; the councils answer every consolidated mandate and each answer flows down to its origins.
"""

from __future__ import annotations

from litestar import Litestar

from shared.features.allocation.feature import allocation
from shared.features.consolidation.board import national_units, the_states
from shared.features.consolidation.credentials import delegate_principal
from shared.features.consolidation.feature import consolidation
from shared.features.consolidation.profile import ConsolidationProfile
from shared.features.council.feature import council
from shared.features.council.service import given_answers
from shared.features.cycles.feature import cycles
from shared.features.identity.feature import identity
from shared.features.operations.feature import operations
from shared.platform.feature import TierDefinition
from shared.platform.settings import Settings, load_settings
from shared.platform.web.app import create_app
from shared.platform.web.serve import configured_app

PROFILE = ConsolidationProfile(
    tier="national",
    below="regional",
    assembly_kind="national",
    nationwide=True,
    expected=the_states,
    answers=given_answers,
    direct="local",
)

NATIONAL = TierDefinition(
    title="national tier",
    features=[
        identity(resolvers=[delegate_principal]),
        operations(),
        cycles(announces=True),
        consolidation(PROFILE),
        allocation(apportions="national", units=national_units),
        council(),
    ],
)


def build_app(settings: Settings | None = None) -> Litestar:
    return create_app(settings or load_settings("national"), NATIONAL)


def worker_app() -> Litestar:
    """Uvicorn's factory in each serving process (see :func:`shared.platform.web.serve.serve`)."""
    return configured_app("national", NATIONAL)
