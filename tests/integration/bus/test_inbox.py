"""The receiver's inbox: the very same signed bytes delivered again under a new JetStream id (as
after the duplicate window expired) are recognised and applied once."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from shared.contracts.envelope import MSG_ID_HEADER
from shared.features.consolidation.model import ReceivedReport
from shared.platform.bus.models import InboxEntry
from tests.support.bus import publish
from tests.support.polling import eventually
from tests.support.reports import FakeAssembly
from tests.support.tiers import Federation

TEXTS = [("saude-1", "national", "Ampliar o número de UBS nas periferias")]


async def test_same_message_delivered_twice_is_applied_once(regional_tier: Federation) -> None:
    regional = regional_tier.nodes["regional"]
    assembly = FakeAssembly(regional_tier, "3550308", "SP")
    await assembly.introduce()
    row = await assembly.send(assembly.report(TEXTS))

    async def received() -> int:
        async with regional.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(ReceivedReport)) or 0)

    await eventually(received)
    # Only the receiver's inbox can recognise it now: JetStream sees a new message id.
    headers = {**row["headers"], MSG_ID_HEADER: str(uuid.uuid4())}
    ack = await publish(regional_tier.nats_url, str(row["subject"]), row["data"], headers)
    assert not ack.duplicate

    async def duplicates() -> int:
        async with regional.sessions() as session:
            entry = await session.get(InboxEntry, row["id"])
            return entry.duplicates if entry else 0

    assert await eventually(duplicates) == 1
    assert await received() == 1
