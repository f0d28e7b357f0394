"""Rotating an instance key: an operator action that needs both the old and the new seed.

Instance keys never change over the bus. To replace one, the operator runs
``plenaria keys rotate`` with the trusted-keys file, the instance id, the old seed (proving the
rotation comes from whoever held the trusted key) and the new seed (proving the new key is
held). The file's entry gets the new public key, the old one moves to ``previous`` (never
trusted again), and a rotation record signed by both keys is kept for audit. Every tier then
restarts with the new file; the rotated instance restarts with the new seed, and the keys it
derives for its assemblies change with it, so each assembly introduces its new key, signed
with the new instance key, before its report.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from shared.platform.bus.keys import parse_trusted
from shared.platform.bus.signing import KeyRing, Signer
from shared.tools.runtime.provision import write_private


class RotationError(ValueError):
    """The rotation was refused; nothing was written."""


def rotation_statement(instance: str, old_public: str, new_public: str, at: str) -> bytes:
    """The bytes both keys sign: which instance, from which key to which, when."""
    return json.dumps(
        {"instance": instance, "from": old_public, "to": new_public, "at": at}, sort_keys=True
    ).encode()


def rotate_instance_key(
    trusted_file: Path, instance: str, old_seed: str, new_seed: str
) -> dict[str, str]:
    """Replace ``instance``'s trusted key in ``trusted_file``; returns the rotation record."""
    entries = parse_trusted(json.loads(trusted_file.read_text()), str(trusted_file))
    entry = entries.get(instance)
    if entry is None:
        raise RotationError(f"{instance} is not in {trusted_file}")
    try:
        old, new = Signer(instance, old_seed), Signer(instance, new_seed)
    except (ValueError, TypeError) as exc:
        raise RotationError(f"not an Ed25519 seed (base64 of 32 bytes): {exc}") from exc
    if old.public_key != entry.public_key:
        raise RotationError(f"the old seed is not the key {trusted_file} trusts for {instance}")
    if new.public_key == old.public_key or new.public_key in entry.previous:
        raise RotationError("the new key must be one this instance never had")
    at = datetime.now(UTC).isoformat()
    statement = rotation_statement(instance, old.public_key, new.public_key, at)
    record = {
        "at": at,
        "from": old.public_key,
        "to": new.public_key,
        "signed_by_old": old.sign(statement),
        "signed_by_new": new.sign(statement),
    }
    for key, signature in ((old.public_key, "signed_by_old"), (new.public_key, "signed_by_new")):
        KeyRing({instance: key}).verify(instance, statement, record[signature])
    entries[instance] = msgspec.structs.replace(
        entry,
        public_key=new.public_key,
        previous=[*entry.previous, old.public_key],
        rotations=[*entry.rotations, record],
    )
    document = {key: msgspec.to_builtins(value) for key, value in entries.items()}
    write_private(trusted_file, json.dumps(document, indent=2, sort_keys=True) + "\n")
    return record


def read_seed(path: Path) -> str:
    text = path.read_text().strip()
    try:
        base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise RotationError(f"{path}: not a base64 seed") from exc
    return text
