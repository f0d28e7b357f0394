"""The sealed ballot box (urna selada): each electronic ballot is sealed, when it is cast, to a
key whose private half exists only in this process's memory.

- **Ceremony.** When an assembly (or a tier plenary) opens its ballot box, the service draws a
  32-byte seed with the OS CSPRNG; the X25519 key pair is ``PrivateKey.from_seed(seed)``. The
  seed is split into three SLIP-39 shares of which any two rebuild it (``shamir-mnemonic``,
  Trezor's reference implementation), handed to the presiding board once, as words. Only the
  public key and its fingerprint are written.
- **Cast.** The ballot's canonical JSON is padded with spaces to a length fixed per poll (the
  longest ballot the poll admits), then sealed (libsodium ``crypto_box_seal``): every box of a
  poll has the same length, and none says anything to whoever reads the database, its WAL or
  its backups.
- **Restart.** The public key is read back from the database, so voting goes on after a crash
  or restart; only the closing needs the private key, which two members of the board restore
  by entering their shares.
- **Close.** The boxes are opened in memory and shuffled with ``secrets.SystemRandom`` before
  the public manifest is written (``polls.close_poll``).

The keyring is one object per service process, held by the feature's service; a second
instance of a tier holds only the keys whose shares were entered there.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shamir_mnemonic
from nacl.exceptions import BadSignatureError, CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.signing import VerifyKey
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.core.errors import Conflict, Invalid, NotFound
from shared.features.plenary.model import BallotKey
from shared.platform.bus.signing import Signer

THRESHOLD, SHARES = 2, 3
SEED_BYTES = 32
#: What a sealed box adds to its plaintext (an ephemeral public key and a MAC).
SEAL_OVERHEAD = 48


def fingerprint_of(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()


def padded_length(candidates: Sequence[str]) -> int:
    """The fixed plaintext length of a poll's ballots: its longest admissible ballot (every
    candidate in a group of their own) plus room for JSON's separators."""
    return len(json.dumps([[c] for c in candidates], ensure_ascii=False).encode()) + 16


def pad(plain: bytes, length: int) -> bytes:
    if len(plain) > length:
        raise Invalid("the ballot is longer than any this poll admits")
    return plain + b" " * (length - len(plain))


@dataclass(frozen=True, slots=True)
class Ceremony:
    """What opening a ballot box hands the board, once: the key's fingerprint and the shares."""

    fingerprint: str
    shares: list[str]
    threshold: int = THRESHOLD


def canonical(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def verify_record(signed: dict[str, Any]) -> dict[str, Any]:
    """The record a signed opening or closing record holds, once its Ed25519 signature checks
    against the public key it names (``ValueError`` otherwise)."""
    try:
        VerifyKey(base64.b64decode(signed["public_key"])).verify(
            signed["record"].encode(), base64.b64decode(signed["signature"])
        )
    except (BadSignatureError, KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"the record's signature does not verify: {exc}") from exc
    record: dict[str, Any] = json.loads(signed["record"])
    return record


class BallotBox:
    """The ballot box keys of one service process: public halves cached, private halves only
    here, in memory, never logged and never written. It also signs the polls' opening and
    closing records with the tier's key."""

    def __init__(self, signer: Signer) -> None:
        self.signer = signer
        self._private: dict[str, PrivateKey] = {}
        self._public: dict[str, tuple[PublicKey, str]] = {}

    async def open(self, session: AsyncSession, assembly_id: str) -> Ceremony:
        """The key ceremony: a new key for the assembly, its seed split among the board."""
        seed = secrets.token_bytes(SEED_BYTES)
        private = PrivateKey.from_seed(seed)
        public = bytes(private.public_key)
        fingerprint = fingerprint_of(public)
        created = await session.scalar(
            pg_insert(BallotKey)
            .values(assembly_id=assembly_id, public_key=public, fingerprint=fingerprint)
            .on_conflict_do_nothing()
            .returning(BallotKey.fingerprint)
        )
        if created is None:
            raise Conflict(
                "this ballot box is already open: its board restores the key with their shares"
            )
        groups = shamir_mnemonic.generate_mnemonics(
            group_threshold=1, groups=[(THRESHOLD, SHARES)], master_secret=seed
        )
        self._private[assembly_id] = private
        self._public[assembly_id] = (private.public_key, fingerprint)
        return Ceremony(fingerprint=fingerprint, shares=list(groups[0]))

    async def restore(self, session: AsyncSession, assembly_id: str, shares: Sequence[str]) -> str:
        """Two members of the board enter their shares: the key is rebuilt in memory if it is
        the one whose public half the database holds."""
        public, fingerprint = await self.public_key(session, assembly_id)
        try:
            seed = shamir_mnemonic.combine_mnemonics([" ".join(s.split()) for s in shares])
        except (shamir_mnemonic.MnemonicError, ValueError) as exc:
            raise Invalid(f"these shares do not rebuild a key: {exc}") from exc
        private = PrivateKey.from_seed(seed)
        if bytes(private.public_key) != bytes(public):
            raise Invalid("these shares rebuild another key than this ballot box's")
        self._private[assembly_id] = private
        return fingerprint

    async def public_key(self, session: AsyncSession, assembly_id: str) -> tuple[PublicKey, str]:
        held = self._public.get(assembly_id)
        if held is not None:
            return held
        row = await session.get(BallotKey, assembly_id)
        if row is None:
            raise NotFound("this assembly has not opened its ballot box")
        held = self._public[assembly_id] = (PublicKey(row.public_key), row.fingerprint)
        return held

    async def fingerprint(self, session: AsyncSession, assembly_id: str) -> str | None:
        try:
            return (await self.public_key(session, assembly_id))[1]
        except NotFound:
            return None

    def sign(self, record: dict[str, Any]) -> dict[str, Any]:
        text = canonical(record)
        return {
            "record": text,
            "signer": self.signer.key_id,
            "public_key": self.signer.public_key,
            "signature": self.signer.sign(text.encode()),
        }

    def unlocked(self, assembly_id: str) -> bool:
        return assembly_id in self._private

    async def seal(
        self, session: AsyncSession, assembly_id: str, plain: bytes, length: int
    ) -> tuple[bytes, str]:
        public, fingerprint = await self.public_key(session, assembly_id)
        return SealedBox(public).encrypt(pad(plain, length)), fingerprint

    def opener(self, assembly_id: str, fingerprint: str | None) -> SealedBox[PrivateKey]:
        """What opens the boxes of a poll sealed to ``fingerprint`` (409 while the key is not
        in this process's memory)."""
        private = self._private.get(assembly_id)
        if private is None:
            raise Conflict(
                "the ballot box is locked: two members of the board must enter their shares",
                threshold=THRESHOLD,
            )
        if fingerprint is not None and fingerprint_of(bytes(private.public_key)) != fingerprint:
            raise Conflict("this poll was sealed to another key")
        return SealedBox(private)


def unseal(opener: SealedBox[PrivateKey], box: bytes) -> bytes | None:
    """The padded plaintext, or None for a box that does not open (counted as null)."""
    try:
        return opener.decrypt(box)
    except CryptoError:
        return None
