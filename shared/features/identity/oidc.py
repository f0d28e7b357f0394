"""Sign-in through an OpenID Connect provider, shaped for gov.br's Login Único.

Authorization code flow with PKCE (S256), ``state`` and a mandatory ``nonce``; the client
authenticates at the token endpoint with HTTP Basic (``client_secret_basic``), as gov.br asks.
The ID token is checked with joserfc against the provider's published keys: signature,
``iss``, ``aud``, ``exp`` and the nonce of this very sign-in. The account level (bronze < prata
< ouro) comes from gov.br's confiabilidades service when ``oidc_levels_url`` is set, otherwise
from an ID-token claim; a role whose minimum level the sign-in does not reach does not count
(:meth:`shared.core.access.Principal.holds`).

The protocol pieces (grant URI, PKCE challenge, token request body) are authlib's; authlib's
own httpx client is not used because it is deprecated in favour of a package this project does
not install, so the two requests go through httpx directly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
import structlog
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from shared.core.access import LEVELS, TrustLevel
from shared.core.errors import Unauthorized
from shared.platform.settings import Settings

log = structlog.get_logger(__name__)

ALGORITHMS = ("RS256", "PS256", "ES256")
#: gov.br's confiabilidade levels by their ids.
GOVBR_LEVEL_IDS: dict[str, TrustLevel] = {"1": "bronze", "2": "prata", "3": "ouro"}
METADATA_TTL_S = 3600.0
TIMEOUT_S = 10.0
RETURN_PATH = "/entrar/govbr/retorno"


@dataclass(frozen=True, slots=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    redirect_uri: str
    level_claim: str
    levels_url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcConfig | None:
        """The provider configured for this tier, or None (sign-in through it is off)."""
        if not settings.oidc_issuer:
            return None
        return cls(
            issuer=settings.oidc_issuer.rstrip("/"),
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            scopes=settings.oidc_scopes,
            redirect_uri=settings.base_url + RETURN_PATH,
            level_claim=settings.oidc_level_claim,
            levels_url=settings.oidc_levels_url,
        )


class Pending(msgspec.Struct, kw_only=True):
    """What a browser's session keeps between leaving for the provider and coming back."""

    state: str
    nonce: str
    verifier: str
    next: str


class ProviderIdentity(msgspec.Struct, kw_only=True):
    """Who the provider says signed in."""

    subject: str
    name: str
    email: str | None
    email_verified: bool
    level: TrustLevel


class OidcClient:
    def __init__(self, config: OidcConfig, http: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self._http = http
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=TIMEOUT_S)
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (cached for an hour); its issuer must be ours."""
        if self._metadata is None or time.monotonic() - self._metadata_at > METADATA_TTL_S:
            url = f"{self.config.issuer}/.well-known/openid-configuration"
            found = await self._get_json(url)
            if str(found.get("issuer", "")).rstrip("/") != self.config.issuer:
                raise Unauthorized("the sign-in provider names another issuer")
            self._metadata, self._metadata_at = found, time.monotonic()
        return self._metadata

    async def begin(self, next_path: str) -> tuple[str, Pending]:
        """Where to send the browser, and what to keep in its session until it returns."""
        meta = await self.metadata()
        pending = Pending(
            state=generate_token(32),
            nonce=generate_token(32),
            verifier=generate_token(64),
            next=next_path,
        )
        url = prepare_grant_uri(
            meta["authorization_endpoint"],
            client_id=self.config.client_id,
            response_type="code",
            redirect_uri=self.config.redirect_uri,
            scope=self.config.scopes,
            state=pending.state,
            nonce=pending.nonce,
            code_challenge=create_s256_code_challenge(pending.verifier),
            code_challenge_method="S256",
        )
        return url, pending

    async def finish(self, pending: Pending, *, code: str, state: str) -> ProviderIdentity:
        """Redeem the code the provider returned and check its ID token; 401 for anything
        that does not match this very sign-in."""
        if not code or state != pending.state:
            raise Unauthorized("this sign-in did not start here, or it expired: start again")
        meta = await self.metadata()
        body = prepare_token_request(
            "authorization_code",
            code=code,
            redirect_uri=self.config.redirect_uri,
            code_verifier=pending.verifier,
        )
        try:
            answer = await self._client().post(
                meta["token_endpoint"],
                content=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                auth=(self.config.client_id, self.config.client_secret),
            )
        except httpx.HTTPError as failure:
            log.warning("oidc.token_unreachable", error=type(failure).__name__)
            raise Unauthorized("the sign-in provider could not be reached: try again") from None
        if answer.status_code != 200:
            log.warning("oidc.token_refused", status=answer.status_code)
            raise Unauthorized("the sign-in provider refused this sign-in")
        tokens = answer.json()
        claims = await self._checked_claims(str(tokens.get("id_token", "")), pending.nonce)
        level = await self._level(claims, str(tokens.get("access_token", "")))
        return ProviderIdentity(
            subject=str(claims["sub"]),
            name=str(claims.get("name") or claims.get("social_name") or ""),
            email=str(claims["email"]).lower() if claims.get("email") else None,
            email_verified=bool(claims.get("email_verified", False)),
            level=level,
        )

    async def _checked_claims(self, id_token: str, nonce: str) -> dict[str, Any]:
        registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.config.issuer},
            aud={"essential": True, "value": self.config.client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        for attempt in (1, 2):
            keys = await self._key_set(refresh=attempt == 2)
            try:
                token = jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
                registry.validate(token.claims)
                return dict(token.claims)
            except JoseError as refused:
                # An unknown key id may be a rotation: fetch the keys once more.
                if attempt == 1 and "key" in type(refused).__name__.lower():
                    continue
                log.warning("oidc.id_token_refused", reason=type(refused).__name__)
                raise Unauthorized("the sign-in provider's answer did not check out") from None
        raise Unauthorized("the sign-in provider's answer did not check out")

    async def _key_set(self, *, refresh: bool) -> KeySet:
        if self._keys is None or refresh:
            meta = await self.metadata()
            self._keys = KeySet.import_key_set(await self._get_json(meta["jwks_uri"]))  # type: ignore[arg-type]
        return self._keys

    async def _level(self, claims: dict[str, Any], access_token: str) -> TrustLevel:
        """The account level; the weakest when the provider says nothing about it."""
        found: list[TrustLevel] = []
        if self.config.levels_url:
            url = self.config.levels_url.replace("{sub}", str(claims["sub"]))
            try:
                answer = await self._client().get(
                    url, headers={"Authorization": f"Bearer {access_token}"}
                )
                answer.raise_for_status()
                for entry in answer.json():
                    level_id = str(entry.get("id", "") if isinstance(entry, dict) else entry)
                    if level_id in GOVBR_LEVEL_IDS:
                        found.append(GOVBR_LEVEL_IDS[level_id])
            except (httpx.HTTPError, ValueError, AttributeError) as failure:
                log.warning("oidc.levels_unavailable", error=type(failure).__name__)
        else:
            value = claims.get(self.config.level_claim)
            values = value if isinstance(value, list) else [value]
            found = [v for v in values if v in LEVELS]
        return max(found, key=LEVELS.index) if found else "bronze"

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            answer = await self._client().get(url)
            answer.raise_for_status()
            found = answer.json()
        except (httpx.HTTPError, ValueError) as failure:
            log.warning("oidc.provider_unreachable", url=url, error=type(failure).__name__)
            raise Unauthorized("the sign-in provider could not be reached: try again") from None
        if not isinstance(found, dict):
            raise Unauthorized("the sign-in provider answered something unexpected")
        return found
