"""The participants' evaluation of an assembly (issue 20): three short questions planned from
the start, answered once each, anonymously, and reported up only as counts.

Each question has a closed list of answers, so the results add up across assemblies, states
and the nation, and can be published with the same small-cell rule as the equity tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

#: question → its answers, in the order a form shows them.
QUESTIONS: Final[Mapping[str, tuple[str, ...]]] = {
    # Conseguiu falar (fazer uso da palavra) quando quis?
    "spoke": ("yes", "no", "did_not_want"),
    # Entendeu as regras da assembleia (regimento, votações)?
    "understood_rules": ("yes", "partly", "no"),
    # Voltaria a participar de uma conferência?
    "would_return": ("yes", "maybe", "no"),
}

Answers = dict[str, dict[str, int]]


def empty() -> Answers:
    return {q: dict.fromkeys(values, 0) for q, values in QUESTIONS.items()}


def check(answers: Mapping[str, str]) -> None:
    """Raise ``ValueError`` naming the question whose answer is not one of its own."""
    for question, answer in answers.items():
        if question not in QUESTIONS:
            raise ValueError(f"unknown question {question!r}; questions: {', '.join(QUESTIONS)}")
        if answer not in QUESTIONS[question]:
            raise ValueError(
                f"{question}: {answer!r} is not an answer; answers: {', '.join(QUESTIONS[question])}"
            )


def add(parts: Iterable[tuple[int, Mapping[str, Mapping[str, int]]]]) -> tuple[int, Answers]:
    """Responses and answer counts of several assemblies (or states) added up."""
    responses, total = 0, empty()
    for count, answers in parts:
        responses += count
        for question, values in answers.items():
            for answer, n in values.items():
                bucket = total.setdefault(question, {})
                bucket[answer] = bucket.get(answer, 0) + n
    return responses, total
