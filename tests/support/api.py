"""HTTP helpers shared by tests of every tier."""

from __future__ import annotations

from typing import Any

import httpx


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def get_json(
    client: httpx.AsyncClient, url: str, *, headers: dict[str, str] | None = None, **params: Any
) -> Any:
    """GET that must answer 200; returns the decoded body."""
    response = await client.get(url, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def assert_problem(response: httpx.Response, status: int) -> None:
    """The answer is an RFC 9457 problem document with ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
