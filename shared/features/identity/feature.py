"""The identity feature every tier mounts: principals for every request, sign-in, API tokens,
appointments; the tier supplies who else it issues credentials to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.features.identity.api import IdentityController
from shared.features.identity.middleware import PrincipalMiddleware
from shared.features.identity.service import AssemblyTerritory, Identity, IdentityConfig, Resolver
from shared.features.identity.sessions import session_middleware
from shared.platform.feature import Feature
from shared.platform.node import Node


def identity(
    *, resolvers: Sequence[Resolver] = (), assembly_territory: AssemblyTerritory | None = None
) -> Feature:
    def services(node: Node) -> dict[str, Any]:
        config = IdentityConfig(
            tier=node.settings.tier,
            operator_token=node.settings.admin_token,
            resolvers=tuple(resolvers),
            assembly_territory=assembly_territory,
        )
        return {"identity": Identity(node.db, config)}

    def middleware(node: Node) -> Sequence[Any]:
        return [session_middleware(node), PrincipalMiddleware()]

    return Feature(
        name="identity",
        routes=(IdentityController,),
        services=services,
        middleware=middleware,
    )
