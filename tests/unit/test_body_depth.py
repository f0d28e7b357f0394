"""The nesting measure the body-limits middleware refuses deep JSON with agrees with a parser."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from shared.platform.web.limits import json_depth_within

texts = st.text(alphabet=st.sampled_from('ab"\\[]{}\n é'), max_size=8)
values = st.recursive(
    st.none() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=30,
)


def depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


@given(values, st.integers(min_value=0, max_value=8))
def test_depth_agrees_with_the_parsed_value(value: object, limit: int) -> None:
    body = json.dumps(value, ensure_ascii=False).encode()
    assert json_depth_within(body, limit) == (depth(value) <= limit)


def test_brackets_inside_strings_do_not_count_and_escapes_are_honoured() -> None:
    assert json_depth_within(b'{"a": "[[[[[[[[", "b": [1, [2]]}', 3)
    assert not json_depth_within(b'{"a": "[[[[[[[[", "b": [1, [2]]}', 2)
    assert json_depth_within(b'["\\\\", [[[]]]]', 4)
    assert not json_depth_within(b'["\\\\", [[[]]]]', 3)
    assert json_depth_within(b'["\\"[[[[[["]', 1)


def test_unbalanced_or_hostile_nesting_is_refused() -> None:
    assert not json_depth_within(b"[" * 100_000 + b"]" * 100_000)
    assert not json_depth_within(b"[" * 100_000)
    assert not json_depth_within(b"]]]]" * 10 + b"[[[[" * 10)
    # A string quote cannot hide real nesting: `[ "]", [ "]", …` is still deep.
    assert not json_depth_within(b'[ "]", ' * 100 + b"1" + b"]" * 100, 32)
