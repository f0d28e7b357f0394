"""Credentialing at a tier's plenary: delegates are admitted only on valid mandates received in
verified reports from below.

Rules: a mandate from a late assembly is not valid (late assemblies elect no delegates); each
mandate credentials once; the person presenting it (``holder``, whatever the desk records, e.g. a
hash of their document) may hold only one credential per plenary; a titular declared absent is
replaced by the best-ranked remaining alternate of the same assembly and segment.

The plenary's polls, motions and elections belong to the shared plenary code the local tier is
building; this module is the part of the tier plenary that is specific to receiving mandates.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models.consolidation import Absence, Credential, ReceivedMandate, ReceivedReport
from shared.domain.errors import Conflict, Invalid, NotFound
from shared.domain.territory import NATION

log = structlog.get_logger(__name__)


async def _mandate(
    session: AsyncSession, *, cycle_id: str, scope: str, mandate_id: str
) -> ReceivedMandate:
    mandate = await session.get(ReceivedMandate, mandate_id, with_for_update=True)
    if mandate is None or mandate.cycle_id != cycle_id:
        raise NotFound(f"no mandate {mandate_id} received for {cycle_id}")
    if scope != NATION and mandate.uf != scope:
        raise Invalid(f"mandate {mandate_id} is for {mandate.uf}, not {scope}")
    late = await session.scalar(
        select(ReceivedReport.late).where(ReceivedReport.report_id == mandate.report_id)
    )
    if late:
        raise Conflict("the mandate comes from a late assembly, which elects no delegates")
    return mandate


async def credential(
    session: AsyncSession, *, cycle_id: str, scope: str, mandate_id: str, holder: str
) -> dict[str, Any]:
    """Admit the holder of a mandate to this tier's plenary."""
    if not holder.strip():
        raise Invalid("say who presents the mandate (holder)")
    mandate = await _mandate(session, cycle_id=cycle_id, scope=scope, mandate_id=mandate_id)
    if await session.scalar(select(Credential.id).where(Credential.mandate_id == mandate_id)):
        raise Conflict("this mandate is already credentialed")
    holding = await session.scalar(
        select(Credential.mandate_id).where(
            Credential.cycle_id == cycle_id,
            Credential.uf == scope,
            Credential.holder == holder,
            Credential.revoked_at.is_(None),
        )
    )
    if holding:
        raise Conflict("this person already holds a mandate here", mandate_id=holding)
    replaces = None
    if mandate.role == "titular":
        if await session.get(Absence, mandate_id):
            raise Conflict("this titular was declared absent; an alternate holds the seat")
    else:
        replaces = await _seat_for_alternate(session, mandate)
    row = Credential(
        mandate_id=mandate_id,
        cycle_id=cycle_id,
        uf=scope,
        holder=holder,
        replaces_mandate_id=replaces,
    )
    session.add(row)
    await session.flush()
    log.info("delegate.credentialed", mandate=mandate_id, replaces=replaces)
    return credential_view(row, mandate)


async def _seat_for_alternate(session: AsyncSession, alternate: ReceivedMandate) -> str:
    """The absent titular this alternate replaces; alternates come in their ranked order."""
    peers = (
        await session.scalars(
            select(ReceivedMandate)
            .where(
                ReceivedMandate.report_id == alternate.report_id,
                ReceivedMandate.segment == alternate.segment,
            )
            .order_by(ReceivedMandate.rank)
        )
    ).all()
    ids = [m.mandate_id for m in peers]
    absent = set(
        (await session.scalars(select(Absence.mandate_id).where(Absence.mandate_id.in_(ids)))).all()
    )
    credentialed = (
        await session.execute(
            select(Credential.mandate_id, Credential.replaces_mandate_id).where(
                Credential.mandate_id.in_(ids), Credential.revoked_at.is_(None)
            )
        )
    ).all()
    replaced = {r for _, r in credentialed if r}
    seated = {m for m, _ in credentialed}
    open_seats = [
        m.mandate_id
        for m in peers
        if m.role == "titular" and m.mandate_id in absent and m.mandate_id not in replaced
    ]
    if not open_seats:
        raise Conflict("no absent titular of this assembly and segment to replace")
    ahead = [
        m.mandate_id
        for m in peers
        if m.role != "titular"
        and m.rank < alternate.rank
        and m.mandate_id not in seated
        and m.mandate_id not in absent
    ]
    if ahead:
        raise Conflict("a better-ranked alternate comes first", mandate_id=ahead[0])
    return open_seats[0]


async def declare_absent(
    session: AsyncSession, *, cycle_id: str, scope: str, mandate_id: str
) -> dict[str, str]:
    """Record that a delegate did not come, opening their seat to the next alternate."""
    await _mandate(session, cycle_id=cycle_id, scope=scope, mandate_id=mandate_id)
    if await session.scalar(select(Credential.id).where(Credential.mandate_id == mandate_id)):
        raise Conflict("a credentialed delegate cannot be declared absent")
    if await session.get(Absence, mandate_id) is None:
        session.add(Absence(mandate_id=mandate_id, declared_at=datetime.now(UTC)))
        await session.flush()
    return {"mandate_id": mandate_id, "status": "absent"}


def credential_view(row: Credential, mandate: ReceivedMandate) -> dict[str, Any]:
    return {
        "mandate_id": mandate.mandate_id,
        "public_name": mandate.public_name,
        "segment": mandate.segment,
        "role": mandate.role,
        "rank": mandate.rank,
        "assembly_id": mandate.assembly_id,
        "territory": mandate.territory,
        "replaces_mandate_id": row.replaces_mandate_id,
        "credentialed_at": row.created_at.isoformat() if row.created_at else None,
    }


async def list_credentials(
    session: AsyncSession, *, cycle_id: str, scope: str
) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Credential, ReceivedMandate)
        .join(ReceivedMandate, ReceivedMandate.mandate_id == Credential.mandate_id)
        .where(
            Credential.cycle_id == cycle_id,
            Credential.uf == scope,
            Credential.revoked_at.is_(None),
        )
        .order_by(ReceivedMandate.assembly_id, ReceivedMandate.segment, ReceivedMandate.rank)
    )
    return [credential_view(c, m) for c, m in rows]
