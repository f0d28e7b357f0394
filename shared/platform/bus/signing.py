"""Ed25519 signatures over envelope bytes (PyNaCl), and the ring of keys a receiver trusts."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from pathlib import Path

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from shared.contracts.envelope import MessageError


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def new_seed() -> str:
    """A fresh Ed25519 seed, base64."""
    return _b64(bytes(SigningKey.generate()))


def public_key_of(seed_b64: str) -> str:
    """Base64 public key for a base64 seed."""
    return _b64(bytes(SigningKey(_unb64(seed_b64)).verify_key))


def ensure_keypair(path: Path) -> tuple[str, str]:
    """Read the seed stored at ``path`` or create it (mode 0600); return (seed, public key)."""
    if path.exists():
        seed = path.read_text().strip()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        seed = new_seed()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(seed + "\n")
    return seed, public_key_of(seed)


class Signer:
    """Signs outgoing envelopes as ``key_id``."""

    def __init__(self, key_id: str, seed_b64: str) -> None:
        self.key_id = key_id
        self._key = SigningKey(_unb64(seed_b64))
        self.public_key = _b64(bytes(self._key.verify_key))

    def sign(self, data: bytes) -> str:
        return _b64(self._key.sign(data).signature)


class KeyRing:
    """Public keys this receiver trusts, by sender id; revoked keys never verify."""

    def __init__(self, keys: Mapping[str, str] | None = None) -> None:
        self._keys: dict[str, VerifyKey] = {}
        self._revoked: set[str] = set()
        for key_id, public in (keys or {}).items():
            self.trust(key_id, public)

    def trust(self, key_id: str, public_b64: str) -> None:
        self._keys[key_id] = VerifyKey(_unb64(public_b64))
        self._revoked.discard(key_id)

    def revoke(self, key_id: str) -> None:
        self._revoked.add(key_id)

    def knows(self, key_id: str) -> bool:
        return key_id in self._keys and key_id not in self._revoked

    def is_revoked(self, key_id: str) -> bool:
        return key_id in self._revoked

    def verify(self, sender: str, data: bytes, signature_b64: str | None) -> None:
        """Raise :class:`MessageError` unless ``data`` carries ``sender``'s valid signature."""
        if not signature_b64:
            raise MessageError("unsigned", f"no signature from {sender}")
        if sender in self._revoked:
            raise MessageError("revoked-key", sender)
        key = self._keys.get(sender)
        if key is None:
            raise MessageError("unknown-sender", sender)
        try:
            key.verify(data, _unb64(signature_b64))
        except (BadSignatureError, ValueError) as exc:
            raise MessageError("forged", f"bad signature from {sender}") from exc
