"""Resolve every request's principal once, before any guard or body parsing runs.

A bearer token (``Authorization``) is resolved by the identity service — an unknown, expired or
revoked one is a 401 there and then. Without one, a signed-in browser's session gives the
person (on the pages only: the session middleware does not run for ``/api``, so a cookie never
authorises an API call); a participant's session keeps only the digest of their voting card, resolved
here like a bearer token (a revoked card signs the phone out); otherwise the request is the
public's.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from shared.core.access import ANONYMOUS, Principal
from shared.core.errors import DomainError
from shared.features.identity.service import Identity
from shared.platform.web.problems import problem_bytes

#: Keys a signed-in browser's session holds.
SESSION_ACCOUNT = "account_id"
SESSION_LEVEL = "level"
#: The digest of a credential the tier issued without an account (a participant's voting
#: card), never the credential itself: a participant signed in on their phone.
SESSION_CREDENTIAL = "credential_digest"


#: Paths that serve no one in particular (assets, probes, metrics): no principal is looked up.
UNPERSONAL = ("/static/", "/health/", "/metrics")


def _unpersonal(scope: Scope) -> bool:
    return str(scope.get("path", "")).startswith(UNPERSONAL)


class PrincipalMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self) -> None:
        self.should_bypass_for_scope = _unpersonal

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        identity: Identity = scope["app"].state.services["identity"]
        try:
            scope["user"] = await self._principal(scope, identity)
        except DomainError as refused:
            await problem_bytes(send, refused, path=scope.get("path", ""))
            return
        await next_app(scope, receive, send)

    @staticmethod
    async def _principal(scope: Scope, identity: Identity) -> Principal:
        headers = dict(scope.get("headers", []))
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return await identity.authenticate(token.strip())
        session: dict[str, Any] = scope.get("session") or {}  # type: ignore[assignment]
        account = session.get(SESSION_ACCOUNT) if isinstance(session, dict) else None
        if account:
            try:
                return await identity.principal_of_account(
                    uuid.UUID(str(account)), level=session.get(SESSION_LEVEL)
                )
            except DomainError:
                session.clear()
        credential = session.get(SESSION_CREDENTIAL) if isinstance(session, dict) else None
        if credential:
            held = await identity.principal_of_credential(str(credential))
            if held is not None:
                return held
            session.clear()  # revoked or replaced at the desk
        return ANONYMOUS
