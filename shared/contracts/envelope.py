"""The versioned envelope every inter-tier message travels in, and the registry of body types.

Wire format: the JSON encoding of :class:`Envelope`, whose ``body`` is the JSON of a registered
body Struct. The Ed25519 signature covers the exact envelope bytes and travels in the
``Plenaria-Signature`` header, so a receiver verifies before it decodes the body. Since version 2
the envelope names the subject it is sent on and the territory it is for, so both are signed: a
receiver refuses a message delivered on another subject (``shared.contracts.authority``).
Version 1 envelopes (unsigned subject) are refused as ``outdated-envelope``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

import msgspec

ENVELOPE_VERSION: Final = 2
#: Envelope versions no longer accepted, and why.
RETIRED_VERSIONS: Final = {1: "envelope v1 does not sign its subject and territory; resend it"}
MSG_ID_HEADER: Final = "Nats-Msg-Id"
SIGNATURE_HEADER: Final = "Plenaria-Signature"
SENDER_HEADER: Final = "Plenaria-Sender"


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """Routing and identity of one message; the body stays raw until its type is known."""

    v: int = ENVELOPE_VERSION
    id: str
    kind: str
    kind_version: int = 1
    sender: str
    created_at: datetime
    #: The subject the message is published on and the territory it is for (a UF, a
    #: municipality's IBGE code, or ``BR``): signed, and checked against the delivery.
    subject: str
    territory: str
    body: msgspec.Raw


class _VersionOnly(msgspec.Struct):
    """Read first, so a future envelope is reported as such rather than as garbage."""

    v: int = ENVELOPE_VERSION


class MessageError(Exception):
    """A message that cannot be applied; ``reason`` is what the dead-letter record shows."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


Body = TypeVar("Body", bound=msgspec.Struct)
_REGISTRY: dict[tuple[str, int], type[msgspec.Struct]] = {}
_KINDS: dict[type[msgspec.Struct], tuple[str, int]] = {}
_encoder = msgspec.json.Encoder()


def message(kind: str, version: int = 1) -> Callable[[type[Body]], type[Body]]:
    """Class decorator registering a body Struct under ``(kind, version)``.

    A change of meaning is a new version (a new Struct); adding a field with a default is not.
    """

    def register(cls: type[Body]) -> type[Body]:
        key = (kind, version)
        if key in _REGISTRY and _REGISTRY[key] is not cls:
            raise ValueError(f"message kind {kind} v{version} registered twice")
        _REGISTRY[key] = cls
        _KINDS[cls] = key
        return cls

    return register


def kind_of(body: msgspec.Struct) -> tuple[str, int]:
    """The registered ``(kind, version)`` of a body instance."""
    try:
        return _KINDS[type(body)]
    except KeyError:
        raise ValueError(f"{type(body).__name__} is not a registered message") from None


def new_message_id() -> str:
    """A new globally unique message id (UUID4 text; also the JetStream ``Nats-Msg-Id``)."""
    return str(uuid.uuid4())


def seal(
    body: msgspec.Struct,
    *,
    sender: str,
    subject: str,
    territory: str | None = None,
    message_id: str | None = None,
) -> Envelope:
    """Wrap a registered body in an envelope for ``subject`` (whose last token is the
    territory unless ``territory`` says otherwise)."""
    kind, version = kind_of(body)
    return Envelope(
        id=message_id or new_message_id(),
        kind=kind,
        kind_version=version,
        sender=sender,
        created_at=datetime.now(UTC),
        subject=subject,
        territory=subject.rsplit(".", 1)[-1] if territory is None else territory,
        body=msgspec.Raw(_encoder.encode(body)),
    )


def encode_envelope(envelope: Envelope) -> bytes:
    """Exact bytes that are signed and published."""
    return _encoder.encode(envelope)


def open_envelope(data: bytes) -> Envelope:
    """Decode the envelope only; raises :class:`MessageError` for garbage or a future version."""
    try:
        version = msgspec.json.decode(data, type=_VersionOnly).v
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise MessageError("undecodable", str(exc)) from exc
    if version in RETIRED_VERSIONS:
        raise MessageError("outdated-envelope", RETIRED_VERSIONS[version])
    if version != ENVELOPE_VERSION:
        raise MessageError("unknown-version", f"envelope v{version}")
    try:
        return msgspec.json.decode(data, type=Envelope)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise MessageError("undecodable", str(exc)) from exc


def decode_body(envelope: Envelope) -> msgspec.Struct:
    """Decode the body into its registered Struct; unknown kinds or versions are errors."""
    body_type = _REGISTRY.get((envelope.kind, envelope.kind_version))
    if body_type is None:
        raise MessageError("unknown-version", f"{envelope.kind} v{envelope.kind_version}")
    try:
        return msgspec.json.decode(envelope.body, type=body_type)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise MessageError("undecodable", f"{envelope.kind}: {exc}") from exc


def registered_kinds() -> dict[tuple[str, int], type[msgspec.Struct]]:
    """Every registered body type (used by round-trip tests)."""
    return dict(_REGISTRY)


def to_builtins(body: msgspec.Struct) -> Any:
    """JSON-compatible form of a body (for storage in JSONB columns)."""
    return msgspec.to_builtins(body)
