"""The participants evaluate their assembly once each, anonymously; the report carries the
exact counts up, and what is published withholds the small ones (issue 20)."""

from __future__ import annotations

from sqlalchemy import select

from services.local.model import EvaluationCount, EvaluationResponder
from tests.support.api import assert_problem
from tests.support.assemblies import open_desk
from tests.support.bus import outbox_messages
from tests.support.tiers import Federation

ANSWERS = [
    {"spoke": "yes", "understood_rules": "yes", "would_return": "yes"},
    {"spoke": "yes", "understood_rules": "partly", "would_return": "yes"},
    {"spoke": "no", "understood_rules": "yes", "would_return": "maybe"},
    {"spoke": "yes", "understood_rules": "yes", "would_return": "yes"},
    {"spoke": "yes", "understood_rules": "yes", "would_return": "yes"},
    {"spoke": "yes", "understood_rules": "no", "would_return": "yes"},
    {"understood_rules": "yes"},  # a question may be left out
]


async def test_each_participant_evaluates_once_and_only_counts_go_up(
    local_tier: Federation,
) -> None:
    desk = await open_desk(local_tier)
    tokens = desk.tokens
    for token, answers in zip(tokens, ANSWERS, strict=False):
        r = await desk.post("/evaluation", headers=token, json=answers)
        assert r.status_code == 201, r.text
    assert_problem(await desk.post("/evaluation", headers=tokens[0], json=ANSWERS[0]), 409)
    assert_problem(await desk.post("/evaluation", json=ANSWERS[0]), 403)  # the desk
    assert_problem(await desk.post("/evaluation", headers=tokens[7], json={}), 422)
    assert_problem(await desk.post("/evaluation", headers=tokens[7], json={"spoke": "talvez"}), 400)

    public = (await desk.get("/evaluation")).json()
    assert public["responses"] == 7
    # One "no" alone would be given away by the others: the 5 "yes" are withheld with it.
    assert public["answers"]["spoke"] == {"yes": None, "no": None, "did_not_want": 0}
    # "partly" and "no" are 1 each: both withheld, and "yes" (5) stays.
    assert public["answers"]["understood_rules"] == {"yes": 5, "partly": None, "no": None}
    assert public["answers"]["would_return"] == {"yes": None, "maybe": None, "no": 0}

    # Nothing joins an answer to the person who gave it: who answered, and counts.
    async with local_tier.nodes["local"].sessions() as session:
        columns = {c.name for c in EvaluationCount.__table__.columns}
        assert columns == {"assembly_id", "question", "answer", "count"}
        assert len((await session.scalars(select(EvaluationResponder))).all()) == 7

    await desk.start_voting()
    closed = await desk.post("/close")
    assert closed.status_code == 202, closed.text
    [sent] = await outbox_messages(local_tier.nodes["local"], "report")
    assert sent.body["evaluation"]["responses"] == 7
    assert sent.body["evaluation"]["answers"]["understood_rules"] == {
        "yes": 5,
        "partly": 1,
        "no": 1,
    }
    assert_problem(await desk.post("/evaluation", headers=tokens[7], json=ANSWERS[0]), 409)
