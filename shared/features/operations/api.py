"""Dead letters, keys and counts: the same endpoints on every tier."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from shared.contracts.http.operations import (
    DeadLetterPage,
    KeyIn,
    KeyStatus,
    ReplayResult,
    RevocationIn,
    TierStats,
)
from shared.features.operations.service import Operations
from shared.platform.web.auth import allow
from shared.platform.web.paging import MAX_OFFSET


class DeadLetterController(Controller):
    path = "/api/v1/dead-letters"
    tags = ["operations"]

    @get("/", **allow("operator"))
    async def list_letters(
        self,
        operations: NamedDependency[Operations],
        reason: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> DeadLetterPage:
        """Messages this tier refused, newest first, with the reason and raw bytes."""
        return await operations.dead_letters(reason=reason, limit=limit, offset=offset)

    @post("/{letter_id:uuid}/replay", status_code=200, **allow("operator"))
    async def replay(
        self, operations: NamedDependency[Operations], letter_id: FromPath[uuid.UUID]
    ) -> ReplayResult:
        """Run a stored message through verification and apply it again (after a fix)."""
        return await operations.replay(letter_id)


class KeyController(Controller):
    path = "/api/v1/keys"
    tags = ["operations"]

    @post("/", status_code=201, **allow("operator"))
    async def register(
        self, operations: NamedDependency[Operations], data: JSONBody[KeyIn]
    ) -> KeyStatus:
        """Trust a sender's public key (an operator's out-of-band registration)."""
        return await operations.trust_key(data)

    @post("/revoke", status_code=200, **allow("operator"))
    async def revoke(
        self, operations: NamedDependency[Operations], data: JSONBody[RevocationIn]
    ) -> KeyStatus:
        """Stop trusting a key."""
        return await operations.revoke_key(data)


class StatsController(Controller):
    path = "/api/v1/stats"
    tags = ["operations"]

    @get("/")
    async def stats(
        self, operations: NamedDependency[Operations], tables: FromQuery[bool] = True
    ) -> TierStats:
        """Counts of rows, statuses and messages (``tables=false`` for the cheap message part)."""
        return await operations.stats(tables=tables)
