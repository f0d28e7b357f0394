"""Propostas, the desk's side: the secretary types proposals from paper or imports a CSV (the
same use case as ``POST …/proposals/bulk``: one transaction, a bad row is refused naming the
row and nothing is written); the list with axis, competence, status, support, versions and
withdrawals, and possible duplicates named by title."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from services.local.desk import AssemblyDesk
from services.local.overview import DeskOverview
from services.local.web.common import (
    PROPOSAL_STATUSES,
    ROOT,
    address,
    desk_page,
    form_of,
    one,
    with_notice,
)
from shared.contracts.http.local import NewProposal
from shared.core.access import Principal
from shared.core.errors import DomainError, Invalid
from shared.platform.web.i18n import N_, gettext
from shared.platform.web.labels import COMPETENCES
from shared.platform.web.pages import refused, sign_in_first

#: The columns of an imported sheet (a header row naming them comes first; support optional).
COLUMNS = ("axis", "competence", "title", "text", "support")
MAX_CSV = 5 * 1024 * 1024


def proposal_of(fields: dict[str, str], where: str = "") -> NewProposal:
    """Typed fields as the API's ``NewProposal`` (same limits); ``where`` names the row."""
    raw: dict[str, Any] = {k: v.strip() for k, v in fields.items() if k in COLUMNS}
    support = raw.pop("support", "") or "0"
    try:
        raw["support"] = int(support)
        return msgspec.convert(raw, NewProposal)
    except ValueError:
        raise Invalid(f"{where}support must be a whole number, got {support!r}") from None
    except msgspec.ValidationError as wrong:
        raise Invalid(f"{where}{wrong}") from None


def rows_of(text: str) -> list[NewProposal]:
    """A CSV sheet (``,`` or ``;``) as proposals; the first bad row is refused by number."""
    sample = text[:4096]
    dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    lacking = [c for c in COLUMNS[:4] if c not in header]
    if lacking:
        raise Invalid(
            gettext(
                N_("a planilha precisa das colunas %(columns)s; faltam %(lacking)s"),
                columns=", ".join(COLUMNS),
                lacking=", ".join(lacking),
            )
        )
    reader.fieldnames = header
    found: list[NewProposal] = []
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        fields = {k: v or "" for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}
        found.append(proposal_of(fields, gettext(N_("linha %(n)s: "), n=line)))
    if not found:
        raise Invalid(gettext(N_("a planilha não tem nenhuma proposta")))
    return found


async def _sheet(form: FormMultiDict) -> str:
    upload = form.get("arquivo")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_CSV + 1)
        if len(raw) > MAX_CSV:
            raise Invalid(gettext(N_("a planilha é grande demais")))
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid(gettext(N_("salve a planilha como CSV em UTF-8"))) from None
    return one(form, "planilha")


