"""Every wire message survives the trip: built with every field set, sealed into an envelope,
encoded, opened and decoded back to an equal body — the property the envelope promises."""

from __future__ import annotations

import types
import typing
from datetime import UTC, datetime
from typing import Any, Literal, get_args, get_origin

import msgspec
import pytest

from shared.contracts import messages  # noqa: F401 - registers every body
from shared.contracts.envelope import (
    decode_body,
    encode_envelope,
    kind_of,
    open_envelope,
    registered_kinds,
    seal,
)

KINDS = sorted(registered_kinds().items())


def sample(annotation: Any, name: str = "x") -> Any:
    """A value of ``annotation`` with content (no empty defaults), deterministic."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return sample(get_args(annotation)[0], name)
    if origin is Literal:
        return get_args(annotation)[-1]
    if origin in (types.UnionType, typing.Union):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return sample(options[0], name)
    if origin is list:
        return [sample(get_args(annotation)[0], name), sample(get_args(annotation)[0], name + "2")]
    if origin is dict:
        key, value = get_args(annotation)
        return {sample(key, name + "-k"): sample(value, name + "-v")}
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return build(annotation)
    if annotation is str:
        return f"{name}-é"
    if annotation is bool:
        return True
    if annotation is int:
        return 7
    if annotation is float:
        return 0.25
    if annotation is datetime:
        return datetime(2027, 3, 1, 12, 30, tzinfo=UTC)
    raise AssertionError(f"no sample for {annotation!r} ({name})")


def build(cls: type[msgspec.Struct]) -> msgspec.Struct:
    hints = typing.get_type_hints(cls, include_extras=True)
    values = {f.name: sample(hints[f.name], f.name) for f in msgspec.structs.fields(cls)}
    return cls(**values)


def test_every_kind_is_covered_and_distinct() -> None:
    assert {kind for (kind, _version) in registered_kinds()} >= {
        "report", "cycle", "allocation", "response", "key.introduced", "key.revoked",
    }  # fmt: skip
    assert len({cls for cls in registered_kinds().values()}) == len(KINDS)


@pytest.mark.parametrize(("key", "cls"), KINDS, ids=[f"{k}-v{v}" for (k, v), _ in KINDS])
def test_message_round_trips_through_the_envelope(
    key: tuple[str, int], cls: type[msgspec.Struct]
) -> None:
    body = build(cls)
    assert kind_of(body) == key
    data = encode_envelope(seal(body, sender="national", subject="plenaria.down.x.BR"))
    envelope = open_envelope(data)
    assert (envelope.kind, envelope.kind_version, envelope.sender) == (*key, "national")
    assert (envelope.subject, envelope.territory) == ("plenaria.down.x.BR", "BR")
    again = decode_body(envelope)
    assert type(again) is cls and again == body
    # And every field took part: nothing left at its default.
    for field in msgspec.structs.fields(cls):
        assert getattr(again, field.name) not in (None, "", [], {}, 0), field.name
