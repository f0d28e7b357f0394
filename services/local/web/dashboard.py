"""Painel da assembleia: the assemblies a secretary or organiser may run (``/assembleias``) and
one assembly's cockpit (``/assembleias/{id}``): a checklist by phase — convocação,
credenciamento, propostas, plenária, eleição, relatório — from the cycle's rules, the deadline's
countdown, what is still missing before the report can go, and true counts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from services.local.desk import AssemblyDesk
from services.local.overview import Board, DeskOverview
from services.local.web.common import (
    ROOT,
    STATUSES,
    address,
    countdown,
    desk_page,
    form_of,
    one,
    with_notice,
)
from shared.core.access import Principal
from shared.core.errors import DomainError, Invalid
from shared.core.territory import municipality
from shared.platform.web.i18n import N_, gettext
from shared.platform.web.pages import page, refused, sign_in_first


@dataclass(frozen=True, slots=True)
class Step:
    text: str
    done: bool
    #: Must be done before the report can be sent (else a warning only).
    blocking: bool = False


@dataclass(frozen=True, slots=True)
class Phase:
    key: str
    title: str
    steps: list[Step]
    link: str = ""

    @property
    def done(self) -> bool:
        return all(s.done for s in self.steps)


def quorum_words(board: Board) -> str:
    """ "quórum: 37 de 50 necessários", or "" when the cycle sets no quorum."""
    q = board.quorum
    if q.needed is None:
        return ""
    return gettext(
        N_("quórum: %(present)s de %(needed)s necessários"), present=q.present, needed=q.needed
    )


def quorum_steps(board: Board) -> list[Step]:
    words = quorum_words(board)
    return [Step(words, board.quorum.reached)] if words else []


def phases(board: Board) -> list[Phase]:
    """The checklist, phase by phase, from the assembly's state and its cycle's rules."""
    a, counts, rules = board.assembly, board.counts, board.rules
    started = a.status != "draft"
    closed = a.status == "closed"
    submitted = sum(board.proposals.values()) - board.proposals.get("withdrawn", 0)
    undecided = board.proposals.get("submitted", 0) + board.proposals.get("plenary", 0)
    open_polls = sum(o for o, _ in board.polls.values())
    decided = board.polls.get("decision", (0, 0))[1]
    segments = {s.id: s.title_pt for s in rules.delegates.segments}
    missing_segments = [
        title for sid, title in segments.items() if counts.by_segment.get(sid, (0, 0))[1] == 0
    ]
    election_closed = board.polls.get("election", (0, 0))[1] > 0
    there = address(a.id)
    return [
        Phase(
            "convocacao",
            N_("Convocação"),
            [
                Step(gettext(N_("Assembleia criada no ciclo %(cycle)s"), cycle=rules.title), True),
                Step(gettext(N_("Prazo para enviar o relatório definido")), a.deadline is not None),
                Step(gettext(N_("Assembleia aberta ao público")), started),
            ],
        ),
        Phase(
            "credenciamento",
            N_("Credenciamento"),
            [
                Step(
                    gettext(N_("Participantes inscritos: %(n)s"), n=counts.registered),
                    counts.registered > 0,
                ),
                Step(
                    gettext(N_("Credenciados com direito a voto: %(n)s"), n=counts.credentialed),
                    counts.credentialed > 0,
                ),
                *quorum_steps(board),
                Step(
                    gettext(N_("Todos os segmentos têm credenciados"))
                    if not missing_segments
                    else gettext(
                        N_("Segmentos sem credenciados: %(list)s"),
                        list=", ".join(missing_segments),
                    ),
                    not missing_segments,
                ),
            ],
        ),
        Phase(
            "propostas",
            N_("Propostas"),
            [
                Step(gettext(N_("Propostas apresentadas: %(n)s"), n=submitted), submitted > 0),
            ],
            f"{there}/propostas",
        ),
        Phase(
            "plenaria",
            N_("Plenária"),
            [
                Step(gettext(N_("Votação iniciada")), a.status in ("voting", "closed")),
                Step(gettext(N_("Votações decididas: %(n)s"), n=decided), decided > 0),
                Step(
                    gettext(N_("Nenhuma votação aberta"))
                    if not open_polls
                    else gettext(N_("Votações ainda abertas: %(n)s"), n=open_polls),
                    open_polls == 0,
                    blocking=True,
                ),
                Step(
                    gettext(N_("Todas as propostas decididas"))
                    if not undecided
                    else gettext(N_("Propostas ainda sem decisão: %(n)s"), n=undecided),
                    undecided == 0 or decided == 0,
                ),
            ],
            f"{there}/plenaria",
        ),
        Phase(
            "eleicao",
            N_("Eleição"),
            [
                Step(gettext(N_("Vagas de delegados: %(n)s"), n=board.seats), board.seats > 0),
                Step(
                    gettext(N_("Candidaturas registradas: %(n)s"), n=board.candidates),
                    board.candidates > 0 or board.seats == 0,
                ),
                Step(
                    gettext(N_("Eleição apurada: %(n)s mandatos"), n=board.mandates),
                    election_closed or board.seats == 0,
                ),
            ],
            f"{there}/eleicao",
        ),
        Phase(
            "relatorio",
            N_("Relatório"),
            [
                Step(
                    gettext(N_("Relatório assinado enviado: %(id)s"), id=a.report_id)
                    if a.report_id
                    else gettext(N_("Relatório ainda não enviado")),
                    closed,
                ),
            ],
            f"{there}/encerramento",
        ),
    ]


def missing(steps: list[Phase]) -> tuple[list[str], list[str]]:
    """What blocks the report, and what the secretary should look at before sending it."""
    blocking = [s.text for p in steps for s in p.steps if not s.done and s.blocking]
    warnings = [
        s.text
        for p in steps
        if p.key != "relatorio"
        for s in p.steps
        if not s.done and not s.blocking
    ]
    return blocking, warnings


class DashboardPages(Controller):
    include_in_schema = False

    @get(ROOT)
    async def index(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        principal: NamedDependency[Principal],
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        rows = await overview.runnable(principal)
        return page(
            request,
            "local/assemblies.html",
            title=N_("Suas assembleias"),
            rows=rows,
            statuses=STATUSES,
        )

    @get(f"{ROOT}/{{assembly_id:uuid}}")
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        try:
            board = await overview.board(principal, assembly_id)
        except DomainError as refusal:
            return refused(request, refusal)
        steps = phases(board)
        blocking, warnings = missing(steps)
        return desk_page(
            request,
            "local/dashboard.html",
            title=N_("Painel da assembleia"),
            board=board,
            section="",
            phases=steps,
            blocking=blocking,
            warnings=warnings,
            countdown=countdown(board.deadline),
            covered=covered_towns(board.assembly.covers),
        )

    @post(f"{ROOT}/{{assembly_id:uuid}}/fase", status_code=303)
    async def advance(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Open the assembly, or start its voting (the API's ``/open`` and ``/voting``)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        status = one(await form_of(request), "status")
        try:
            if status not in ("open", "voting"):
                raise Invalid("choose open or voting")
            await desk.advance(principal, assembly_id, status)
        except DomainError as refusal:
            return refused(request, refusal)
        notice = gettext(N_("Assembleia agora: %(status)s."), status=gettext(STATUSES[status]))
        return with_notice(address(assembly_id), notice)


def covered_towns(codes: list[str]) -> list[tuple[str, str]]:
    """(IBGE code, name) of each municipality an intermunicipal conference covers."""
    return [(code, town.name if (town := municipality(code)) else code) for code in codes]
