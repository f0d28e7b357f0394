"""What a convener reads about seats and delegates: the seats this tier shared among a state's
assemblies with the figures behind them (and which assemblies elected under an older
allocation), and the delegate mandates received in verified reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.consolidation import ReceivedMandateView, StateSeats, UnitSeatsView
from shared.core.territory import municipality
from shared.core.vocabulary import NATION
from shared.features.allocation.model import AllocationRecord
from shared.features.allocation.service import list_current, received_for_state
from shared.features.consolidation.model import Credential, ReceivedMandate, ReceivedReport


async def state_seats(session: AsyncSession, *, cycle_id: str, uf: str) -> StateSeats:
    """The current seats sent to each assembly of ``uf``, the exact quota behind each, and
    whether the assembly's delegates were elected before that allocation was made."""
    sent = [
        r
        for r in await list_current(session, cycle_id=cycle_id, uf=uf, direction="sent")
        if r.assembly_id
    ]
    received = await received_for_state(session, cycle_id=cycle_id, uf=uf)
    reports = {
        assembly: closed
        for assembly, closed in await session.execute(
            select(ReceivedReport.assembly_id, func.min(ReceivedReport.closed_at))
            .where(ReceivedReport.cycle_id == cycle_id, ReceivedReport.uf == uf)
            .group_by(ReceivedReport.assembly_id)
        )
    }
    elected = {
        assembly: int(n)
        for assembly, n in await session.execute(
            select(ReceivedMandate.assembly_id, func.count())
            .where(
                ReceivedMandate.cycle_id == cycle_id,
                ReceivedMandate.uf == uf,
                ReceivedMandate.role == "titular",
            )
            .group_by(ReceivedMandate.assembly_id)
        )
    }
    shared = sum(r.seats for r in sent)
    total_value = sum(r.basis_value for r in sent)
    units = [_unit(r, shared, total_value, reports, elected) for r in sent]
    units.sort(key=lambda u: (-u.seats, -u.value, u.name))
    return StateSeats(
        cycle_id=cycle_id,
        uf=uf,
        method=sent[0].method if sent else "",
        basis=sent[0].basis if sent else "",
        received=received.seats if received is not None else None,
        shared=shared,
        total_value=total_value,
        units=units,
        elected_under_older=sum(1 for u in units if u.elected_under_older),
    )


def _unit(
    record: AllocationRecord,
    shared: int,
    total_value: int,
    reports: dict[str, datetime],
    elected: dict[str, int],
) -> UnitSeatsView:
    town = municipality(record.territory)
    elected_at = reports.get(record.assembly_id)
    return UnitSeatsView(
        assembly_id=record.assembly_id,
        territory=record.territory,
        name=town.name if town is not None else record.territory,
        value=record.basis_value,
        quota=round(record.basis_value * shared / total_value, 4) if total_value else 0.0,
        seats=record.seats,
        per_segment=dict(record.per_segment),
        allocated_at=record.created_at,
        elected_at=elected_at,
        elected=elected.get(record.assembly_id, 0),
        elected_under_older=elected_at is not None and elected_at < record.created_at,
    )


async def received_mandates(
    session: AsyncSession, *, cycle_id: str, scope: str, limit: int, offset: int
) -> list[ReceivedMandateView]:
    """Mandates received for a conference (a state's, or every state's at the national one),
    by territory, segment, role and rank."""
    query = select(ReceivedMandate, Credential.id).outerjoin(
        Credential,
        (Credential.mandate_id == ReceivedMandate.mandate_id) & Credential.revoked_at.is_(None),
    )
    query = query.where(ReceivedMandate.cycle_id == cycle_id)
    if scope != NATION:
        query = query.where(ReceivedMandate.uf == scope)
    rows = await session.execute(
        query.order_by(
            ReceivedMandate.uf,
            ReceivedMandate.territory,
            ReceivedMandate.segment,
            ReceivedMandate.role.desc(),
            ReceivedMandate.rank,
            ReceivedMandate.mandate_id,
        )
        .limit(limit)
        .offset(offset)
    )
    return [
        ReceivedMandateView(
            mandate_id=m.mandate_id,
            report_id=m.report_id,
            cycle_id=m.cycle_id,
            uf=m.uf,
            assembly_id=m.assembly_id,
            territory=m.territory,
            public_name=m.public_name,
            segment=m.segment,
            role=m.role,
            rank=m.rank,
            gender=m.gender,
            quota_groups=list(m.quota_groups),
            credentialed=credential is not None,
        )
        for m, credential in rows
    ]
