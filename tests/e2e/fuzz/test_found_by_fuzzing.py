"""The inputs the fuzzer found 5xx for, pinned: each must get the named 4xx problem document
whatever the fuzzer's seed draws next time."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from schemathesis.python import asgi

from shared.core.vocabulary import Tier
from tests.support.tiers import operator

NUL = "\x00"
FOUND: list[Any] = [
    pytest.param(
        "local",
        "POST",
        "/api/v1/keys/",
        {"json": {"key_id": "k1", "public_key": "AAAA"}},
        400,
        id="public key not 32 bytes",
    ),
    pytest.param(
        "regional",
        "POST",
        "/api/v1/keys/revoke",
        {"json": {"key_id": "k1", "reason": f"a{NUL}b"}},
        422,
        id="NUL in a stored text",
    ),
    pytest.param(
        "local",
        "GET",
        "/api/v1/assemblies/?offset=19097372596209417453568",
        {},
        400,
        id="offset beyond bigint",
    ),
    pytest.param(
        "national",
        "GET",
        "/api/v1/items?cycle_id=a%00b",
        {},
        422,
        id="NUL in a query filter",
    ),
    pytest.param(
        "regional",
        "POST",
        "/api/v1/plenary/candidacies",
        {"json": {"cycle_id": f"c{NUL}", "mandate_id": "m1"}},
        422,
        id="NUL in a body compared in SQL",
    ),
]


@pytest.mark.parametrize(
    ("fuzzed_tier", "method", "url", "request_kwargs", "status"), FOUND, indirect=["fuzzed_tier"]
)
def test_input_that_was_a_server_error_is_a_problem(
    fuzzed_tier: Tier,
    method: str,
    url: str,
    request_kwargs: dict[str, Any],
    status: int,
    fuzz_schema: schemathesis.BaseSchema,
    fuzz_staff: dict[str, str],
) -> None:
    # Keys are the tier operator's to register and revoke, not the staff's.
    headers = operator(fuzzed_tier) if url.startswith("/api/v1/keys/") else fuzz_staff
    with asgi.get_client(fuzz_schema.app) as client:
        response = client.request(method, url, headers=headers, **request_kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status


@pytest.mark.parametrize("fuzzed_tier", ["local"], indirect=True)
def test_ballot_file_without_a_file_part_is_a_problem(
    fuzzed_tier: Tier,
    fuzz_schema: schemathesis.BaseSchema,
    fuzz_staff: dict[str, str],
    known_ids: list[dict[str, str]],
) -> None:
    ids = known_ids[1]
    url = f"/api/v1/assemblies/{ids['assembly_id']}/polls/{ids['poll_id']}/ballot-file"
    with asgi.get_client(fuzz_schema.app) as client:
        # A multipart body whose only part is not a file (the fuzzer sent this).
        response = client.post(url, headers=fuzz_staff, files={"note": (None, "no file here")})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
