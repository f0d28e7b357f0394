"""The phone's priority form read as a ballot: ticked boxes with approval (as many as the cycle
allows), positions with Borda or Schulze (blank unranked, equal positions tied)."""

from __future__ import annotations

import pytest
from litestar.datastructures import FormMultiDict

from shared.contracts.http.plenary import PollView
from shared.core.errors import Invalid
from shared.platform.web.polls import priority_ballot

CANDIDATES = ["a", "b", "c"]


def poll(method: str, approvals: int = 2) -> PollView:
    return PollView(
        id="p",
        kind="priority",
        mode="electronic",
        subject="saude-1",
        title="Eixo 1",
        method=method,
        candidates=CANDIDATES,
        approvals=approvals,
        status="open",
        amended_text=None,
        outcome=None,
        result=None,
        ballots=0,
        ballots_sha256=None,
    )


def form(*pairs: tuple[str, str]) -> FormMultiDict:
    return FormMultiDict(list(pairs))


def test_approval_ticks_one_group_and_says_how_many_may_be_ticked() -> None:
    ballot = priority_ballot(form(("choice", "c"), ("choice", "a")), poll("approval"))
    assert ballot == ([["a", "c"]], 2)
    assert priority_ballot(form(), poll("approval")) == ([], 2)
    with pytest.raises(Invalid, match="unknown proposal"):
        priority_ballot(form(("choice", "z")), poll("approval"))


def test_ranked_methods_read_positions_blank_unranked_equal_tied() -> None:
    filled = form(("pos-a", "2"), ("pos-b", ""), ("pos-c", "1"))
    assert priority_ballot(filled, poll("borda")) == ([["c"], ["a"]], 3)
    tied = form(("pos-a", "1"), ("pos-b", "1"), ("pos-c", "3"))
    assert priority_ballot(tied, poll("schulze")) == ([["a", "b"], ["c"]], 3)
    for wrong in ("0", "4", "primeiro"):
        with pytest.raises(Invalid):
            priority_ballot(form(("pos-a", wrong)), poll("borda"))
