"""Where trusted keys come from: the operator's trusted-keys file (instance keys) and the
``trusted_key`` table (keys those instances introduced over the bus, e.g. one per assembly)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.envelope import MessageError
from shared.contracts.messages import KeyIntroduction, KeyRevocation
from shared.platform.bus.models import TrustedKey
from shared.platform.bus.signing import KeyRing


def read_trusted_file(path: str) -> dict[str, str]:
    """``{"sender-id": "base64 public key"}`` from the operator's file ('' means none)."""
    if not path:
        return {}
    data = json.loads(Path(path).read_text())
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{path}: expected a JSON object of sender id → base64 public key")
    return {str(k): v for k, v in data.items()}


class TrustStore:
    """The receiver's key ring plus the rule of who may vouch for new keys."""

    def __init__(self, instance_keys: dict[str, str]) -> None:
        self.instance_keys = dict(instance_keys)
        self.ring = KeyRing(instance_keys)

    async def reload(self, session: AsyncSession) -> None:
        """Refresh from the database (another instance of this tier may have learnt a key)."""
        ring = KeyRing(self.instance_keys)
        for row in (await session.scalars(select(TrustedKey))).all():
            ring.trust(row.key_id, row.public_key)
            if row.revoked_at is not None:
                ring.revoke(row.key_id)
        self.ring = ring

    def awaits_introduction(self, sender: str) -> bool:
        """True for a key we never heard of that a trusted instance names as its own
        (``<instance>/…``, e.g. ``local/assembly/<id>``): its introduction is most likely still
        on its way — being applied by another instance of this tier, or redelivered behind the
        message it signed — so the message is worth retrying before it is dead-lettered."""
        instance, slash, _ = sender.partition("/")
        return (
            bool(slash)
            and instance in self.instance_keys
            and not self.ring.knows(sender)
            and not self.ring.is_revoked(sender)
        )

    async def register(
        self, session: AsyncSession, key: KeyIntroduction, *, introduced_by: str
    ) -> None:
        """Trust a key vouched for by a trusted instance (or registered by an administrator)."""
        if introduced_by != "admin" and introduced_by not in self.instance_keys:
            raise MessageError("untrusted-introducer", f"{introduced_by} may not introduce keys")
        await session.execute(
            insert(TrustedKey)
            .values(
                key_id=key.key_id,
                public_key=key.public_key,
                assembly_id=key.assembly_id,
                territory=key.territory,
                introduced_by=introduced_by,
            )
            .on_conflict_do_update(
                index_elements=[TrustedKey.key_id],
                set_={"public_key": key.public_key, "revoked_at": None, "revoke_reason": ""},
            )
        )
        self.ring.trust(key.key_id, key.public_key)

    async def revoke(self, session: AsyncSession, revocation: KeyRevocation) -> None:
        await session.execute(
            update(TrustedKey)
            .where(TrustedKey.key_id == revocation.key_id)
            .values(revoked_at=datetime.now(UTC), revoke_reason=revocation.reason)
        )
        self.ring.revoke(revocation.key_id)
