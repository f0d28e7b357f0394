"""Where trusted keys come from, and what each may sign for.

* **Instance keys** come only from the operator's trusted-keys file, with their role (tier) and
  territories. Nothing on the bus or in the database changes them: a ``trusted_key`` row named
  like an instance is ignored, and an introduction or revocation of one is refused.
* **Introduced keys** (one per assembly) live in the ``trusted_key`` table. An instance may
  introduce them only inside its own namespace (``<instance>/…``) and territories, so each one's
  scope is narrower than its introducer's; it may revoke only those keys too.

The trusted-keys file is JSON ``{"<instance>": "<base64 public key>"}`` (the tier is read from
the id: ``regional`` or ``regional-sp``; territories ``BR``) or, to scope an instance,
``{"<instance>": {"public_key": "…", "tier": "regional", "territories": ["SP"]}}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.authority import DELEGABLE, Scope, SignerRole, covers, instance_role
from shared.contracts.envelope import MessageError
from shared.contracts.messages import KeyIntroduction, KeyRevocation
from shared.core.vocabulary import NATION
from shared.platform.bus.models import TrustedKey
from shared.platform.bus.signing import KeyRing

#: Who registers keys through the operator's API (``POST /api/v1/keys``).
OPERATOR = "admin"


class TrustedInstance(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of the trusted-keys file."""

    public_key: str
    tier: str = ""
    territories: list[str] = msgspec.field(default_factory=lambda: [NATION])
    #: Earlier public keys of this instance (kept by ``plenaria keys rotate``, never trusted).
    previous: list[str] = msgspec.field(default_factory=list)
    #: Each rotation: ``at``, ``from``, ``to`` and the statement's signatures by both keys.
    rotations: list[dict[str, str]] = msgspec.field(default_factory=list)


def parse_trusted(data: object, origin: str = "trusted keys") -> dict[str, TrustedInstance]:
    """The instances of a trusted-keys document (see the module docstring)."""
    if not isinstance(data, dict):
        raise ValueError(f"{origin}: expected a JSON object of instance id → key")
    entries: dict[str, TrustedInstance] = {}
    for key_id, value in data.items():
        if "/" in str(key_id):
            raise ValueError(f"{origin}: {key_id!r} is not an instance id (no '/' allowed)")
        entry = (
            TrustedInstance(public_key=value)
            if isinstance(value, str)
            else msgspec.convert(value, TrustedInstance)
        )
        instance_role(str(key_id), entry.tier)  # fails early for an id of no known tier
        entries[str(key_id)] = entry
    return entries


def read_trusted_file(path: str) -> dict[str, TrustedInstance]:
    """The instances in the operator's file ('' means none)."""
    if not path:
        return {}
    return parse_trusted(json.loads(Path(path).read_text()), path)


def instance_scope(key_id: str, entry: TrustedInstance) -> Scope:
    return Scope(
        key_id=key_id,
        role=instance_role(key_id, entry.tier),
        territories=frozenset(entry.territories),
    )


@dataclass(frozen=True, slots=True)
class _Introduced:
    scope: Scope
    introduced_by: str


