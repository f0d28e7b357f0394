"""An assembly's civic lottery (sorteio cívico): the seats of the cycle's ``[lottery]`` drawn
among volunteers, on quotas, from a seed nobody can choose (``shared.core.sortition``).

The steps, each a use case below and each recorded in the assembly's audit chain:

1. volunteers join the pool (the desk adds credentialed, voting participants of the lottery's
   segment; each gets the pseudonym the pool publishes) while the organiser commits to a
   secret by publishing its SHA-256;
2. the pool closes: frozen as the CSV ``plenaria lottery`` reads, with its digest; quotas that
   cannot be met on their face are refused here, naming the feature;
3. the organiser reveals the secret, which must match the commitment; the seed is derived from
   it, the pool digest and the public source's value; the draw is queued;
4. a background job (:class:`LotteryJobs`, in a child process) draws the panel; the drawn
   volunteers become titular mandates ``selection = "drawn"`` with their probability, and the
   report carries the whole record up (``LotteryRecord``) so anyone can re-run the draw.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.local.assemblies import require_not_closed
from services.local.model import Assembly, LotteryDraw, LotteryVolunteer, Participant
from services.local.plenary import allocated_seats, drawn_seats
from shared.contracts.http.lottery import LotteryView
from shared.contracts.messages import LotteryRecord
from shared.core.cycle import CycleRules, Lottery
from shared.core.decide.errors import LotteryError
from shared.core.decide.lottery import check_quotas
from shared.core.errors import Conflict, Invalid, NotFound
from shared.core.participants import quota_groups_of
from shared.core.sortition import (
    Volunteer,
    check_commitment,
    check_secret,
    derive_seed,
    digest,
    panel_quotas,
    pool_csv,
    pool_members,
    pseudonym,
    quotas_csv,
)
from shared.features.cycles.store import rules_for
from shared.features.plenary import audit
from shared.features.plenary.model import Mandate
from shared.platform.bus.errors import DATABASE_ERRORS
from shared.platform.db.database import Database
from shared.platform.lottery_runner import DrawFailed, draw_in_child_async

log = structlog.get_logger(__name__)

#: Statuses in which the draw is under way: the assembly cannot close until it ends.
PENDING = ("closed", "queued", "running")


def lottery_of(rules: CycleRules) -> Lottery:
    if rules.lottery is None:
        raise Conflict("this cycle draws no seats by civic lottery")
    return rules.lottery


async def draw_of(session: AsyncSession, assembly: Assembly, *, lock: bool = False) -> LotteryDraw:
    """The assembly's draw, made (open, empty) on first use; 409 when the cycle has none."""
    query = select(LotteryDraw).where(LotteryDraw.assembly_id == assembly.id)
    if lock:
        query = query.with_for_update()
    draw = await session.scalar(query)
    if draw is None:
        rules = lottery_of(await rules_for(session, assembly.cycle_id))
        await session.execute(
            pg_insert(LotteryDraw)
            .values(id=uuid.uuid4(), assembly_id=assembly.id, seats=0, method=rules.method)
            .on_conflict_do_nothing(index_elements=["assembly_id"])
        )
        draw = await session.scalar(query)
    if draw is None:  # pragma: no cover - the insert above, or a concurrent one, made it
        raise NotFound("no civic lottery for this assembly")
    return draw


async def _audit(
    session: AsyncSession, assembly: Assembly, actor: str, kind: str, **payload: Any
) -> None:
    await audit.record(session, str(assembly.id), actor=actor, kind=kind, **payload)


async def volunteer(
    session: AsyncSession, assembly: Assembly, participant_id: uuid.UUID, *, actor: str
) -> str:
    """Add a participant to the open pool; their pseudonym (the same when asked again)."""
    require_not_closed(assembly)
    rules = lottery_of(await rules_for(session, assembly.cycle_id))
    draw = await draw_of(session, assembly, lock=True)
    if draw.status != "open":
        raise Conflict("the pool of volunteers is closed")
    person = await session.get(Participant, participant_id)
    if person is None or person.assembly_id != assembly.id:
        raise NotFound(f"no participant {participant_id} in this assembly")
    if person.voice_only:
        raise Invalid("a participant with voice only cannot be drawn as a delegate")
    if person.segment != rules.segment:
        raise Invalid(
            f"only participants of the {rules.segment} segment may volunteer "
            f"(this one is {person.segment})"
        )
    if person.credentialed_at is None:
        raise Invalid("only a credentialed participant may volunteer")
    number = await session.scalar(
        select(LotteryVolunteer.number).where(LotteryVolunteer.participant_id == participant_id)
    )
    if number is None:
        number = 1 + (
            await session.scalar(
                select(func.coalesce(func.max(LotteryVolunteer.number), 0)).where(
                    LotteryVolunteer.assembly_id == assembly.id
                )
            )
            or 0
        )
        await session.execute(
            insert(LotteryVolunteer).values(
                participant_id=participant_id, assembly_id=assembly.id, number=number
            )
        )
        await _audit(session, assembly, actor, "lottery.volunteer", pseudonym=pseudonym(number))
    return pseudonym(number)


