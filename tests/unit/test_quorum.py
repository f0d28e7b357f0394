"""Quorum: a cycle's ``[quorum]`` is a share of the participants registered with a vote, or a
count of credentialed voters; exactly one, checked by ``cycle check`` with its path."""

from __future__ import annotations

from shared.core.cycle import Quorum, load_rules, preset_text
from shared.core.cycle_check import check_text
from shared.core.quorum import quorum_needed, quorum_of

HEALTH = preset_text("health")


def with_quorum(body: str) -> str:
    head, _, rest = HEALTH.partition("\n[[axes]]")
    return f"{head}\n[quorum]\n{body}\n\n[[axes]]{rest}"


def test_no_rule_no_quorum() -> None:
    assert load_rules(HEALTH).quorum is None
    state = quorum_of(None, present=0, registered_voters=50)
    assert state.needed is None and state.reached


def test_a_share_of_the_registered_voters_rounded_up() -> None:
    rule = Quorum(share=0.5)
    assert quorum_needed(rule, 99) == 50
    assert quorum_needed(rule, 0) == 1  # never a quorum of nobody
    assert not quorum_of(rule, present=49, registered_voters=99).reached
    assert quorum_of(rule, present=50, registered_voters=99).reached


def test_a_count_of_credentialed_voters() -> None:
    rules = load_rules(with_quorum("count = 50"))
    assert rules.quorum == Quorum(count=50)
    state = quorum_of(rules.quorum, present=37, registered_voters=10)
    assert (state.present, state.needed, state.reached) == (37, 50, False)


def test_both_or_neither_is_named_by_cycle_check() -> None:
    expected = (
        "quorum: set exactly one of share (of the participants registered with a vote) or "
        "count (credentialed voters)"
    )
    for body in ("share = 0.5\ncount = 10", ""):
        _, found = check_text(with_quorum(body))
        assert [str(p) for p in found] == [expected]
    _, found = check_text(with_quorum("share = 1.5"))
    assert [str(p) for p in found] == ["quorum.share: Expected `float` <= 1.0"]
