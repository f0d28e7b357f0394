"""Handing people their roles over the API, as a tier's operator (or any appointer) does at the
start of a conference: appoint a person to one or more grants, then redeem the one-time sign-in
code for an API token — the same two requests a person makes by hand (README "Who can do what").

The simulation, the demo and the tests all staff their conferences through here, so none of
them takes a shortcut past the role checks.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import httpx

#: One nation-wide account per tier that runs its conferences (the simulation's and the tests'
#: staff): the role checks are the same as for a state's own convener, at every state.
NATIONWIDE_STAFF: dict[str, list[dict[str, str]]] = {
    "local": [{"role": "organiser", "territory": "BR"}],
    "regional": [
        {"role": "convener", "territory": "BR"},
        {"role": "commission", "territory": "BR"},
    ],
    "national": [{"role": "commission", "territory": "BR"}],
}


class StaffingError(RuntimeError):
    """A tier refused an appointment or the code's exchange."""


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def appoint(
    client: httpx.AsyncClient,
    appointer_token: str,
    *,
    name: str,
    grants: Sequence[dict[str, Any]],
    email: str | None = None,
) -> str:
    """Give one person every grant in ``grants`` (each ``{"role": …, "territory": …}``, plus
    ``assembly_id`` or ``council`` where the role needs one); their API token, which carries all
    of them."""
    if not grants:
        raise ValueError("appoint to at least one grant")
    email = email or f"{uuid.uuid4().hex[:12]}@plenaria.invalid"
    code = ""
    for grant in grants:
        appointed = await client.post(
            "/api/v1/identity/appointments",
            headers=bearer(appointer_token),
            json={"name": name, "email": email, **grant},
        )
        if appointed.status_code != 201:
            raise StaffingError(
                f"appointing {name} as {grant.get('role')} answered "
                f"{appointed.status_code}: {appointed.text[:500]}"
            )
        code = appointed.json()["sign_in_code"]
    return await exchange(client, code, label=f"{name} ({', '.join(g['role'] for g in grants)})")


async def exchange(client: httpx.AsyncClient, code: str, *, label: str = "") -> str:
    """Redeem a one-time sign-in code for an API token."""
    exchanged = await client.post(
        "/api/v1/identity/tokens/exchange", json={"code": code, "label": label[:200]}
    )
    if exchanged.status_code != 201:
        raise StaffingError(
            f"exchanging a sign-in code answered {exchanged.status_code}: {exchanged.text[:500]}"
        )
    token: str = exchanged.json()["token"]
    return token
