"""`plenaria up --demo`: a small cycle pushed through the running services, so there is data to see.

It is the ``tiny`` simulation (three northern states, three towns each) driven over the public
API exactly as `plenaria simulate` does, so the demo shows what the product really does.
"""

from __future__ import annotations

from shared.tools.simulation.driver import Endpoints
from shared.tools.simulation.run import drive, make_scenario

DEMO_SEED = 2027


def seed(urls: dict[str, str], admin_tokens: dict[str, str]) -> None:
    """Run the tiny cycle against the services at ``urls`` (tier → base URL)."""
    scenario = make_scenario("tiny", 0, DEMO_SEED)
    drive(scenario, Endpoints(urls, admin_tokens), concurrency=8, reporter=None)
