"""An assembly's equity tables: its credentialed participants and the delegates it sends up,
by segment, gender and quota group (``shared.core.equity``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.local.model import Assembly, Participant
from shared.contracts.messages import EquityTable, Mandate
from shared.core.participants import quota_groups_of
from shared.features.plenary.claims import elected_mandates
from shared.features.reporting.equity import of_mandates, table

_ATTRIBUTES = (
    Participant.segment,
    Participant.gender,
    Participant.race_colour,
    Participant.age_band,
    Participant.disability,
    Participant.lgbtqia,
    Participant.traditional_people,
)


async def participants_table(session: AsyncSession, assembly: Assembly) -> EquityTable:
    """The credentialed participants (with vote or voice only), counted in one grouped query."""
    rows = (
        await session.execute(
            select(*_ATTRIBUTES, func.count())
            .where(Participant.assembly_id == assembly.id, Participant.credentialed_at.is_not(None))
            .group_by(*_ATTRIBUTES)
        )
    ).all()
    return table(
        "participants",
        "local",
        (
            (
                segment,
                gender,
                quota_groups_of(
                    race_colour=race,
                    age_band=age,
                    disability=disability,
                    lgbtqia=lgbtqia,
                    traditional_people=traditional,
                ),
                n,
            )
            for segment, gender, race, age, disability, lgbtqia, traditional, n in rows
        ),
    )


async def tables(
    session: AsyncSession, assembly: Assembly, mandates: Sequence[Mandate] | None = None
) -> list[EquityTable]:
    """Participants and delegates (``mandates`` when the closing already has them)."""
    if mandates is None:
        mandates = await elected_mandates(session, str(assembly.id))
    return [
        await participants_table(session, assembly),
        of_mandates("delegates", "local", mandates),
    ]
