"""Signing in through gov.br (OpenID Connect), against a provider served on loopback: the code
flow with PKCE and a nonce, ID tokens checked for signature, issuer, audience, expiry and nonce,
the account level against each role's minimum, and no role from a login alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.browser import appointed_code
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, FakeProvider, serving
from tests.support.tiers import Federation, TierFactory, operator

TIER = "regional"


@pytest.fixture
async def provider() -> AsyncIterator[FakeProvider]:
    async with serving(FakeProvider()) as running:
        yield running


async def start(tier_factory: TierFactory, provider: FakeProvider) -> Federation:
    fed = await tier_factory(
        TIER,
        oidc_issuer=provider.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        public_url=f"http://{TIER}",
    )
    await appointed_code(
        fed.regional,
        operator(TIER),
        name="Maria da Silva",
        email=provider.person.email,
        role="convener",
        territory="SP",
    )
    return fed


async def round_trip(browser: httpx.AsyncClient, **spoil_return: Any) -> httpx.Response:
    """Leave for the provider, sign in there, and come back (``spoil_return`` changes the
    query the browser returns with)."""
    leave = await browser.get("/entrar/govbr")
    assert leave.status_code == 302, leave.text
    async with httpx.AsyncClient() as network:
        signed = await network.get(leave.headers["location"])
    assert signed.status_code == 302, signed.text
    back = httpx.URL(signed.headers["location"])
    assert back.path == "/entrar/govbr/retorno"
    params = dict(back.params)
    params.update(spoil_return)
    return await browser.get(back.path, params=params)


async def test_a_gov_br_login_signs_in_the_appointed_person(
    tier_factory: TierFactory, provider: FakeProvider
) -> None:
    fed = await start(tier_factory, provider)
    async with fed.browser(TIER) as browser:
        page = await browser.get("/entrar")
        assert "Entrar com gov.br" in page.text
        back = await round_trip(browser)
        assert back.status_code == 303 and back.headers["location"] == "/conta"
        account = await browser.get("/conta")
        assert account.status_code == 200
        assert "Maria da Silva" in account.text and "prata" in account.text
        assert "exige conta gov.br" not in account.text
    # Linked now: the next login finds the account by its subject, even with another e-mail.
    provider.person.email = "maria.nova@example.org"
    async with fed.browser(TIER) as browser:
        assert (await round_trip(browser)).status_code == 303
    assert provider.token_requests == 2


@pytest.mark.parametrize("spoil", ["nonce", "aud", "iss", "expired", "signature"])
async def test_an_id_token_that_does_not_check_out_is_refused(
    tier_factory: TierFactory, provider: FakeProvider, spoil: str
) -> None:
    fed = await start(tier_factory, provider)
    provider.tamper = spoil
    async with fed.browser(TIER) as browser:
        back = await round_trip(browser)
        assert back.status_code == 401
        assert "não conferiu" in back.text or "did not check out" in back.text
        assert (await browser.get("/conta")).status_code == 303


async def test_a_return_that_did_not_start_here_is_refused(
    tier_factory: TierFactory, provider: FakeProvider
) -> None:
    fed = await start(tier_factory, provider)
    async with fed.browser(TIER) as browser:
        assert (await round_trip(browser, state="forged-state")).status_code == 401
        assert (await browser.get("/conta")).status_code == 303
    async with fed.browser(TIER) as stranger:
        # No sign-in started in this browser: a code someone else obtained is worth nothing.
        replay = await stranger.get("/entrar/govbr/retorno", params={"code": "x", "state": "y"})
        assert replay.status_code == 401
    assert provider.token_requests == 0


async def test_a_level_below_the_role_s_minimum_does_not_count(
    tier_factory: TierFactory, provider: FakeProvider
) -> None:
    fed = await start(tier_factory, provider)
    provider.person.level = "bronze"  # a convener needs prata
    async with fed.browser(TIER) as browser:
        assert (await round_trip(browser)).status_code == 303
        account = await browser.get("/conta")
        assert "exige conta gov.br nível prata" in account.text


async def test_a_login_gives_no_role_by_itself(
    tier_factory: TierFactory, provider: FakeProvider
) -> None:
    fed = await start(tier_factory, provider)
    provider.person.subject, provider.person.email = "98765432100", "outra@example.org"
    async with fed.browser(TIER) as browser:
        back = await round_trip(browser)
        assert back.status_code == 403 and "must appoint you first" in back.text
    provider.person.email_verified = False
    provider.person.email = "maria@example.org"  # the appointed e-mail, but not verified
    async with fed.browser(TIER) as browser:
        assert (await round_trip(browser)).status_code == 403