async def withdraw(
    session: AsyncSession, assembly: Assembly, participant_id: uuid.UUID, *, actor: str
) -> None:
    """Take a volunteer out of the pool while it is open (their pseudonym is not reused)."""
    draw = await draw_of(session, assembly, lock=True)
    if draw.status != "open":
        raise Conflict("the pool of volunteers is closed")
    row = await session.get(LotteryVolunteer, participant_id)
    if row is None or row.assembly_id != assembly.id:
        raise NotFound(f"participant {participant_id} is not a volunteer here")
    await session.delete(row)
    await _audit(session, assembly, actor, "lottery.withdrawn", pseudonym=pseudonym(row.number))


async def commit(
    session: AsyncSession, assembly: Assembly, commitment: str, *, actor: str
) -> LotteryDraw:
    """Publish the SHA-256 of the organiser's secret; once only, and before the pool closes."""
    require_not_closed(assembly)
    value = check_commitment(commitment)
    draw = await draw_of(session, assembly, lock=True)
    if draw.commitment is not None:
        raise Conflict(
            "the commitment was published already and cannot change",
            commitment=draw.commitment,
        )
    if draw.status != "open":
        raise Conflict("the pool is closed: a commitment must come before it closes")
    draw.commitment = value
    draw.committed_by = actor
    draw.committed_at = datetime.now(UTC)
    await _audit(session, assembly, actor, "lottery.committed", commitment=value)
    return draw


async def _volunteers(session: AsyncSession, assembly: Assembly) -> list[Volunteer]:
    rows = (
        await session.execute(
            select(LotteryVolunteer.number, Participant)
            .join(Participant, Participant.id == LotteryVolunteer.participant_id)
            .where(LotteryVolunteer.assembly_id == assembly.id)
            .order_by(LotteryVolunteer.number)
        )
    ).all()
    return [
        Volunteer(
            pseudonym=pseudonym(number),
            segment=p.segment,
            gender=p.gender or "undeclared",
            race_colour=p.race_colour or "undeclared",
            age_band=p.age_band or "undeclared",
            disability=p.disability,
            lgbtqia=p.lgbtqia,
            traditional=bool(p.traditional_people.strip()),
        )
        for number, p in rows
    ]


async def close_pool(session: AsyncSession, assembly: Assembly, *, actor: str) -> LotteryDraw:
    """Freeze the pool (CSV and digest) and the quotas for the seats to draw; 422 naming the
    feature when the quotas cannot be met from this pool."""
    require_not_closed(assembly)
    cycle = await rules_for(session, assembly.cycle_id)
    rules = lottery_of(cycle)
    draw = await draw_of(session, assembly, lock=True)
    if draw.status != "open":
        raise Conflict("the pool is closed already")
    if draw.commitment is None:
        raise Conflict("publish the commitment to a secret before closing the pool")
    seats, _ = await allocated_seats(session, assembly, rules=cycle)
    size = drawn_seats(cycle, seats)
    if size < 1:
        raise Conflict(f"the allocation gives the {rules.segment} segment no seat to draw")
    volunteers = await _volunteers(session, assembly)
    quotas = panel_quotas(rules, size)
    try:
        check_quotas(size, quotas, pool_members(rules, volunteers))
    except LotteryError as error:
        raise Invalid(str(error), feature=error.feature) from None
    draw.seats = size
    draw.pool_csv = pool_csv(rules, volunteers)
    draw.quotas_csv = quotas_csv(quotas)
    draw.pool_digest = digest(draw.pool_csv)
    draw.closed_at = datetime.now(UTC)
    draw.status = "closed"
    await _audit(
        session,
        assembly,
        actor,
        "lottery.pool_closed",
        volunteers=len(volunteers),
        seats=size,
        pool_sha256=draw.pool_digest,
    )
    return draw


