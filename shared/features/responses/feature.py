"""The responses feature of the tiers below the national one: council answers attached to the
proposals held here (the tier says which it holds)."""

from __future__ import annotations

from shared.features.responses.open_data import RECEIVED_RESPONSES
from shared.features.responses.service import HeldProposals, response_handler
from shared.platform.feature import Feature


def responses(held: HeldProposals) -> Feature:
    return Feature(
        name="responses",
        handlers=lambda node: {"response": response_handler(held)},
        datasets=(RECEIVED_RESPONSES,),
    )
