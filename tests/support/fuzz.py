"""Each tier's app in-process against the session's real PostgreSQL and nats-server, for
schemathesis to fuzz (fixtures ``fuzzed_tier``, ``fuzz_schema`` and ``known_ids``).

Schemathesis drives an ASGI app from a portal thread of its own and runs the app's lifespan
there (the node's database pool and NATS connection live in that thread's loop), so the app is
built here but never started by ``running()``: the first request starts it, and schemathesis's
pytest plugin stops it when each test ends.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.python import asgi
from schemathesis.python.asgi import shutdown_lifespans

from shared.core.vocabulary import TIERS, Tier
from shared.platform.bus.signing import ensure_keypair
from shared.platform.db.migrate import upgrade
from shared.platform.settings import Settings
from shared.platform.web.app import create_app
from shared.tools.runtime.nats_server import EmbeddedNats
from shared.tools.runtime.postgres import EmbeddedPostgres
from shared.tools.staffing import NATIONWIDE_STAFF
from tests.support.tiers import ADMIN_TOKENS, SPECS, operator

CYCLE = "cns-2027"

#: Fixed seed and no example database: the same cases on every run and every machine.
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20_270_101,
        "generation": {"deterministic": True, "database": "none"},
    }
)


@pytest.fixture(scope="session")
def fuzz_lifespans() -> Iterator[None]:
    """Stop the apps schemathesis started (their nodes' pools and connections) at the end."""
    yield
    shutdown_lifespans()


@pytest.fixture(scope="session")
def fuzz_settings(
    postgres: EmbeddedPostgres, nats_server: EmbeddedNats, tmp_path_factory: pytest.TempPathFactory
) -> dict[Tier, Settings]:
    """Settings of the three tiers: fresh databases, fresh keys trusted by one another."""
    root = tmp_path_factory.mktemp("fuzz")
    run = uuid.uuid4().hex[:8]
    seeds: dict[Tier, str] = {}
    keys: dict[str, str] = {}
    for tier in TIERS:
        seeds[tier], keys[f"{tier}-{run}"] = ensure_keypair(root / f"{tier}.seed")
    trusted = root / "trusted.json"
    trusted.write_text(json.dumps(keys))
    settings: dict[Tier, Settings] = {}
    for tier in TIERS:
        name = f"t_fuzz_{tier}_{run}"
        postgres.create_database(name)
        url = postgres.url(name)
        upgrade(url)
        settings[tier] = Settings(
            tier=tier,
            database_url=url,
            nats_url=nats_server.url,
            instance=f"{tier}-{run}",
            signing_key=seeds[tier],
            trusted_keys_file=str(trusted),
            admin_token=ADMIN_TOKENS[tier],
            data_dir=str(Path(root)),
            relay_idle_s=0.2,
            shutdown_grace_s=3.0,
        )
    return settings


@pytest.fixture(scope="session")
def fuzz_schemas(
    fuzz_settings: dict[Tier, Settings], fuzz_lifespans: None
) -> dict[Tier, schemathesis.BaseSchema]:
    """Built on first use; a tier's app starts when its OpenAPI is first loaded."""
    return {}


@pytest.fixture
def fuzzed_tier(request: pytest.FixtureRequest) -> Tier:
    """The tier a parametrized test names (``indirect=["fuzzed_tier"]``)."""
    name: Tier = request.param
    return name


@pytest.fixture
def fuzz_schema(
    fuzzed_tier: Tier,
    fuzz_settings: dict[Tier, Settings],
    fuzz_schemas: dict[Tier, schemathesis.BaseSchema],
) -> schemathesis.BaseSchema:
    """The tier's OpenAPI as its running app serves it."""
    if fuzzed_tier not in fuzz_schemas:
        app = create_app(fuzz_settings[fuzzed_tier], SPECS[fuzzed_tier])
        fuzz_schemas[fuzzed_tier] = schemathesis.openapi.from_asgi(
            "/schema/openapi.json", app, config=CONFIG
        )
    # Schemathesis's pytest plugin ends every app's lifespan when a test ends, so each test
    # starts its tier's app afresh: wait for it to be ready before fuzzing.
    _wait_until_ready(fuzz_schemas[fuzzed_tier])
    return fuzz_schemas[fuzzed_tier]


def _wait_until_ready(schema: schemathesis.BaseSchema, timeout_s: float = 30.0) -> None:
    """Fuzz a ready app: the node connects to NATS in the background after start, and until
    then ``/health/ready`` rightly answers 503."""
    deadline = time.monotonic() + timeout_s
    with asgi.get_client(schema.app) as client:
        while (status := client.get("/health/ready").status_code) != 200:
            assert time.monotonic() < deadline, f"not ready after {timeout_s} s: {status}"
            time.sleep(0.1)


def _created(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def appoint_staff(client: asgi.ASGIClient, tier: Tier) -> dict[str, str]:
    """The tier's nation-wide staff, appointed by its operator over the API (schemathesis's
    client is synchronous, hence not :func:`shared.tools.staffing.appoint`)."""
    email = f"{uuid.uuid4().hex[:12]}@plenaria.invalid"
    code = ""
    for grant in NATIONWIDE_STAFF[tier]:
        appointed = _created(
            client.post(
                "/api/v1/identity/appointments",
                headers=operator(tier),
                json={"name": f"Equipe {tier}", "email": email, **grant},
            )
        )
        code = appointed["sign_in_code"]
    token = _created(client.post("/api/v1/identity/tokens/exchange", json={"code": code}))
    return {"Authorization": f"Bearer {token['token']}"}


def _assembly(client: asgi.ASGIClient, staff: dict[str, str], *, voting: bool) -> dict[str, str]:
    """An assembly with a credentialed participant and a proposal; when ``voting``, moved on to
    voting with a poll on that proposal (polls open only then, proposals and motions before)."""
    assembly = _created(
        client.post(
            "/api/v1/assemblies/",
            headers=staff,
            json={
                "cycle_id": CYCLE,
                "kind": "municipal",
                "territory": "3550308",
                "uf": "SP",
                "title": "Conferência Municipal de Saúde (fuzz)",
                "population": 11_450_000,
                "deadline": "2100-01-01T00:00:00Z",
            },
        )
    )
    base = f"/api/v1/assemblies/{assembly['id']}"
    assert client.post(f"{base}/open", headers=staff).status_code == 201
    participant = _created(
        client.post(
            f"{base}/participants/",
            headers=staff,
            json={"public_name": "Ana", "segment": "users", "credential": True},
        )
    )
    proposal = _created(
        client.post(
            f"{base}/proposals/",
            headers=staff,
            json={
                "axis": "saude-1",
                "competence": "national",
                "title": "Equipes de saúde da família",
                "text": "Ampliar as equipes de saúde da família nas periferias",
            },
        )
    )
    ids = {
        "assembly_id": assembly["id"],
        "participant_id": participant["id"],
        "proposal_id": proposal["id"],
    }
    if not voting:
        motion = _created(
            client.post(
                f"{base}/motions/",
                headers=staff,
                json={"kind": "support", "title": "Apoio", "text": "Apoio ao SUS"},
            )
        )
        return {**ids, "motion_id": motion["id"], "cycle_id": CYCLE, "name": "health"}
    assert client.post(f"{base}/voting", headers=staff).status_code == 201
    _created(client.post(f"{base}/ballot-box/", headers=staff))
    poll = _created(
        client.post(
            f"{base}/polls/",
            headers=staff,
            json={"kind": "decision", "proposal_id": proposal["id"]},
        )
    )
    return {**ids, "poll_id": poll["id"]}


def _seed_local(client: asgi.ASGIClient, staff: dict[str, str]) -> list[dict[str, str]]:
    """An open assembly (proposals, motions) and one in voting (polls, ballots)."""
    return [_assembly(client, staff, voting=False), _assembly(client, staff, voting=True)]


def _seed_consolidation(client: asgi.ASGIClient, staff: dict[str, str]) -> list[dict[str, str]]:
    """The cycle and a real dataset (items and polls need reports from below; not seeded)."""
    catalogue = client.get("/api/v1/open-data/")
    assert catalogue.status_code == 200, catalogue.text
    return [{"cycle_id": CYCLE, "dataset": catalogue.json()[0]["name"]}]


@pytest.fixture(scope="session")
def fuzz_seeds() -> dict[Tier, list[dict[str, str]]]:
    return {}


@pytest.fixture(scope="session")
def fuzz_staffs() -> dict[Tier, dict[str, str]]:
    return {}


@pytest.fixture
def fuzz_staff(
    fuzzed_tier: Tier,
    fuzz_schema: schemathesis.BaseSchema,
    fuzz_staffs: dict[Tier, dict[str, str]],
) -> dict[str, str]:
    """Headers of the fuzzed tier's nation-wide staff (every conference role but the ones a
    credential brings), so fuzzing reaches past the role guards."""
    if fuzzed_tier not in fuzz_staffs:
        with asgi.get_client(fuzz_schema.app) as client:
            fuzz_staffs[fuzzed_tier] = appoint_staff(client, fuzzed_tier)
    return fuzz_staffs[fuzzed_tier]


@pytest.fixture
def known_ids(
    fuzzed_tier: Tier,
    fuzz_schema: schemathesis.BaseSchema,
    fuzz_staff: dict[str, str],
    fuzz_seeds: dict[Tier, list[dict[str, str]]],
) -> list[dict[str, str]]:
    """Sets of path parameter values that exist together in the tier's database, so fuzzing
    gets past the 404."""
    if fuzzed_tier not in fuzz_seeds:
        with asgi.get_client(fuzz_schema.app) as client:
            seed = _seed_local if fuzzed_tier == "local" else _seed_consolidation
            fuzz_seeds[fuzzed_tier] = seed(client, fuzz_staff)
    return fuzz_seeds[fuzzed_tier]
