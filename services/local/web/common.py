"""What the desk's screens share: the assembly they belong to, the signed-in desk principal,
form fields, the notice after a redirect, and how the domain's words are shown.

Every screen's form posts to its own handler, which calls one :class:`AssemblyDesk` use case
and answers 303 to the screen with a notice (``?aviso=``); HTMX forms (``hx-post`` with
``hx-select``) follow that redirect and swap the part of the page that changed, while the
notice is announced by the layout's live region (``#aviso``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_timedelta
from litestar import Controller, Request
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from services.local.desk import AssemblyDesk
from services.local.overview import Board, DeskOverview
from shared.contracts.http.plenary import PollView
from shared.core.access import Principal
from shared.core.cycle import CycleRules
from shared.core.errors import DomainError, Invalid
from shared.platform.web import i18n
from shared.platform.web.i18n import N_
from shared.platform.web.pages import page, refused, see_other

ROOT = "/assembleias"

#: The assembly's lifecycle, as the desk names it.
STATUSES: dict[str, str] = {
    "draft": N_("Em preparação"),
    "open": N_("Aberta"),
    "voting": N_("Em votação"),
    "closed": N_("Encerrada"),
}
PROPOSAL_STATUSES: dict[str, str] = {
    "submitted": N_("Apresentada"),
    "plenary": N_("Vai à plenária"),
    "approved": N_("Aprovada"),
    "approved_in_part": N_("Aprovada em parte"),
    "rejected": N_("Rejeitada"),
    "withdrawn": N_("Retirada"),
}
MOTION_KINDS: dict[str, str] = {
    "support": N_("Apoio"),
    "repudiation": N_("Repúdio"),
    "recommendation": N_("Recomendação"),
    "appeal": N_("Apelo"),
    "other": N_("Outra"),
}
MOTION_STATUSES: dict[str, str] = {
    "collecting": N_("Colhendo assinaturas"),
    "qualified": N_("Pode ir a voto"),
    "voting": N_("Em votação"),
    "approved": N_("Aprovada"),
    "rejected": N_("Rejeitada"),
}
ROLES: dict[str, str] = {"titular": N_("Titular"), "alternate": N_("Suplente")}

#: The screens of one assembly, in the order of its day (the layout's navigation).
SECTIONS: list[tuple[str, str]] = [
    ("", N_("Painel")),
    ("/propostas", N_("Propostas")),
    ("/plenaria", N_("Plenária")),
    ("/eleicao", N_("Eleição")),
    ("/encerramento", N_("Encerrar e enviar")),
]


def sections_of(rules: CycleRules) -> list[tuple[str, str]]:
    """The screens of an assembly of this cycle: the working groups' after the proposals and
    the lottery's before the closing, when the cycle has them."""
    sections = list(SECTIONS)
    if rules.working_groups is not None:
        sections.insert(2, ("/grupos", N_("Grupos de trabalho")))
    if rules.lottery is not None:
        sections.insert(len(sections) - 1, ("/sorteio", N_("Sorteio")))
    return sections


def address(assembly_id: uuid.UUID | str, section: str = "") -> str:
    return f"{ROOT}/{assembly_id}{section}"


def noticed(path: str, notice: str, **query: str) -> str:
    """The address of ``path`` (a screen) saying what happened."""
    return f"{path}?{urlencode({**query, 'aviso': notice})}"


def with_notice(path: str, notice: str, **query: str) -> Redirect:
    """Back to ``path`` (a screen), saying what happened."""
    return see_other(noticed(path, notice, **query))


async def form_of(request: Request[Any, Any, Any]) -> FormMultiDict:
    return await request.form()


def one(form: FormMultiDict, name: str) -> str:
    value = form.get(name)
    return str(value).strip() if value is not None and not hasattr(value, "read") else ""


def whole(form: FormMultiDict, name: str, default: int = 0) -> int:
    """A count typed on paper: blank is ``default``; anything else must be a whole number."""
    raw = one(form, name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise Invalid(
            i18n.gettext(
                N_("«%(value)s» não é um número inteiro (%(field)s)"), value=raw, field=name
            )
        ) from None


def axis_titles(rules: CycleRules) -> dict[str, str]:
    english = i18n.current() == "en"
    return {a.id: (a.title_en or a.title_pt) if english else a.title_pt for a in rules.axes}


def segment_titles(rules: CycleRules) -> dict[str, str]:
    return {s.id: s.title_pt for s in rules.delegates.segments}


def countdown(deadline: datetime | None, now: datetime | None = None) -> str:
    """How long until ``deadline``, in the reader's language ("em 3 dias", "há 2 horas")."""
    if deadline is None:
        return ""
    now = now or datetime.now(UTC)
    return format_timedelta(
        deadline - now,
        add_direction=True,
        threshold=1.5,
        locale=i18n.babel_locale(i18n.current()),
    )


def desk_page(
    request: Request[Any, Any, Any],
    name: str,
    *,
    title: str,
    board: Board,
    section: str,
    status_code: int = 200,
    error: str = "",
    **context: Any,
) -> Template:
    """A screen of one assembly, in its layout (navigation, notice, error)."""
    return page(
        request,
        name,
        title=title,
        status_code=status_code,
        here=address(board.assembly.id, section),
        board=board,
        assembly=board.assembly,
        section=section,
        sections=sections_of(board.rules),
        statuses=STATUSES,
        axes=axis_titles(board.rules),
        segments=segment_titles(board.rules),
        notice=str(request.query_params.get("aviso") or "")[:500],
        error=error,
        **context,
    )


def turnout(poll: PollView) -> tuple[int, int]:
    """Ballots in, and voters on the poll's frozen roll (0 when unknown)."""
    return poll.ballots, poll.electorate or 0


class DeskScreen(Controller):
    """A desk screen that answers a refused form with itself, the refusal shown on it (a 422
    keeps what was typed in view); refusals of who may act are the error page."""

    include_in_schema = False

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
        raise NotImplementedError

    async def _refused(
        self,
        request: Request[Any, Any, Any],
        overview: DeskOverview,
        desk: AssemblyDesk,
        principal: Principal,
        assembly_id: uuid.UUID,
        refusal: DomainError,
    ) -> Template:
        if refusal.status in (401, 403, 404):
            return refused(request, refusal)
        return await self._screen(
            request, overview, desk, principal, assembly_id, error=refusal.detail
        )
