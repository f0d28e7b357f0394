"""The receiver's inbox: the very same signed bytes delivered again under a new JetStream id (as
after the duplicate window expired) are recognised and applied once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from shared.contracts.envelope import MSG_ID_HEADER
from shared.features.consolidation.model import ReceivedReport
from shared.platform.bus.models import InboxEntry
from shared.platform.settings import load_settings
from tests.support.bus import publish
from tests.support.polling import eventually
from tests.support.reports import FakeAssembly
from tests.support.tiers import Federation, TierFactory

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


async def test_the_inbox_forgets_only_what_the_streams_no_longer_hold(
    tier_factory: TierFactory,
) -> None:
    """Inbox rows older than the retention are pruned by the node's own loop; younger ones stay
    (they still guard against a replay)."""
    fed = await tier_factory("regional", inbox_prune_interval_s=0.2)
    old, young = datetime.now(UTC) - timedelta(days=200), datetime.now(UTC)
    async with fed.node("regional").db.transaction() as session:
        for message_id, applied_at in (("old-one", old), ("young-one", young)):
            session.add(
                InboxEntry(
                    message_id=message_id,
                    kind="report",
                    sender="x",
                    subject="s",
                    applied_at=applied_at,
                )
            )

    async def kept() -> list[str] | None:
        async with fed.node("regional").db.reading() as session:
            ids = list(await session.scalars(select(InboxEntry.message_id)))
        return ids if "old-one" not in ids else None

    assert await eventually(kept) == ["young-one"]


def test_settings_refuse_an_inbox_that_forgets_before_the_stream() -> None:
    with pytest.raises(ValueError, match="INBOX_RETENTION_S must be at least"):
        load_settings(
            "regional",
            {"PLENARIA_STREAM_MAX_AGE_S": "864000", "PLENARIA_INBOX_RETENTION_S": "3600"},
        )
    with pytest.raises(ValueError, match="DUPLICATE_WINDOW_S must not exceed"):
        load_settings(
            "regional",
            {
                "PLENARIA_STREAM_MAX_AGE_S": "3600",
                "PLENARIA_INBOX_RETENTION_S": "7200",
                "PLENARIA_DUPLICATE_WINDOW_S": "86400",
            },
        )
