"""HTTP edge of representation (issue 20): an assembly's civic lottery — each handler checks
the caller against the assembly (the desk's ``acting``) and calls one use case of
:mod:`services.local.lottery` — and its published equity tables."""

from __future__ import annotations

import uuid

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from services.local import equity, evaluation
from services.local.desk import AssemblyDesk
from services.local.lottery_desk import LotteryDesk
from shared.contracts.http.equity import EquityView, EvaluationIn, EvaluationView
from shared.contracts.http.lottery import (
    CommitmentIn,
    LotteryView,
    RevealIn,
    Volunteered,
    VolunteerIn,
)
from shared.core.access import Principal
from shared.core.errors import Conflict, Forbidden
from shared.features.cycles.store import rules_for
from shared.features.reporting.equity import evaluation_published, published
from shared.platform.web.auth import allow

Caller = NamedDependency[Principal]
Desk = NamedDependency[AssemblyDesk]
Lotteries = NamedDependency[LotteryDesk]


class LotteryController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/lottery"
    tags = ["lottery"]

    @get("/")
    async def show(self, lottery_desk: Lotteries, assembly_id: FromPath[uuid.UUID]) -> LotteryView:
        """The draw as anyone may check it: commitment, pool and quotas (as the CSVs
        ``plenaria lottery`` reads), seed and secret once revealed, the panel, every
        volunteer's probability, and the command that re-runs it (public)."""
        return await lottery_desk.show(assembly_id)

    @post("/volunteers", status_code=201, **allow("secretary", "organiser", "participant"))
    async def volunteer(
        self,
        lottery_desk: Lotteries,
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[VolunteerIn],
    ) -> Volunteered:
        """Put a credentialed participant of the lottery's segment in the pool (the desk, or
        the participant themselves); the answer is their pseudonym in the published pool."""
        name = await lottery_desk.volunteer(principal, assembly_id, data.participant_id)
        return Volunteered(pseudonym=name)

    @post(
        "/volunteers/{participant_id:uuid}/withdraw",
        status_code=204,
        **allow("secretary", "organiser", "participant"),
    )
    async def withdraw(
        self,
        lottery_desk: Lotteries,
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        participant_id: FromPath[uuid.UUID],
    ) -> None:
        """Take a volunteer out while the pool is open (the desk, or the volunteer)."""
        await lottery_desk.withdraw(principal, assembly_id, participant_id)

    @post("/commitment", **allow("secretary", "organiser"))
    async def commit(
        self,
        lottery_desk: Lotteries,
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[CommitmentIn],
    ) -> LotteryView:
        """Publish the SHA-256 of a secret you keep; once only, while the pool is open."""
        return await lottery_desk.commit(principal, assembly_id, data.commitment)

    @post("/close-pool", **allow("secretary", "organiser"))
    async def close_pool(
        self, lottery_desk: Lotteries, principal: Caller, assembly_id: FromPath[uuid.UUID]
    ) -> LotteryView:
        """Freeze the pool and the quotas (422 naming the feature a quota cannot be met on)."""
        return await lottery_desk.close_pool(principal, assembly_id)

    @post("/reveal", status_code=202, **allow("secretary", "organiser"))
    async def reveal(
        self,
        lottery_desk: Lotteries,
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[RevealIn],
    ) -> LotteryView:
        """Reveal the secret (it must match the commitment): the seed is derived and the draw
        queued; follow its progress here or at ``GET …/lottery``."""
        return await lottery_desk.reveal(principal, assembly_id, data.secret, data.public_value)

    @get("/pool.csv", media_type="text/csv")
    async def pool_file(
        self, lottery_desk: Lotteries, assembly_id: FromPath[uuid.UUID]
    ) -> Response[str]:
        """The closed pool as ``plenaria lottery --pool`` reads it (public)."""
        return _published(await lottery_desk.show(assembly_id), "pool")

    @get("/quotas.csv", media_type="text/csv")
    async def quotas_file(
        self, lottery_desk: Lotteries, assembly_id: FromPath[uuid.UUID]
    ) -> Response[str]:
        """The quotas as ``plenaria lottery --quotas`` reads them (public)."""
        return _published(await lottery_desk.show(assembly_id), "quotas")


class EquityController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/equity"
    tags = ["equity"]

    @get("/")
    async def show(self, desk: Desk, assembly_id: FromPath[uuid.UUID]) -> EquityView:
        """Who is credentialed here and who it sends up, by segment, gender and quota group,
        beside the cycle's targets; counts below the threshold are withheld (public)."""
        async with desk.reading(assembly_id) as s:
            rules = await rules_for(s.session, s.assembly.cycle_id)
            found = await equity.tables(s.session, s.assembly)
        return published(rules, s.assembly.territory, found)


class EvaluationController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/evaluation"
    tags = ["equity"]

    @post("/", status_code=201, **allow("participant"))
    async def answer(
        self,
        desk: Desk,
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[EvaluationIn],
    ) -> EvaluationView:
        """Evaluate the assembly you took part in, once, before it closes: kept as counts
        only (nobody, the desk included, can see what you answered)."""
        async with desk.acting(principal, assembly_id, "participant") as s:
            if s.actor.participant is None:  # pragma: no cover - the guard admits participants
                raise Forbidden("only a participant evaluates the assembly")
            given = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
            await evaluation.answer(s.session, s.assembly, s.actor.participant, given)
            found = await evaluation.summary(s.session, s.assembly.id)
        return evaluation_published(s.assembly.territory, found)

    @get("/")
    async def show(self, desk: Desk, assembly_id: FromPath[uuid.UUID]) -> EvaluationView:
        """What the participants said, small counts withheld (public)."""
        async with desk.reading(assembly_id) as s:
            found = await evaluation.summary(s.session, s.assembly.id)
        return evaluation_published(s.assembly.territory, found)


def _published(shown: LotteryView, which: str) -> Response[str]:
    text = shown.pool_csv if which == "pool" else shown.quotas_csv
    if text is None:
        raise Conflict("the pool is not closed yet")
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{which}.csv"'},
    )
