"""A tier whose database is away answers 503 problem documents (not 500s) and is ready again
once the database returns."""

from __future__ import annotations

from shared.tools.runtime.postgres import EmbeddedPostgres
from tests.support.polling import eventually
from tests.support.tiers import Federation


async def test_database_outage_is_a_503_problem_not_a_500(
    local_tier: Federation, postgres_running: EmbeddedPostgres
) -> None:
    postgres_running.stop()
    try:
        response = await local_tier.local.get("/api/v1/assemblies/")
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["retry-after"]
        ready = await local_tier.local.get("/health/ready")
        assert ready.status_code == 503
    finally:
        postgres_running.start()

    async def status() -> int:
        return (await local_tier.local.get("/health/ready")).status_code

    await eventually(status, done=lambda code: code == 200)
