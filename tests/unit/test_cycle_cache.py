"""Parsed cycle rules are cached by cycle id and text: the same stored text is parsed once, a
re-stored (changed) text is parsed again."""

from __future__ import annotations

from shared.core.cycle import preset_text
from shared.features.cycles import store as cycles


def test_rules_are_parsed_once_per_text() -> None:
    text = preset_text("health")
    first = cycles._parse("cns-2027", text)
    assert cycles._parse("cns-2027", text) is first
    changed = text.replace(first.title, first.title + " (revista)", 1)
    again = cycles._parse("cns-2027", changed)
    assert again is not first and again.title == first.title + " (revista)"
    cycles._parsed.pop("cns-2027", None)
