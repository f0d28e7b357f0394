"""The consolidation feature of the regional and national tiers, configured by the tier's
profile: reports in, the board, sistematização, ranking, the plenary, closing, open data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from shared.features.consolidation import equity
from shared.features.consolidation.api import ConsolidationController
from shared.features.consolidation.equity_api import EquityController, EvaluationController
from shared.features.consolidation.ingest import apply_report, apply_reports
from shared.features.consolidation.open_data import CONSOLIDATION_DATASETS
from shared.features.consolidation.pages import ConsolidationPages
from shared.features.consolidation.plenary_api import PlenaryController, TierPlenaryController
from shared.features.consolidation.plenary_pages import TierPlenaryPages
from shared.features.consolidation.plenary_service import TierPlenary
from shared.features.consolidation.profile import ConsolidationProfile
from shared.features.consolidation.representation_pages import RepresentationPages
from shared.features.consolidation.service import Consolidation
from shared.platform.bus.inbox import BatchedHandler, Delivery, Handler
from shared.platform.feature import Feature
from shared.platform.node import Node
from shared.platform.offload import Offload


def consolidation(profile: ConsolidationProfile) -> Feature:
    async def one(session: AsyncSession, delivery: Delivery) -> None:
        await apply_report(session, delivery, profile=profile)

    async def many(session: AsyncSession, deliveries: Sequence[Delivery]) -> None:
        await apply_reports(session, deliveries, profile=profile)

    def handlers(node: Node) -> Mapping[str, Handler]:
        return {"report": BatchedHandler(one, many)}

    return Feature(
        name="consolidation",
        routes=(
            ConsolidationController,
            PlenaryController,
            TierPlenaryController,
            ConsolidationPages,
            TierPlenaryPages,
            EquityController,
            EvaluationController,
            RepresentationPages,
        ),
        datasets=(*CONSOLIDATION_DATASETS, equity.dataset(profile)),
        services=lambda node: {
            "consolidation": Consolidation(
                node.db,
                node.outbox,
                profile,
                offload=Offload(),
                off_loop_items=node.settings.suggestions_off_loop_items,
            ),
            "plenary": TierPlenary(node.db, profile, node.outbox.default_signer),
        },
        # the worker process that clusters a big axis, stopped with the node
        loops=lambda node: [node.services["consolidation"].offload],
        handlers=handlers,
        templates=(Path(__file__).parent / "templates",),
    )
