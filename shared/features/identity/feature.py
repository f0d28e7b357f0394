"""The identity feature every tier mounts: principals for every request, sign-in, API tokens,
appointments; the tier supplies who else it issues credentials to."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from shared.features.identity.api import IdentityController
from shared.features.identity.middleware import PrincipalMiddleware
from shared.features.identity.oidc import OidcClient, OidcConfig
from shared.features.identity.pages import SignInPages, sign_in_rate_limit
from shared.features.identity.service import (
    AssemblyTerritory,
    Identity,
    IdentityConfig,
    Lockout,
    Resolver,
)
from shared.features.identity.sessions import session_middleware
from shared.platform.feature import Feature
from shared.platform.node import Node, signing_seed
from shared.platform.secrets import derived_secret

TEMPLATES = Path(__file__).parent / "templates"


def identity(
    *, resolvers: Sequence[Resolver] = (), assembly_territory: AssemblyTerritory | None = None
) -> Feature:
    def services(node: Node) -> dict[str, Any]:
        settings = node.settings
        config = IdentityConfig(
            tier=settings.tier,
            operator_token=settings.admin_token,
            lockout=Lockout(after=settings.lockout_after, minutes=settings.lockout_minutes),
            subject_key=settings.web_secret or derived_secret(signing_seed(settings), "subjects"),
            resolvers=tuple(resolvers),
            assembly_territory=assembly_territory,
        )
        provider = OidcConfig.from_settings(settings)
        return {
            "identity": Identity(node.db, config),
            "oidc": OidcClient(provider) if provider else None,
        }

    def middleware(node: Node) -> Sequence[Any]:
        limit = sign_in_rate_limit(node.settings.sign_in_attempts_per_minute)
        return [session_middleware(node), PrincipalMiddleware(), limit.middleware]

    return Feature(
        name="identity",
        routes=(IdentityController, SignInPages),
        services=services,
        middleware=middleware,
        templates=(TEMPLATES,),
    )
