"""The local tier — neighbourhood, municipal, intermunicipal, free and digital assemblies — as
its own features (assemblies, participants, proposals, the local plenary and election) plus the
shared ones it mounts (cycles and allocations received from above, council answers)."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar

from services.local.api import ROUTES
from services.local.auth import assembly_territory, participant_principal
from services.local.desk import AssemblyDesk
from services.local.journey import held_proposals
from services.local.lottery import LotteryJobs
from services.local.lottery_desk import LotteryDesk
from services.local.open_data import LOCAL_DATASETS
from services.local.overview import DeskOverview
from services.local.representation_api import (
    EquityController,
    EvaluationController,
    LotteryController,
)
from services.local.web.badges import BadgePages
from services.local.web.checkin import CheckinPages
from services.local.web.closing_desk import ClosingPages
from services.local.web.dashboard import DashboardPages
from services.local.web.draw import DrawPages
from services.local.web.election import ElectionPages
from services.local.web.journey import FOLLOW_UP as FOLLOW_UP_PAGE
from services.local.web.journey import FollowUpPages
from services.local.web.participant import ParticipantPages
from services.local.web.plenary_desk import PlenaryDeskPages
from services.local.web.projector import ProjectorPages
from services.local.web.proposals_desk import ProposalDeskPages
from services.local.web.representation import RepresentationPages
from services.local.web.working_groups import WorkingGroupPages
from shared.features.allocation import service as allocations
from shared.features.allocation.feature import allocation
from shared.features.cycles.feature import cycles
from shared.features.identity.feature import identity
from shared.features.operations.feature import operations
from shared.features.responses.feature import responses
from shared.platform.feature import Feature, TierDefinition
from shared.platform.settings import Settings, load_settings
from shared.platform.web.app import create_app
from shared.platform.web.i18n import N_
from shared.platform.web.serve import configured_app

ASSEMBLIES = Feature(
    name="assemblies",
    routes=(
        *ROUTES,
        DashboardPages,
        ProposalDeskPages,
        PlenaryDeskPages,
        ProjectorPages,
        ElectionPages,
        ClosingPages,
        WorkingGroupPages,
    ),
    services=lambda node: {
        "desk": AssemblyDesk(node.db, node.outbox, node.settings, node.services["identity"]),
        "overview": DeskOverview(node.db, node.outbox),
    },
    datasets=LOCAL_DATASETS,
    templates=(Path(__file__).parent / "templates",),
    front_links=(("/assembleias", N_("Mesa das assembleias (secretarias e comissões)")),),
)
#: The public follow-up pages (acompanhamento), over the desk's use cases.
FOLLOW_UP = Feature(
    name="follow-up",
    routes=(FollowUpPages,),
    templates=(Path(__file__).parent / "templates",),
    front_links=((FOLLOW_UP_PAGE, N_("Acompanhe o que aconteceu com as propostas")),),
)

#: Representation you can see: seats drawn by civic lottery among volunteers, with a
#: verifiable seed, and who took part and was sent up, by segment, gender and quota group.
REPRESENTATION = Feature(
    name="representation",
    routes=(
        LotteryController,
        EquityController,
        EvaluationController,
        RepresentationPages,
        DrawPages,
    ),
    services=lambda node: {"lottery_desk": LotteryDesk(node.services["desk"])},
    loops=lambda node: (
        LotteryJobs(
            node.db,
            idle_s=node.settings.lottery_idle_s,
            stale_after_s=node.settings.lottery_stale_s,
        ),
    ),
)

#: The door and the participant's phone: credenciamento, badges, /participar.
DOOR_AND_PHONE = Feature(
    name="door-and-phone",
    routes=(CheckinPages, BadgePages, ParticipantPages),
    templates=(Path(__file__).parent / "templates",),
)

LOCAL = TierDefinition(
    title="local tier",
    features=[
        identity(resolvers=[participant_principal], assembly_territory=assembly_territory),
        operations(),
        cycles(announces=False),
        ASSEMBLIES,
        REPRESENTATION,
        FOLLOW_UP,
        DOOR_AND_PHONE,
        allocation(keeps=allocations.for_local_assemblies),
        responses(held_proposals),
    ],
)


def build_app(settings: Settings | None = None) -> Litestar:
    return create_app(settings or load_settings("local"), LOCAL)


def worker_app() -> Litestar:
    """Uvicorn's factory in each serving process (see :func:`shared.platform.web.serve.serve`)."""
    return configured_app("local", LOCAL)
