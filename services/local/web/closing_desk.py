"""Encerrar e enviar: a preview of exactly what goes up — built by the closing use case itself
and rolled back — items by competence, mandates, tally manifests; the checks against the
cycle's rules before sending; then the close, and the signed report's receipt (its id, when it
was signed, when NATS JetStream accepted it) with the elected delegates' one-time claim codes,
shown in that answer only."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from services.local.desk import AssemblyDesk
from services.local.overview import DeskOverview
from services.local.web.common import ROLES, ROOT, desk_page
from services.local.web.dashboard import missing, phases
from shared.contracts.http.local import AssemblyClosed
from shared.core.access import Principal
from shared.core.errors import DomainError
from shared.platform.web.i18n import N_, gettext
from shared.platform.web.labels import COMPETENCES
from shared.platform.web.pages import refused, sign_in_first
from shared.platform.web.polls import OUTCOMES


class ClosingPages(Controller):
    include_in_schema = False
    path = f"{ROOT}/{{assembly_id:uuid}}/encerramento"

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        return await self._screen(request, overview, principal, assembly_id)

    @staticmethod
    async def _screen(
        request: Request[Any, Any, Any],
        overview: DeskOverview,
        principal: Principal,
        assembly_id: uuid.UUID,
        *,
        closed: AssemblyClosed | None = None,
        error: str = "",
    ) -> Template:
        try:
            board = await overview.board(principal, assembly_id)
            preview = (
                await overview.preview(principal, assembly_id)
                if board.assembly.status != "closed"
                else None
            )
        except DomainError as refusal:
            return refused(request, refusal)
        blocking, warnings = missing(phases(board))
        if preview is not None and preview.refusal:
            blocking = [preview.refusal, *blocking]
        report = preview.report if preview else None
        by_competence: dict[str, list[Any]] = {}
        for item in report.items if report else []:
            by_competence.setdefault(item.competence, []).append(item)
        staged, accepted = (
            await overview.sent_at(board.assembly.report_id)
            if board.assembly.report_id
            else (None, None)
        )
        titles = {
            **await overview.titles(assembly_id),
            "delegates": gettext(N_("Eleição de delegados")),
        }
        return desk_page(
            request,
            "local/closing.html",
            title=N_("Encerrar e enviar"),
            board=board,
            section="/encerramento",
            status_code=422 if error else 200,
            error=error,
            report=report,
            by_competence=by_competence,
            competences=COMPETENCES,
            blocking=blocking,
            warnings=warnings,
            closed=closed,
            staged=staged,
            accepted=accepted,
            roles=ROLES,
            outcomes=OUTCOMES,
            titles=titles,
        )

    @post("/", status_code=200)
    async def close(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Close the assembly and send its signed report (the API's ``POST …/close``); the
        answer is the receipt, with the delegates' claim codes shown this once."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        try:
            closed = await desk.close(principal, assembly_id)
        except DomainError as refusal:
            if refusal.status in (401, 403, 404):
                return refused(request, refusal)
            return await self._screen(
                request, overview, principal, assembly_id, error=refusal.detail
            )
        return await self._screen(request, overview, principal, assembly_id, closed=closed)
