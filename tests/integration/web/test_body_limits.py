"""Bodies are limited before anything parses them: a deeply nested JSON body or an oversized
one is a 4xx problem, with or without a credential, and the service goes on answering."""

from __future__ import annotations

from tests.support.assemblies import open_desk, submit_texts
from tests.support.tiers import Federation

NESTED = b"[" * 100_000 + b"]" * 100_000
JSON = {"content-type": "application/json"}


async def test_nested_json_is_refused_before_parsing_with_or_without_a_token(
    local_tier: Federation,
) -> None:
    desk = await open_desk(local_tier)
    await submit_texts(desk)
    await desk.start_voting()
    poll = await desk.poll(kind="decision", proposal_id=desk.ids[0])
    ballots = desk.url(f"/polls/{poll['id']}/ballots")
    participants = desk.url("/participants/")
    for url, headers in [
        (ballots, {}),
        (ballots, desk.tokens[0]),
        (participants, {}),
        (participants, desk.sec),
        ("/api/v1/identity/tokens/exchange", {}),
    ]:
        r = await desk.client.post(url, content=NESTED, headers={**JSON, **headers})
        assert r.status_code == 400, (url, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "nested" in r.json()["detail"]
    unbalanced = await desk.client.post(ballots, content=b"[" * 100_000, headers=JSON)
    assert unbalanced.status_code == 400, unbalanced.text
    # The body well under the limit still reaches the route, and the service still answers.
    r = await desk.ballot(poll["id"], desk.tokens[0], choice="yes")
    assert r.status_code == 201, r.text


async def test_an_oversized_body_is_refused(local_tier: Federation) -> None:
    desk = await open_desk(local_tier)
    huge = b'{"public_name": "' + b"a" * (33 * 1024 * 1024) + b'"}'
    r = await desk.client.post(desk.url("/participants/"), content=huge, headers={**JSON})
    assert r.status_code == 413, r.text
