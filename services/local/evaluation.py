"""The participants' evaluation of their assembly: answered once, from the participant's own
credential, kept as counts only (``EvaluationCount``) beside who has answered
(``EvaluationResponder``), so no answer can be traced to a person; the counts go up in the
report."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.local.assemblies import require_not_closed
from services.local.model import Assembly, EvaluationCount, EvaluationResponder, Participant
from shared.contracts.messages import EvaluationSummary
from shared.core import evaluation
from shared.core.errors import Conflict, Invalid


async def answer(
    session: AsyncSession, assembly: Assembly, participant: Participant, answers: Mapping[str, str]
) -> None:
    """Record one participant's answers (409 the second time; the assembly must be open)."""
    require_not_closed(assembly)
    if not answers:
        raise Invalid("answer at least one question")
    try:
        evaluation.check(answers)
    except ValueError as error:
        raise Invalid(str(error)) from None
    if participant.credentialed_at is None:
        raise Conflict("only a participant who took part (credentialed) evaluates the assembly")
    first = await session.scalar(
        insert(EvaluationResponder)
        .values(participant_id=participant.id, assembly_id=assembly.id)
        .on_conflict_do_nothing()
        .returning(EvaluationResponder.participant_id)
    )
    if first is None:
        raise Conflict("you have already evaluated this assembly")
    rows = [
        {"assembly_id": assembly.id, "question": q, "answer": a, "count": 1}
        for q, a in sorted(answers.items())
    ]
    upsert = insert(EvaluationCount).values(rows)
    await session.execute(
        upsert.on_conflict_do_update(
            index_elements=["assembly_id", "question", "answer"],
            set_={"count": EvaluationCount.count + 1},
        )
    )


async def summary(session: AsyncSession, assembly_id: uuid.UUID) -> EvaluationSummary:
    responses = await session.scalar(
        select(func.count()).where(EvaluationResponder.assembly_id == assembly_id)
    )
    answers = evaluation.empty()
    for question, given, n in await session.execute(
        select(EvaluationCount.question, EvaluationCount.answer, EvaluationCount.count).where(
            EvaluationCount.assembly_id == assembly_id
        )
    ):
        answers.setdefault(question, {})[given] = n
    return EvaluationSummary(responses=int(responses or 0), answers=answers)
