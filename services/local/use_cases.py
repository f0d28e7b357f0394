"""Entry points other code calls by name (tests, simulation): kept stable while the local tier
grew into modules per concern."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.local.assemblies import get_assembly
from services.local.auth import Actor
from services.local.closing import close_assembly
from services.local.model import Proposal
from services.local.proposals import submit_many

__all__ = ["close_assembly", "get_assembly", "submit_proposal"]


async def submit_proposal(session: AsyncSession, assembly_id: uuid.UUID, **fields: Any) -> Proposal:
    """Submit one proposal as the assembly's secretary."""
    assembly = await get_assembly(session, assembly_id)
    rows = await submit_many(session, assembly, Actor("secretary"), [fields])
    proposal = await session.get(Proposal, rows[0]["id"])
    assert proposal is not None
    return proposal
