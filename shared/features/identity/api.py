"""Identity endpoints: who am I, API tokens, appointing people to roles, one-time codes."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from shared.contracts.http.identity import (
    AccessTokenIssued,
    AccessTokenView,
    Appoint,
    Appointed,
    CodeExchange,
    GrantView,
    Me,
    NewPassword,
    NewToken,
)
from shared.core.access import ROLE_INFO, Grant, Principal, Role
from shared.features.identity.service import Identity
from shared.platform.web.auth import allow, with_a_code

#: Every role that may appoint someone (the operator for the first ones).
APPOINTERS: tuple[Role, ...] = tuple(
    sorted({r for info in ROLE_INFO.values() for r in info.granted_by})
)
STAFF: tuple[Role, ...] = tuple(
    r for r in ROLE_INFO if r not in ("operator", "participant", "delegate")
)


class IdentityController(Controller):
    path = "/api/v1/identity"
    tags = ["identity"]

    @get("/me")
    async def me(
        self, identity: NamedDependency[Identity], principal: NamedDependency[Principal]
    ) -> Me:
        """Who this request comes from and the roles it holds (the public: kind ``anonymous``)."""
        return await identity.me(principal)

    @get("/tokens", **allow(*STAFF))
    async def tokens(
        self, identity: NamedDependency[Identity], principal: NamedDependency[Principal]
    ) -> list[AccessTokenView]:
        """Your API tokens (never their secrets)."""
        return await identity.tokens(principal)

    @post("/tokens", status_code=201, **allow(*STAFF))
    async def issue(
        self,
        identity: NamedDependency[Identity],
        principal: NamedDependency[Principal],
        data: JSONBody[NewToken],
    ) -> AccessTokenIssued:
        """A new API token for you (the secret is in this answer only)."""
        grant_id = uuid.UUID(data.grant_id) if data.grant_id else None
        return await identity.issue_token(
            principal, label=data.label, days=data.days, grant_id=grant_id
        )

    @post("/tokens/{token_id:uuid}/revoke", status_code=200, **allow(*STAFF))
    async def revoke_token(
        self,
        identity: NamedDependency[Identity],
        principal: NamedDependency[Principal],
        token_id: FromPath[uuid.UUID],
    ) -> AccessTokenView:
        """Revoke one of your API tokens."""
        return await identity.revoke_token(principal, token_id)

    @post("/tokens/exchange", status_code=201, **with_a_code())
    async def exchange(
        self, identity: NamedDependency[Identity], data: JSONBody[CodeExchange]
    ) -> AccessTokenIssued:
        """Redeem a one-time sign-in code for an API token (the code then no longer works)."""
        return await identity.exchange_code(data.code, label=data.label, days=data.days)

    @post("/appointments", status_code=201, **allow(*APPOINTERS))
    async def appoint(
        self,
        identity: NamedDependency[Identity],
        principal: NamedDependency[Principal],
        data: JSONBody[Appoint],
    ) -> Appointed:
        """Give a person a role within what yours allows; the answer carries their one-time
        sign-in code to hand over."""
        grant = Grant(
            role=data.role,
            territory=data.territory,
            assembly_id=data.assembly_id,
            council=data.council,
        )
        return await identity.appoint(principal, name=data.name, email=data.email, grant=grant)

    @get("/grants", **allow(*STAFF))
    async def grants(
        self, identity: NamedDependency[Identity], principal: NamedDependency[Principal]
    ) -> list[GrantView]:
        """The roles you hold and those you gave."""
        return await identity.grants_given_by_or_to(principal)

    @post("/grants/{grant_id:uuid}/revoke", status_code=200, **allow(*APPOINTERS))
    async def revoke_grant(
        self,
        identity: NamedDependency[Identity],
        principal: NamedDependency[Principal],
        grant_id: FromPath[uuid.UUID],
    ) -> GrantView:
        """Take a role back (whoever may grant it there may revoke it)."""
        return await identity.revoke_grant(principal, grant_id)

    @post("/password", status_code=204, **allow(*STAFF))
    async def set_password(
        self,
        identity: NamedDependency[Identity],
        principal: NamedDependency[Principal],
        data: JSONBody[NewPassword],
    ) -> None:
        """Set your password (argon2id; at least 12 characters)."""
        await identity.set_password(principal, data.password)
