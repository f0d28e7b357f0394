"""Paper-ballot files go in with one COPY, already shuffled: a big file recounts exactly to
what ``plenaria tally`` says of the same file, and a bad line anywhere writes nothing."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.core.decide.ballot_files import BallotFormat, parse_ballot_file
from shared.core.decide.ballots import Profile
from shared.core.decide.tally import TallyMethod, tally
from shared.core.errors import Invalid
from shared.core.polls import export_preflib
from shared.features.plenary import polls
from shared.features.plenary.model import Ballot
from shared.platform.db.engine import make_engine, make_sessionmaker
from shared.platform.db.migrate import upgrade

CANDIDATES = [f"p{i}" for i in range(1, 9)]
LINES = 20_000


@pytest.fixture
async def session(fresh_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[AsyncSession]:
    url = await fresh_database("ballot_ingest")
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url, pool_size=2)
    try:
        async with make_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


def ballot_csv(lines: int, seed: int) -> str:
    rng = random.Random(seed)
    rows = []
    for _ in range(lines):
        ranked = rng.sample(CANDIDATES, rng.randint(1, 5))
        rows.append(",".join(ranked))
    return "\n".join(rows) + "\n"


async def stored(session: AsyncSession, poll_id: object) -> tuple[int, int]:
    rows, total = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Ballot.count), 0)).where(
                Ballot.poll_id == poll_id
            )
        )
    ).one()
    return int(rows), int(total)


@pytest.mark.parametrize("method", ["borda", "schulze"])
async def test_a_big_ballot_file_ingests_and_recounts_exactly(
    session: AsyncSession, method: str
) -> None:
    poll = await polls.open_poll(
        session,
        assembly_id="a-1",
        kind="priority",
        mode="file",
        subject="saude-1",
        title="Eixo 1",
        method=method,
        candidates=CANDIDATES,
    )
    text = ballot_csv(LINES, seed=7)
    assert await polls.upload_ballot_file(session, poll, text, "csv") == LINES
    await session.commit()
    rows, total = await stored(session, poll.id)
    assert total == LINES and rows <= LINES  # identical rankings share one counted row

    await polls.close_poll(session, poll, None)
    await session.commit()
    # The same file, tallied by the shared tally with the poll's candidate (tie-break) order.
    parsed = parse_ballot_file(text, BallotFormat.CSV).profile
    expected = tally(Profile(tuple(CANDIDATES), parsed.ballots), TallyMethod(method))
    assert poll.result is not None
    assert poll.result["ballots"] == poll.ballots_total == LINES
    assert poll.result["ranking"] == [list(g) for g in expected.ranking]
    assert poll.result["winners"] == list(expected.winners)
    assert poll.result["scores"] == {k: float(v) for k, v in (expected.scores or {}).items()}
    # Closing a file poll leaves its (already shuffled) rows alone, and the export is the file's.
    assert await stored(session, poll.id) == (rows, total)
    export = await polls.export_text(session, poll)
    from_file = [
        (tuple(tuple(sorted(g)) for g in ballot.ranking), ballot.count) for ballot in parsed.ballots
    ]
    assert export == export_preflib(CANDIDATES, from_file, title=polls.export_title(poll))


@pytest.mark.parametrize(
    "bad_line",
    ["p1,banana", "p2,p2,p3", 'p1,"p2', ""],
    ids=["unknown-candidate", "twice", "unclosed-quote", "no-ballot"],
)
async def test_a_malformed_line_leaves_the_poll_empty(session: AsyncSession, bad_line: str) -> None:
    poll = await polls.open_poll(
        session,
        assembly_id="a-1",
        kind="priority",
        mode="file",
        subject="saude-1",
        title="Eixo 1",
        method="borda",
        candidates=CANDIDATES,
    )
    await session.commit()
    lines = ballot_csv(LINES, seed=3).splitlines()
    lines[LINES * 3 // 4] = bad_line
    text = "\n".join(lines) + "\n" if bad_line else ""
    with pytest.raises(Invalid):
        await polls.upload_ballot_file(session, poll, text, "csv")
    assert await stored(session, poll.id) == (0, 0)
    await session.commit()
    assert await stored(session, poll.id) == (0, 0)
