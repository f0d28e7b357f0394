"""What a council answer must say: a justification unless adopted, milestones with a title, a
real date (or none) and a percentage of progress."""

from __future__ import annotations

import pytest

from shared.core.consolidation import check_answer
from shared.core.errors import Invalid


def test_a_well_formed_answer_passes() -> None:
    check_answer("adopted_in_part", "Parte cabe no PPA 2028.", [("Estudo", "2028-03-31", 20)])
    check_answer("adopted", "", [("Sem data ainda", "", 0)])


@pytest.mark.parametrize(
    ("decision", "justification", "milestones", "says"),
    [
        ("rejected", "  ", [], "justification"),
        ("adopted", "", [("Estudo", "amanhã talvez", 0)], "due must be a date"),
        ("adopted", "", [("Estudo", "2028-03", 0)], "due must be a date"),
        ("adopted", "", [("", "2028-03-31", 0)], "needs a title"),
        ("adopted", "", [("Estudo", "", 101)], "0..100"),
    ],
)
def test_answers_that_say_too_little_are_refused(
    decision: str, justification: str, milestones: list[tuple[str, str, int]], says: str
) -> None:
    with pytest.raises(Invalid, match=says):
        check_answer(decision, justification, milestones)  # type: ignore[arg-type]
