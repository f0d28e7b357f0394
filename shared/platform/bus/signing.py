"""Ed25519 signatures over envelope bytes (PyNaCl), and the ring of keys a receiver trusts.

Keys an instance introduces (one per assembly) are never stored: each one's seed is derived
with HKDF-SHA256 from the instance's own seed and the key's id (:meth:`Signer.derive`), so the
instance seed — a mounted secret outside the database — is the only signing secret there is.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
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


#: HKDF salt of derived keys; a new scheme is a new salt (and new key ids).
DERIVATION_SALT = b"plenaria/derived-signing-key/v1"


def derive_seed(seed_b64: str, key_id: str) -> str:
    """The seed of the key ``key_id`` derived from an instance seed (base64 in, base64 out)."""
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=DERIVATION_SALT, info=key_id.encode("utf-8")
    )
    return _b64(hkdf.derive(_unb64(seed_b64)))


class Signer:
    """Signs outgoing envelopes as ``key_id``."""

    def __init__(self, key_id: str, seed_b64: str) -> None:
        self.key_id = key_id
        self._seed = seed_b64
        self._key = SigningKey(_unb64(seed_b64))
        self.public_key = _b64(bytes(self._key.verify_key))

    def derive(self, key_id: str) -> Signer:
        """The signer of a key this instance introduces (``<instance>/assembly/<id>``),
        derived from this one's seed: the same id always gives the same key."""
        if not key_id.startswith(f"{self.key_id}/"):
            raise ValueError(f"{key_id} is outside {self.key_id}'s namespace")
        return Signer(key_id, derive_seed(self._seed, key_id))

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