class ProposalDeskPages(Controller):
    include_in_schema = False
    path = f"{ROOT}/{{assembly_id:uuid}}/propostas"

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
        return await self._list(request, overview, desk, principal, assembly_id)

    @staticmethod
    async def _list(
        request: Request[Any, Any, Any],
        overview: DeskOverview,
        desk: AssemblyDesk,
        principal: Principal,
        assembly_id: uuid.UUID,
        *,
        error: str = "",
        typed: dict[str, str] | None = None,
    ) -> Template:
        try:
            board = await overview.board(principal, assembly_id)
        except DomainError as refusal:
            return refused(request, refusal)
        rows = await desk.proposals(assembly_id, axis=None, limit=10_000, offset=0)
        return desk_page(
            request,
            "local/proposals.html",
            title=N_("Propostas"),
            board=board,
            section="/propostas",
            status_code=422 if error else 200,
            error=error,
            rows=rows,
            titles={r.id: r.title for r in rows},
            proposal_statuses=PROPOSAL_STATUSES,
            competences=COMPETENCES,
            typed=typed or {},
        )

    @post("/", status_code=303)
    async def add(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """A proposal typed from paper (the API's ``POST …/proposals``)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        typed = {name: one(form, name) for name in COLUMNS}
        try:
            made = await desk.submit(principal, assembly_id, proposal_of(typed))
        except DomainError as refusal:
            if refusal.status in (401, 403, 404):
                return refused(request, refusal)
            return await self._list(
                request, overview, desk, principal, assembly_id, error=refusal.detail, typed=typed
            )
        notice = gettext(N_("Proposta registrada: %(title)s."), title=made.title)
        if made.possible_duplicates:
            notice += " " + gettext(N_("Parece com outra já apresentada; veja a lista."))
        return with_notice(address(assembly_id, "/propostas"), notice)

    @post("/importar", status_code=303)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """A CSV sheet of proposals (the API's ``POST …/proposals/bulk``): all or nothing."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        try:
            batch = rows_of(await _sheet(form))
            done = await desk.upload(principal, assembly_id, batch)
        except DomainError as refusal:
            if refusal.status in (401, 403, 404):
                return refused(request, refusal)
            detail = gettext(N_("Nada foi importado: %(reason)s"), reason=refusal.detail)
            return await self._list(request, overview, desk, principal, assembly_id, error=detail)
        notice = gettext(N_("Propostas importadas: %(n)s."), n=done.created)
        if done.flagged:
            notice += " " + gettext(
                N_("Parecidas com outras já apresentadas: %(n)s."), n=len(done.flagged)
            )
        return with_notice(address(assembly_id, "/propostas"), notice)

    @get("/{proposal_id:uuid}")
    async def show(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        proposal_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        return await self._one(request, overview, desk, principal, assembly_id, proposal_id)

    @staticmethod
    async def _one(
        request: Request[Any, Any, Any],
        overview: DeskOverview,
        desk: AssemblyDesk,
        principal: Principal,
        assembly_id: uuid.UUID,
        proposal_id: uuid.UUID,
        *,
        error: str = "",
    ) -> Template:
        try:
            board = await overview.board(principal, assembly_id)
            versions = await overview.versions(assembly_id, proposal_id)
        except DomainError as refusal:
            return refused(request, refusal)
        rows = await desk.proposals(assembly_id, axis=None, limit=10_000, offset=0)
        proposal = next(r for r in rows if r.id == str(proposal_id))
        return desk_page(
            request,
            "local/proposal.html",
            title=N_("Proposta"),
            board=board,
            section="/propostas",
            status_code=422 if error else 200,
            error=error,
            proposal=proposal,
            versions=list(reversed(versions)),
            titles={r.id: r.title for r in rows},
            proposal_statuses=PROPOSAL_STATUSES,
            competences=COMPETENCES,
        )

    @post("/{proposal_id:uuid}/emendar", status_code=303)
    async def amend(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        proposal_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        try:
            if not one(form, "text"):
                raise Invalid(gettext(N_("escreva o novo texto da proposta")))
            done = await desk.amend(
                principal,
                assembly_id,
                proposal_id,
                title=one(form, "title") or None,
                text=one(form, "text"),
                reason=one(form, "reason")[:500],
            )
        except DomainError as refusal:
            if refusal.status in (401, 403, 404):
                return refused(request, refusal)
            return await self._one(
                request, overview, desk, principal, assembly_id, proposal_id, error=refusal.detail
            )
        notice = gettext(N_("Nova versão registrada (versão %(n)s)."), n=done.version)
        return with_notice(address(assembly_id, f"/propostas/{proposal_id}"), notice)

    @post("/{proposal_id:uuid}/retirar", status_code=303)
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        proposal_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        try:
            done = await desk.withdraw(principal, assembly_id, proposal_id)
        except DomainError as refusal:
            return refused(request, refusal)
        notice = gettext(N_("Proposta retirada: %(title)s."), title=done.title)
        return with_notice(address(assembly_id, "/propostas"), notice)
