"""A person's browser against a tier's pages, without a real browser: forms with their CSRF
token, the cookies the tier sets, and where its redirects point."""

from __future__ import annotations

import re
from typing import Any

import httpx

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    found = CSRF_INPUT.search(page.text)
    assert found, f"no CSRF token on {page.request.url}"
    return found.group(1)


async def submit(
    browser: httpx.AsyncClient, form_page: str, action: str, **fields: Any
) -> httpx.Response:
    """Open ``form_page``, then post ``fields`` to ``action`` with the page's CSRF token (as the
    form itself would)."""
    page = await browser.get(form_page)
    assert page.status_code == 200, page.text[:500]
    return await browser.post(action, data={"_csrf_token": csrf_of(page), **fields})


async def appointed_code(client: httpx.AsyncClient, by: dict[str, str], **appointment: Any) -> str:
    answer = await client.post("/api/v1/identity/appointments", headers=by, json=appointment)
    assert answer.status_code == 201, answer.text
    code: str = answer.json()["sign_in_code"]
    return code


async def sign_in_with_code(
    browser: httpx.AsyncClient, code: str, *, password: str | None = None
) -> httpx.Response:
    """Sign in with a one-time code (and set ``password``, if given); the account page."""
    entered = await submit(browser, "/entrar", "/entrar/codigo", code=code)
    assert entered.status_code == 303, entered.text[:500]
    account = await browser.get("/conta")
    if password is not None:
        set_password = await browser.post(
            "/conta/senha",
            data={"_csrf_token": csrf_of(account), "password": password, "confirmation": password},
        )
        assert set_password.status_code == 200, set_password.text[:500]
    return account
