"""A small OpenID Connect provider shaped like gov.br's Login Único, served over real HTTP on
loopback by uvicorn in the test's event loop.

It implements discovery, ``/authorize`` (signs the configured person in at once and redirects
back with a code), ``/token`` (client_secret_basic, PKCE S256 checked, one use per code) and
``/jwks``, and signs ID tokens with an RSA key made by joserfc. :attr:`FakeProvider.tamper`
spoils the next ID token the way an attacker or a broken provider would: another nonce,
audience or issuer, an expired token, or a signature by a key the provider never published.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from litestar import Litestar, Request, get, post
from litestar.exceptions import NotAuthorizedException, ValidationException
from litestar.response import Redirect

CLIENT_ID = "plenaria-test"
CLIENT_SECRET = "segredo-do-cliente-de-teste"


@dataclass
class Person:
    subject: str = "12345678909"  # gov.br's sub is the CPF
    name: str = "Maria da Silva"
    email: str = "maria@example.org"
    email_verified: bool = True
    level: str = "prata"


@dataclass
class FakeProvider:
    issuer: str = ""
    person: Person = field(default_factory=Person)
    #: How to spoil the next ID token: "nonce", "aud", "iss", "expired", "signature".
    tamper: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "k1"}))
    stranger: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "k1"}))
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    token_requests: int = 0

    def app(self) -> Litestar:
        provider = self

        @get("/.well-known/openid-configuration", sync_to_thread=False)
        def discovery() -> dict[str, Any]:
            return {
                "issuer": provider.issuer,
                "authorization_endpoint": f"{provider.issuer}/authorize",
                "token_endpoint": f"{provider.issuer}/token",
                "jwks_uri": f"{provider.issuer}/jwks",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
            }

        @get("/jwks", sync_to_thread=False)
        def jwks() -> dict[str, Any]:
            return KeySet([provider.key]).as_dict(private=False)

        async def authorize_handler(request: Request[Any, Any, Any]) -> Redirect:
            query = request.query_params
            if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                raise ValidationException("unknown client")
            if query.get("code_challenge_method") != "S256" or not query.get("nonce"):
                raise ValidationException("PKCE S256 and a nonce are required")
            code = secrets.token_urlsafe(16)
            provider.codes[code] = {
                "nonce": str(query["nonce"]),
                "challenge": str(query["code_challenge"]),
                "redirect_uri": str(query["redirect_uri"]),
            }
            back = urlencode({"code": code, "state": query.get("state", "")})
            return Redirect(f"{query['redirect_uri']}?{back}", status_code=302)

        async def token_handler(request: Request[Any, Any, Any]) -> dict[str, Any]:
            provider.token_requests += 1
            expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if request.headers.get("authorization") != f"Basic {expected}":
                raise NotAuthorizedException("client authentication failed")
            form = await request.form()
            grant = provider.codes.pop(str(form.get("code")), None)
            if grant is None or form.get("grant_type") != "authorization_code":
                raise ValidationException("invalid_grant")
            verifier = str(form.get("code_verifier", ""))
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if challenge != grant["challenge"] or form.get("redirect_uri") != grant["redirect_uri"]:
                raise ValidationException("invalid_grant: PKCE or redirect_uri mismatch")
            return {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "id_token": provider.id_token(grant["nonce"]),
            }

        authorize_route = get("/authorize")(authorize_handler)
        token_route = post("/token", status_code=200)(token_handler)
        return Litestar(route_handlers=[discovery, jwks, authorize_route, token_route])

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": self.person.subject,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": self.person.name,
            "email": self.person.email,
            "email_verified": self.person.email_verified,
            "govbr_level": self.person.level,
        }
        spoil, self.tamper = self.tamper, ""
        if spoil == "nonce":
            claims["nonce"] = "not-the-nonce-of-this-sign-in"
        elif spoil == "aud":
            claims["aud"] = "another-client"
        elif spoil == "iss":
            claims["iss"] = "https://impostor.example"
        elif spoil == "expired":
            claims["exp"] = now - 60
        signer = self.stranger if spoil == "signature" else self.key
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, signer)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(provider: FakeProvider) -> AsyncIterator[FakeProvider]:
    """Serve ``provider`` on a free loopback port until the block ends."""
    port = _free_port()
    provider.issuer = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(provider.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield provider
    finally:
        server.should_exit = True
        await task