async def reveal(
    session: AsyncSession, assembly: Assembly, secret: str, public_value: str, *, actor: str
) -> LotteryDraw:
    """Check the secret against the commitment, derive the seed and queue the draw."""
    require_not_closed(assembly)
    rules = lottery_of(await rules_for(session, assembly.cycle_id))
    draw = await draw_of(session, assembly, lock=True)
    if draw.status != "closed":
        raise Conflict(
            "close the pool before revealing the secret"
            if draw.status == "open"
            else "the secret was revealed already"
        )
    check_secret(secret)
    if digest(secret) != draw.commitment:
        raise Invalid("the secret does not match the commitment published before the pool closed")
    if rules.public_source and not public_value.strip():
        raise Invalid(f"give the value published by the public source: {rules.public_source}")
    if not rules.public_source and public_value.strip():
        raise Invalid("this cycle names no public source: leave its value empty")
    draw.secret = secret
    draw.public_value = public_value.strip()
    draw.seed = derive_seed(secret, draw.pool_digest or "", draw.public_value)
    draw.revealed_at = datetime.now(UTC)
    draw.status = "queued"
    await _audit(session, assembly, actor, "lottery.revealed", secret=secret, seed=draw.seed)
    return draw


def request_of(draw: LotteryDraw) -> dict[str, Any]:
    """The draw as ``plenaria lottery`` would be asked for it (from the published CSVs)."""
    quotas = [
        {"feature": f, "value": v, "min": int(low), "max": int(high)}
        for f, v, low, high in _rows(draw.quotas_csv or "")
    ]
    lines = _rows(draw.pool_csv or "", header=True)
    header, body = lines[0], lines[1:]
    pool = [{"id": row[0], "features": dict(zip(header[1:], row[1:], strict=True))} for row in body]
    return {
        "size": draw.seats,
        "quotas": quotas,
        "pool": pool,
        "seed": draw.seed,
        "method": draw.method,
    }


def _rows(text: str, *, header: bool = False) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows if header else rows[1:]


async def settle(session: AsyncSession, draw: LotteryDraw, answer: dict[str, Any]) -> None:
    """Record the lottery's answer: the drawn volunteers become titular mandates."""
    assembly = await session.get(Assembly, draw.assembly_id)
    if assembly is None:  # pragma: no cover - a foreign key
        raise NotFound("no assembly")
    draw.finished_at = datetime.now(UTC)
    if "error" in answer:
        draw.status = "failed"
        draw.error = str(answer["error"])[:1000]
        await _audit(session, assembly, "lottery", "lottery.failed", error=draw.error)
        return
    draw.status = "drawn"
    draw.answer = answer
    numbers = {pseudonym(n): pid for n, pid in await _numbers(session, assembly)}
    people = {
        p.id: p
        for p in await session.scalars(
            select(Participant).where(Participant.id.in_(list(numbers.values())))
        )
    }
    await session.execute(
        delete(Mandate).where(Mandate.assembly_id == str(assembly.id), Mandate.selection == "drawn")
    )
    rows = []
    for rank, name in enumerate(answer["selected"], start=1):
        person = people[numbers[name]]
        rows.append(
            {
                "id": uuid.uuid4(),
                "assembly_id": str(assembly.id),
                "candidacy_id": None,
                "public_name": person.public_name,
                "segment": person.segment,
                "role": "titular",
                "rank": rank,
                "gender": person.gender,
                "quota_groups": quota_groups_of(
                    race_colour=person.race_colour,
                    age_band=person.age_band,
                    disability=person.disability,
                    lgbtqia=person.lgbtqia,
                    traditional_people=person.traditional_people,
                ),
                "selection": "drawn",
                "probability": float(answer["probabilities"].get(name, 0.0)),
            }
        )
    if rows:
        await session.execute(insert(Mandate), rows)
    await _audit(
        session,
        assembly,
        "lottery",
        "lottery.drawn",
        selected=list(answer["selected"]),
        method=answer.get("method"),
        seed=draw.seed,
    )


async def _numbers(session: AsyncSession, assembly: Assembly) -> Sequence[tuple[int, uuid.UUID]]:
    return (
        await session.execute(
            select(LotteryVolunteer.number, LotteryVolunteer.participant_id).where(
                LotteryVolunteer.assembly_id == assembly.id
            )
        )
    ).all()  # type: ignore[return-value]


def record_of(draw: LotteryDraw, rules: Lottery) -> LotteryRecord | None:
    """What the report carries up about a finished draw (none before it is drawn)."""
    if draw.status != "drawn" or draw.answer is None:
        return None
    answer = draw.answer
    return LotteryRecord(
        seats=draw.seats,
        requested_method=draw.method,
        method=str(answer["method"]),
        commitment_sha256=draw.commitment or "",
        secret=draw.secret or "",
        public_source=rules.public_source,
        public_value=draw.public_value,
        pool_sha256=draw.pool_digest or "",
        pool_csv=draw.pool_csv or "",
        quotas_csv=draw.quotas_csv or "",
        seed=draw.seed or 0,
        selected=list(answer["selected"]),
        probabilities={k: float(v) for k, v in answer["probabilities"].items()},
        probabilities_estimated=bool(answer.get("probabilities_estimated", False)),
        panels=int(answer.get("panels", 0)),
    )


