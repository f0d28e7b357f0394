"""Every operation of the three tiers, fuzzed from their OpenAPI: no input gets a 5xx (docs/spec.md §7,
§10), with the administrator token and without one.

Operations are listed at collection time from each tier's OpenAPI (building an app connects to
nothing), so each one is its own test; the test then fuzzes the running app of its tier.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from shared.core.vocabulary import TIERS, Tier
from shared.platform.settings import Settings
from shared.platform.web.app import create_app
from tests.support.tiers import SPECS

METHODS = {"get", "post", "put", "patch", "delete"}


#: Operations that move the seeded records on (an assembly to voting or closed, a poll closed,
#: the conference closed) run after the others, so those still find them open.
ADVANCING = ("/voting", "/close", "/elect", "/publish")


def tier_operations() -> list[Any]:
    params = []
    for tier in TIERS:
        found: list[tuple[str, str]] = []
        # A URL that is never dialled: building the app connects to nothing.
        offline = Settings(tier=tier, database_url="postgresql+asyncpg://offline@127.0.0.1:1/x")
        app = create_app(offline, SPECS[tier])
        for path, item in app.openapi_schema.to_schema()["paths"].items():
            found += [(method, path) for method in sorted(METHODS & set(item))]
        found.sort(key=lambda op: op[1].endswith(ADVANCING))
        params += [pytest.param(tier, m, p, id=f"{tier} {m.upper()} {p}") for m, p in found]
    return params


OPERATIONS = tier_operations()

#: Derandomized, no example database: the same requests on every run and machine. Requests
#: without a token mostly stop at the 401 (the public reads get the admin run's 20 as well).
FUZZ = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
FUZZ_ANONYMOUS = settings(FUZZ, max_examples=10)


def cases(
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
    known: list[dict[str, str]] | None = None,
) -> st.SearchStrategy[schemathesis.Case[Any]]:
    """Valid and invalid requests alike; with ``known``, also valid and invalid requests about
    records that exist (path parameters from the first set that has them all), which reach
    past the 404."""
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    names = {p.name for p in operation.path_parameters}
    fitting = [ids for ids in known or [] if names and names <= set(ids)]
    if fitting:
        existing = {name: fitting[0][name] for name in names}
        strategies += [
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=existing),
            operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=existing),
        ]
    return st.one_of(strategies)


@pytest.mark.parametrize(("fuzzed_tier", "method", "path"), OPERATIONS, indirect=["fuzzed_tier"])
def test_staff_requests_get_no_server_error(
    fuzzed_tier: Tier,
    method: str,
    path: str,
    fuzz_schema: schemathesis.BaseSchema,
    fuzz_staff: dict[str, str],
    known_ids: list[dict[str, str]],
) -> None:
    operation = fuzz_schema[path][method]

    @FUZZ
    @given(case=cases(operation, known_ids))
    def fuzz(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(
            headers=fuzz_staff, checks=[not_a_server_error, response_schema_conformance]
        )

    fuzz()


@pytest.mark.parametrize(("fuzzed_tier", "method", "path"), OPERATIONS, indirect=["fuzzed_tier"])
def test_anonymous_requests_get_no_server_error(
    fuzzed_tier: Tier, method: str, path: str, fuzz_schema: schemathesis.BaseSchema
) -> None:
    operation = fuzz_schema[path][method]

    @FUZZ_ANONYMOUS
    @given(case=cases(operation))
    def fuzz(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

    fuzz()
