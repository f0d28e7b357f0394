"""Random credentials and how they are stored: 256-bit tokens kept as SHA-256 digests (a random
token needs no slow hash), short human codes, and argon2id for passwords people choose."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: Letters and digits that cannot be mistaken for one another when read aloud or typed.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) defaults


def new_token() -> str:
    """A bearer secret: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def new_code(length: int = 10) -> str:
    """A code a person types or reads from a badge, grouped for reading (``ABCDE-FGHJK``)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    return "-".join(raw[i : i + 5] for i in range(0, length, 5))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch in CODE_ALPHABET)


def digest(secret: str) -> str:
    """What is stored of a random secret (codes are compared without dashes or case)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def code_digest(code: str) -> str:
    return digest(normalise_code(code))


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def derived_secret(seed: str, purpose: str) -> str:
    """A secret for one purpose (CSRF, subject hashing) derived from a master secret, so a tier
    configures one seed and every instance derives the same value."""
    return hmac.new(seed.encode(), f"plenaria/{purpose}".encode(), hashlib.sha256).hexdigest()


def keyed_digest(key: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` (e.g. a CPF-bearing subject kept only as this digest)."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()
