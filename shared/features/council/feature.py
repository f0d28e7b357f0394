"""The national councils' feature."""

from __future__ import annotations

from pathlib import Path

from shared.features.council.api import CouncilController
from shared.features.council.open_data import GIVEN_RESPONSES
from shared.features.council.pages import MANDATES, CouncilPages
from shared.features.council.service import Council
from shared.platform.feature import Feature
from shared.platform.web.i18n import N_


def council() -> Feature:
    return Feature(
        name="council",
        routes=(CouncilController, CouncilPages),
        services=lambda node: {"councils": Council(node.db, node.outbox)},
        datasets=(GIVEN_RESPONSES,),
        templates=(Path(__file__).parent / "templates",),
        front_links=((MANDATES, N_("Mandatos consolidados e devolutivas dos conselhos")),),
    )
