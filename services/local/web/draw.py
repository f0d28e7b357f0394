"""Sorteio: the desk runs the assembly's civic lottery — volunteers added by name, the
commitment to a secret published, the pool closed, the secret revealed — and follows the draw
(the same use cases as ``/api/v1/assemblies/{id}/lottery``). The public record, with every
volunteer's probability and how to re-run it, is on the representation page."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from services.local.desk import AssemblyDesk
from services.local.lottery_desk import LotteryDesk
from services.local.overview import DeskOverview
from services.local.web.common import (
    ROOT,
    DeskScreen,
    address,
    desk_page,
    form_of,
    one,
    with_notice,
)
from shared.core.access import Principal
from shared.core.errors import DomainError, Invalid
from shared.platform.web.i18n import N_, gettext
from shared.platform.web.labels import LOTTERY_STATUSES
from shared.platform.web.pages import refused, sign_in_first

SECTION = "/sorteio"
Step = Callable[[FormMultiDict], Awaitable[str]]


class DrawPages(DeskScreen):
    path = f"{ROOT}/{{assembly_id:uuid}}{SECTION}"

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        return await self._screen(request, overview, desk, principal, assembly_id)

    @staticmethod
    async def _screen(
        request: Request[Any, Any, Any],
        overview: DeskOverview,
        desk: AssemblyDesk,
        principal: Principal,
        assembly_id: uuid.UUID,
        *,
        error: str = "",
    ) -> Template:
        lotteries = LotteryDesk(desk)
        try:
            board = await overview.board(principal, assembly_id)
            entries, eligible = await lotteries.pool(principal, assembly_id)
            shown = await lotteries.show(assembly_id)
        except DomainError as refusal:
            return refused(request, refusal)
        names = {e.pseudonym: e.public_name for e in entries}
        return desk_page(
            request,
            "local/draw.html",
            title=N_("Sorteio cívico"),
            board=board,
            section=SECTION,
            status_code=422 if error else 200,
            error=error,
            lottery=shown,
            entries=entries,
            drawn=[names.get(s, s) for s in shown.selected],
            eligible=eligible,
            lottery_statuses=LOTTERY_STATUSES,
        )

    async def _step(
        self,
        request: Request[Any, Any, Any],
        overview: DeskOverview,
        desk: AssemblyDesk,
        principal: Principal,
        assembly_id: uuid.UUID,
        step: Step,
    ) -> Template | Redirect:
        """Sign in first, run one step with the form, and come back saying what happened (or
        show the refusal on the screen)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        try:
            notice = await step(form)
        except (DomainError, ValueError) as refusal:
            if isinstance(refusal, ValueError):
                refusal = Invalid(gettext(N_("escolha uma pessoa da lista")))
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        return with_notice(address(assembly_id, SECTION), notice)

    @post("/voluntarios", status_code=303)
    async def volunteer(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        lottery_desk: NamedDependency[LotteryDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        async def step(form: FormMultiDict) -> str:
            person = uuid.UUID(one(form, "participant_id"))
            name = await lottery_desk.volunteer(principal, assembly_id, person)
            return gettext(N_("Voluntário inscrito como %(name)s."), name=name)

        return await self._step(request, overview, desk, principal, assembly_id, step)

    @post("/voluntarios/{participant_id:uuid}/retirar", status_code=303)
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        lottery_desk: NamedDependency[LotteryDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        participant_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        async def step(form: FormMultiDict) -> str:
            await lottery_desk.withdraw(principal, assembly_id, participant_id)
            return gettext(N_("Voluntário retirado da lista."))

        return await self._step(request, overview, desk, principal, assembly_id, step)

    @post("/compromisso", status_code=303)
    async def commit(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        lottery_desk: NamedDependency[LotteryDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        async def step(form: FormMultiDict) -> str:
            await lottery_desk.commit(principal, assembly_id, one(form, "commitment"))
            return gettext(N_("Compromisso publicado: não pode mais ser trocado."))

        return await self._step(request, overview, desk, principal, assembly_id, step)

    @post("/fechar", status_code=303)
    async def close_pool(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        lottery_desk: NamedDependency[LotteryDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        async def step(form: FormMultiDict) -> str:
            await lottery_desk.close_pool(principal, assembly_id)
            return gettext(N_("Lista de voluntários fechada e publicada."))

        return await self._step(request, overview, desk, principal, assembly_id, step)

    @post("/revelar", status_code=303)
    async def reveal(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        lottery_desk: NamedDependency[LotteryDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        async def step(form: FormMultiDict) -> str:
            await lottery_desk.reveal(
                principal, assembly_id, one(form, "secret"), one(form, "public_value")
            )
            return gettext(N_("Segredo conferido: o sorteio foi para a fila."))

        return await self._step(request, overview, desk, principal, assembly_id, step)
