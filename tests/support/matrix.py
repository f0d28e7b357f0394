"""The route × role matrix: every write operation a tier's OpenAPI document lists, the roles it
declares, and a principal of each role the tier knows (plus the public), so a test can try
every combination against the running tier."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.api import bearer, get_json
from tests.support.assemblies import create, register
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly, claim_code, mandates, send_state_report
from tests.support.tiers import Federation, operator

SAFE = {"get", "head", "options"}
PATH_PARAM = re.compile(r"\{[^}]+\}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    #: The roles the operation's security requirement names (empty: a code in the body, or
    #: public).
    roles: frozenset[str]
    has_body: bool

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def url(self, **known: str) -> str:
        """The path with each parameter filled: from ``known`` by name, else a fresh UUID."""

        def value(match: re.Match[str]) -> str:
            name = match.group(0)[1:-1].split(":")[0]
            return known.get(name, str(uuid.uuid4()))

        return PATH_PARAM.sub(value, self.path)


async def write_operations(client: httpx.AsyncClient) -> list[Operation]:
    document = (await client.get("/schema/openapi.json")).json()
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in SAFE or method.startswith("x-") or not isinstance(operation, dict):
                continue
            roles = frozenset(k for req in operation.get("security") or [] for k in req)
            found.append(Operation(method, path, roles, "requestBody" in operation))
    return found


@dataclass(frozen=True)
class Who:
    headers: dict[str, str]
    roles: frozenset[str]


async def principals(fed: Federation, tier: str) -> dict[str, Who]:
    """One principal per role the tier knows, each bound to SP (or to an SP assembly, the CNS
    council, an SP mandate), plus the public; ``context`` of the local tier's assembly ids."""
    who: dict[str, Who] = {
        "public": Who({}, frozenset()),
        "operator": Who(operator(tier), frozenset({"operator"})),
    }
    if tier == "local":
        who["organiser"] = Who(
            await fed.person("local", {"role": "organiser", "territory": "SP"}),
            frozenset({"organiser"}),
        )
        assembly = await create(fed)
        secretary = bearer(assembly["secretary_token"])
        opened = await fed.local.post(
            f"/api/v1/assemblies/{assembly['id']}/open", headers=secretary
        )
        assert opened.status_code == 201, opened.text
        people = await register(fed.local, assembly["id"], secretary)
        who["secretary"] = Who(secretary, frozenset({"secretary"}))
        who["participant"] = Who(bearer(people[0]["badge_code"]), frozenset({"participant"}))
        return who
    staff = fed.staff[tier]
    for role in ("rapporteur", "commission", "convener", "council"):
        grant: dict[str, str] = {"role": role, "territory": "SP" if tier == "regional" else "BR"}
        if role == "council":
            if tier != "national":
                continue
            grant = {"role": "council", "council": "CNS"}
        if role == "convener" and tier != "regional":
            continue
        who[role] = Who(await fed.person(tier, grant, by=staff), frozenset({role}))
    who["delegate"] = Who(await _delegate(fed, tier), frozenset({"delegate"}))
    return who


async def _delegate(fed: Federation, tier: str) -> dict[str, str]:
    """A delegate's device credential: their mandate arrives from below, the desk admits them,
    they redeem their claim code."""
    prefix = f"M{uuid.uuid4().hex[:6]}"
    elected = mandates(prefix)
    uf = "SP" if tier == "regional" else "BR"
    if tier == "regional":
        assembly = FakeAssembly(fed, "3550308", "SP")
        await assembly.introduce()
        await assembly.send(assembly.report([], mandates=elected))
    else:
        await send_state_report(fed, mandates=elected)
    client = fed.client(tier)  # type: ignore[arg-type]
    await eventually(lambda: get_json(client, "/api/v1/reports"))
    mandate = elected[0].mandate_id
    scope: dict[str, Any] = {"cycle_id": CYCLE, "uf": uf, "mandate_id": mandate}
    admitted = await client.post(
        "/api/v1/plenary/credentials", headers=fed.staff[tier], json={**scope, "holder": "RG 1"}
    )
    assert admitted.status_code == 201, admitted.text
    claimed = await client.post(
        "/api/v1/plenary/claims", json={**scope, "claim_code": claim_code(mandate)}
    )
    assert claimed.status_code == 201, claimed.text
    return bearer(claimed.json()["token"])
