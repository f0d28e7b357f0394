"""Every write operation of each tier's OpenAPI document × every role the tier knows (and the
public): the guard admits exactly the roles the document declares. The public gets 401 and a
role the operation does not name gets 403, both as problem details, before the body is read;
a declared role gets past the guard (its request then fails only on the made-up target or
empty body). Generated from the document, so a new operation is in the matrix the day it
appears, and an operation that declares no role must be one whose credential is a code in its
body."""

from __future__ import annotations

import pytest

from shared.core.vocabulary import Tier
from tests.support.api import bearer
from tests.support.assemblies import create
from tests.support.matrix import principals, write_operations
from tests.support.tiers import TierFactory

#: Writes with no role: the credential is a one-time code in the body…
WITH_A_CODE = {"/api/v1/identity/tokens/exchange", "/api/v1/plenary/claims"}
#: …or a participant's phone asking for a voting card (no body; bounded and lapsing per
#: assembly, see test_voting_cards), the one write open to the public.
PUBLIC = {"/api/v1/assemblies/{assembly_id}/voting-cards/device"}


@pytest.mark.parametrize("tier", ["local", "regional", "national"])
async def test_every_write_admits_exactly_its_declared_roles(
    tier_factory: TierFactory, tier: Tier
) -> None:
    fed = await tier_factory(tier)
    client = fed.client(tier)
    operations = await write_operations(client)
    assert len(operations) > 10
    assert {str(op.path) for op in operations if not op.roles} <= WITH_A_CODE | PUBLIC
    people = await principals(fed, tier)
    wrong: list[str] = []
    tried = 0
    for op in operations:
        if not op.roles:
            continue
        for name, who in people.items():
            answer = await client.request(
                op.method, op.url(), headers=who.headers, json={} if op.has_body else None
            )
            tried += 1
            if name == "public":
                expected: set[int] | None = {401}
            elif who.roles & op.roles:
                expected = None  # anything but 401/403: the guard let it through
            else:
                expected = {403}
            got = answer.status_code
            ok = got not in (401, 403) if expected is None else got in expected
            if ok and got in (401, 403):
                ok = answer.headers["content-type"].startswith("application/problem+json")
            if not ok:
                wrong.append(f"{op} as {name}: {got} {answer.text[:120]}")
    assert tried >= len(people) * 10
    assert wrong == []


async def test_assembly_writes_refuse_another_assembly_s_staff(tier_factory: TierFactory) -> None:
    """Every write on one assembly that needs no body (opening, voting, closing, credentials,
    reissues, poll closes…) × the assembly's own staff and staff of elsewhere: another
    assembly's secretary and an organiser of RJ are refused with 403; its own secretary and SP's
    organiser get past the territory check."""
    fed = await tier_factory("local")
    operations = [
        op
        for op in await write_operations(fed.local)
        if "{assembly_id}" in op.path and not op.has_body and op.roles
    ]
    assert len(operations) >= 5
    people = await principals(fed, "local")
    target = await create(fed)
    elsewhere = await create(fed)
    outsiders = {
        "secretary of another assembly": bearer(elsewhere["secretary_token"]),
        "organiser of RJ": await fed.person("local", {"role": "organiser", "territory": "RJ"}),
    }
    insiders = {
        "its secretary": bearer(target["secretary_token"]),
        "organiser of SP": people["organiser"].headers,
    }
    wrong: list[str] = []
    for op in operations:
        url = op.url(assembly_id=target["id"])
        for name, headers in outsiders.items():
            if "secretary" in name and "secretary" not in op.roles:
                continue
            got = (await fed.local.request(op.method, url, headers=headers)).status_code
            if got != 403:
                wrong.append(f"{op} as {name}: {got}")
        for name, headers in insiders.items():
            role = "secretary" if "secretary" in name else "organiser"
            if role not in op.roles:
                continue
            got = (await fed.local.request(op.method, url, headers=headers)).status_code
            if got in (401, 403):
                wrong.append(f"{op} as {name}: {got}")
    assert wrong == []