class TrustStore:
    """The receiver's key ring, each key's scope, and the rules of who may vouch for keys."""

    def __init__(self, instances: dict[str, TrustedInstance]) -> None:
        self.instances = dict(instances)
        self.instance_keys = {k: v.public_key for k, v in instances.items()}
        self.ring = KeyRing(self.instance_keys)
        self._scopes = {k: instance_scope(k, v) for k, v in instances.items()}
        self._introduced: dict[str, _Introduced] = {}

    def scope_of(self, key_id: str) -> Scope | None:
        """What ``key_id`` may sign for (None: not a key we know)."""
        if key_id in self._scopes:
            return self._scopes[key_id]
        introduced = self._introduced.get(key_id)
        return introduced.scope if introduced else None

    async def reload(self, session: AsyncSession) -> None:
        """Refresh from the database (another instance of this tier may have learnt a key).
        Rows named like an instance never override the operator's file."""
        ring = KeyRing(self.instance_keys)
        introduced: dict[str, _Introduced] = {}
        for row in (await session.scalars(select(TrustedKey))).all():
            if row.key_id in self.instance_keys:
                continue
            ring.trust(row.key_id, row.public_key)
            if row.revoked_at is not None:
                ring.revoke(row.key_id)
            introduced[row.key_id] = _Introduced(
                self._introduced_scope(row.key_id, row.territory, row.assembly_id),
                row.introduced_by,
            )
        self.ring = ring
        self._introduced = introduced

    @staticmethod
    def _introduced_scope(key_id: str, territory: str, assembly_id: str) -> Scope:
        return Scope(
            key_id=key_id,
            role="assembly",
            territories=frozenset({territory}) if territory else frozenset(),
            assembly_id=assembly_id,
        )

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

    def _may_introduce(self, introducer: str, key: KeyIntroduction) -> None:
        if key.key_id in self.instance_keys:
            raise MessageError(
                "unauthorised-sender",
                f"key.introduced by {introducer} for instance key {key.key_id}: instance keys "
                "come only from the operator's trusted-keys file",
            )
        if introducer == OPERATOR:
            return  # an out-of-band registration: the key gets an assembly's scope, no more
        scope = self._scopes.get(introducer)
        if scope is None:
            raise MessageError("untrusted-introducer", f"{introducer} may not introduce keys")
        if "assembly" not in DELEGABLE.get(scope.role, frozenset()):
            raise MessageError(
                "unauthorised-sender",
                f"key.introduced signed by {scope.describe()}: its role introduces no keys",
            )
        if not key.key_id.startswith(f"{introducer}/"):
            raise MessageError(
                "unauthorised-sender",
                f"key.introduced signed by {scope.describe()} for {key.key_id}: outside its "
                "namespace",
            )
        if not key.territory or not covers(scope.territories, key.territory):
            raise MessageError(
                "unauthorised-sender",
                f"key.introduced signed by {scope.describe()} for {key.key_id} in "
                f"{key.territory or 'no territory'}: outside its territories",
            )

    async def register(
        self, session: AsyncSession, key: KeyIntroduction, *, introduced_by: str
    ) -> None:
        """Trust a key vouched for by an instance (within its scope) or by the operator.
        A revoked key stays revoked; a key may be replaced only by its own introducer."""
        self._may_introduce(introduced_by, key)
        existing = await session.get(TrustedKey, key.key_id, with_for_update=True)
        if existing is not None:
            if existing.revoked_at is not None:
                raise MessageError("revoked-key", f"{key.key_id} was revoked; introduce a new id")
            if existing.introduced_by != introduced_by:
                raise MessageError(
                    "unauthorised-sender",
                    f"key.introduced by {introduced_by} for {key.key_id}, which "
                    f"{existing.introduced_by} introduced",
                )
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
                set_={
                    "public_key": key.public_key,
                    "assembly_id": key.assembly_id,
                    "territory": key.territory,
                },
            )
        )
        self.ring.trust(key.key_id, key.public_key)
        self._introduced[key.key_id] = _Introduced(
            self._introduced_scope(key.key_id, key.territory, key.assembly_id), introduced_by
        )

    async def revoke(
        self, session: AsyncSession, revocation: KeyRevocation, *, revoked_by: str
    ) -> None:
        """Stop trusting an introduced key: the operator any, an instance only the keys in its
        namespace and territories. Instance keys change only in the operator's file."""
        key_id = revocation.key_id
        if key_id in self.instance_keys:
            raise MessageError(
                "unauthorised-sender",
                f"key.revoked by {revoked_by} for instance key {key_id}: instance keys change "
                "only in the operator's trusted-keys file",
            )
        if revoked_by != OPERATOR:
            scope = self._scopes.get(revoked_by)
            role: SignerRole | None = scope.role if scope else None
            if scope is None or "assembly" not in DELEGABLE.get(role or "assembly", frozenset()):
                raise MessageError(
                    "unauthorised-sender", f"key.revoked by {revoked_by}: it may revoke no keys"
                )
            if not key_id.startswith(f"{revoked_by}/"):
                raise MessageError(
                    "unauthorised-sender",
                    f"key.revoked signed by {scope.describe()} for {key_id}: outside its namespace",
                )
            row = await session.get(TrustedKey, key_id)
            if row is not None and not covers(scope.territories, row.territory or "?"):
                raise MessageError(
                    "unauthorised-sender",
                    f"key.revoked signed by {scope.describe()} for {key_id} in {row.territory}: "
                    "outside its territories",
                )
        await session.execute(
            update(TrustedKey)
            .where(TrustedKey.key_id == key_id)
            .values(revoked_at=datetime.now(UTC), revoke_reason=revocation.reason)
        )
        self.ring.revoke(key_id)
