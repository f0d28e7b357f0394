"""Grupos de trabalho: the desk places participants in the working groups of each axis, within
each group's places per segment (the cycle's ``[working_groups]``, the same use case as
``POST /api/v1/assemblies/{id}/working-groups/``); a group full for the person's segment is
refused on the screen with the figures."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from services.local.desk import AssemblyDesk
from services.local.overview import DeskOverview
from services.local.web.common import (
    ROOT,
    DeskScreen,
    address,
    desk_page,
    form_of,
    one,
    segment_titles,
    with_notice,
)
from shared.core.access import Principal
from shared.core.errors import Conflict, DomainError, Invalid
from shared.platform.web.i18n import N_, gettext
from shared.platform.web.pages import refused, sign_in_first

SECTION = "/grupos"


class WorkingGroupPages(DeskScreen):
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
        try:
            board = await overview.board(principal, assembly_id)
            groups = await desk.list_working_groups(principal, assembly_id)
            people = await desk.participants(principal, assembly_id)
        except DomainError as refusal:
            return refused(request, refusal)
        placed = {m.participant_id: (g.axis, g.number) for g in groups for m in g.members}
        return desk_page(
            request,
            "local/working_groups.html",
            title=N_("Grupos de trabalho"),
            board=board,
            section=SECTION,
            status_code=422 if error else 200,
            error=error,
            groups=groups,
            people=[p for p in people if not p.voice_only],
            placed=placed,
        )

    @post("/", status_code=303)
    async def place(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Place the chosen person in the chosen group (``axis:number``) and come back saying
        so, or show why not on the screen."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        try:
            axis, _, number = one(form, "group").rpartition(":")
            person = uuid.UUID(one(form, "participant_id"))
            view = await desk.place_in_working_group(
                principal, assembly_id, participant_id=person, axis=axis, number=int(number)
            )
        except ValueError:
            refusal: DomainError = Invalid(gettext(N_("escolha uma pessoa e um grupo da lista")))
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        except DomainError as refusal:
            if isinstance(refusal, Conflict) and "taken" in refusal.extra:
                board = await overview.board(principal, assembly_id)
                titles = segment_titles(board.rules)
                segment = str(refusal.extra["segment"])
                refusal = Conflict(
                    gettext(
                        N_(
                            "O grupo %(number)s deste eixo está cheio para %(segment)s: "
                            "%(taken)s de %(places)s vagas ocupadas. Escolha outro grupo."
                        ),
                        number=number,
                        segment=titles.get(segment, segment),
                        taken=refusal.extra["taken"],
                        places=refusal.extra["places"],
                    )
                )
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        name = next((m.public_name for m in view.members if m.participant_id == str(person)), "")
        return with_notice(
            address(assembly_id, SECTION),
            gettext(N_("%(name)s está no grupo %(number)s."), name=name, number=view.number),
        )