async def for_report(session: AsyncSession, assembly: Assembly) -> LotteryRecord | None:
    """The lottery record of a closing assembly; 409 while its draw is still pending."""
    draw = await session.scalar(select(LotteryDraw).where(LotteryDraw.assembly_id == assembly.id))
    if draw is None:
        return None
    if draw.status in PENDING:
        raise Conflict(
            "the civic lottery is not finished: reveal the secret and wait for the draw",
            lottery=draw.status,
        )
    rules = await rules_for(session, assembly.cycle_id)
    return record_of(draw, rules.lottery) if rules.lottery else None


class LotteryJobs:
    """The background job that draws queued lotteries, one at a time per process.

    A draw is claimed by marking it ``running`` (committed), drawn in a child process (minutes
    for large pools with the fair methods) and settled in a second transaction. A process that
    dies mid-draw leaves it ``running``: after ``stale_after_s`` another claims it again — the
    seed and the published files make the same panel, so drawing twice changes nothing.
    """

    name = "civic-lottery"

    def __init__(self, db: Database, *, idle_s: float, stale_after_s: float) -> None:
        self.db = db
        self.idle_s = idle_s
        self.stale_after_s = stale_after_s
        self.stopping = False

    def stop(self) -> None:
        self.stopping = True

    async def run(self) -> None:
        while not self.stopping:
            try:
                worked = await self.draw_one()
            except DATABASE_ERRORS as exc:
                log.warning("lottery.claim_failed", error=str(exc))
                worked = False
            if not worked:
                slept = 0.0
                while slept < self.idle_s and not self.stopping:
                    await asyncio.sleep(min(0.2, self.idle_s))
                    slept += 0.2

    async def draw_one(self) -> bool:
        """Claim and draw one queued lottery; False when none waits."""
        stale = datetime.now(UTC) - timedelta(seconds=self.stale_after_s)
        async with self.db.transaction() as session:
            waiting = (
                select(LotteryDraw.id)
                .where(
                    (LotteryDraw.status == "queued")
                    | ((LotteryDraw.status == "running") & (LotteryDraw.started_at < stale))
                )
                .order_by(LotteryDraw.revealed_at)
                .limit(1)
                .with_for_update(skip_locked=True)
                .scalar_subquery()
            )
            draw = await session.scalar(
                update(LotteryDraw)
                .where(LotteryDraw.id == waiting)
                .values(status="running", started_at=datetime.now(UTC))
                .returning(LotteryDraw)
            )
            if draw is None:
                return False
            request = request_of(draw)
            draw_id = draw.id
        log.info("lottery.drawing", draw=str(draw_id), pool=len(request["pool"]))
        try:
            answer = await draw_in_child_async(request)
        except DrawFailed as error:
            answer = {"error": str(error)}
        async with self.db.transaction() as session:
            held = await session.get(LotteryDraw, draw_id, with_for_update=True)
            if held is not None and held.status == "running":
                await settle(session, held, answer)
        log.info("lottery.drawn", draw=str(draw_id), failed="error" in answer)
        return True


async def view(session: AsyncSession, assembly: Assembly) -> LotteryView:
    rules = lottery_of(await rules_for(session, assembly.cycle_id))
    draw = await draw_of(session, assembly)
    volunteers = await session.scalar(
        select(func.count()).where(LotteryVolunteer.assembly_id == assembly.id)
    )
    answer = draw.answer or {}
    end = draw.finished_at or (datetime.now(UTC) if draw.status == "running" else None)
    revealed = draw.status not in ("open", "closed")
    return LotteryView(
        status=draw.status,
        segment=rules.segment,
        seats=draw.seats or rules.seats,
        requested_method=draw.method,
        public_source=rules.public_source,
        volunteers=int(volunteers or 0),
        commitment_sha256=draw.commitment,
        committed_at=draw.committed_at,
        pool_sha256=draw.pool_digest,
        pool_csv=draw.pool_csv,
        quotas_csv=draw.quotas_csv,
        closed_at=draw.closed_at,
        secret=draw.secret if revealed else None,
        public_value=draw.public_value,
        seed=draw.seed,
        revealed_at=draw.revealed_at,
        started_at=draw.started_at,
        finished_at=draw.finished_at,
        elapsed_s=(end - draw.started_at).total_seconds() if end and draw.started_at else None,
        method=answer.get("method"),
        selected=list(answer.get("selected", [])),
        probabilities=dict(answer.get("probabilities", {})),
        probabilities_estimated=bool(answer.get("probabilities_estimated", False)),
        panels=int(answer.get("panels", 0)),
        error=draw.error,
        rerun=(
            f"plenaria lottery --pool pool.csv --quotas quotas.csv --size {draw.seats} "
            f"--seed {draw.seed} --method {draw.method}"
            if draw.seed
            else None
        ),
    )
