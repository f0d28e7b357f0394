"""`plenaria up --demo`: a small cycle pushed through the running services, so there is data to see,
and the first-run credentials that let a person sign in to each tier.

The cycle is the ``tiny`` simulation (three northern states, three towns each) driven over the
public API exactly as `plenaria simulate` does, so the demo shows what the product really does.
Then each tier's operator appoints the people who run it — as at the start of a real cycle — and
their one-time sign-in codes are printed, with the page to use them on (appointing is all an
operator may do with a conference).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import click
import httpx

from shared.tools.simulation.driver import Endpoints
from shared.tools.simulation.run import drive, make_scenario
from shared.tools.simulation.session import COUNCIL
from shared.tools.staffing import StaffingError, bearer

DEMO_SEED = 2027


#: The people each tier's operator appoints first (who, at which tier, with which grant).
FIRST_RUN = (
    (
        "local",
        "Organização da etapa municipal (todo o Brasil)",
        {"role": "organiser", "territory": "BR"},
    ),
    (
        "regional",
        "Comissão organizadora estadual (todo o Brasil)",
        {"role": "convener", "territory": "BR"},
    ),
    ("national", "Mesa da etapa nacional", {"role": "commission", "territory": "BR"}),
    ("national", f"Conselheira do {COUNCIL}", {"role": "council", "council": COUNCIL}),
)


@dataclass(frozen=True)
class HandedOver:
    tier: str
    who: str
    url: str
    code: str


def seed(urls: dict[str, str], admin_tokens: dict[str, str]) -> None:
    """Run the tiny cycle against the services at ``urls`` (tier → base URL), then print the
    sign-in codes of each tier's first staff."""
    scenario = make_scenario("tiny", 0, DEMO_SEED)
    drive(scenario, Endpoints(urls, admin_tokens), concurrency=8, reporter=None)
    click.echo("demo data loaded")
    try:
        handed = asyncio.run(hand_over(urls, admin_tokens))
    except (StaffingError, httpx.HTTPError) as failed:
        click.echo(f"first-run credentials could not be made: {failed}", err=True)
        return
    click.echo("Sign in with these one-time codes (each works once, for 7 days):")
    for entry in handed:
        click.echo(f"  {entry.tier:<9} {entry.who}: {entry.code}  at {entry.url}/entrar")


async def hand_over(urls: dict[str, str], admin_tokens: dict[str, str]) -> list[HandedOver]:
    """Appoint each :data:`FIRST_RUN` person as their tier's operator; their codes, not yet
    redeemed."""
    handed: list[HandedOver] = []
    for tier, who, grant in FIRST_RUN:
        async with httpx.AsyncClient(base_url=urls[tier], timeout=30) as client:
            answer = await client.post(
                "/api/v1/identity/appointments",
                headers=bearer(admin_tokens[tier]),
                json={"name": who, **grant},
            )
        if answer.status_code != 201:
            raise StaffingError(f"appointing {who} answered {answer.status_code}: {answer.text}")
        handed.append(HandedOver(tier, who, urls[tier], answer.json()["sign_in_code"]))
    return handed
