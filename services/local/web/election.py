"""Eleição de delegados: the seats per segment (entered here when no allocation arrived from
above), candidates registered by name, the election poll counted from paper, and its result —
titulars and ranked alternates per segment, the parity and quota findings and how ties were
broken, in words."""

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
    ROLES,
    ROOT,
    DeskScreen,
    address,
    desk_page,
    form_of,
    whole,
    with_notice,
)
from shared.core.access import Principal
from shared.core.errors import DomainError, Invalid
from shared.platform.web.i18n import N_, gettext
from shared.platform.web.pages import refused, sign_in_first
from shared.platform.web.polls import MODES


class ElectionPages(DeskScreen):
    path = f"{ROOT}/{{assembly_id:uuid}}/eleicao"

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
            people = await desk.participants(principal, assembly_id)
        except DomainError as refusal:
            return refused(request, refusal)
        candidates = await desk.candidacies(assembly_id)
        standing = {c.public_name for c in candidates}
        election = await desk.election(assembly_id)
        polls = [p for p in await desk.polls(assembly_id) if p.kind == "election"]
        by_segment: dict[str, list[Any]] = {}
        for c in candidates:
            by_segment.setdefault(c.segment, []).append(c)
        return desk_page(
            request,
            "local/election.html",
            title=N_("Eleição de delegados"),
            board=board,
            section="/eleicao",
            status_code=422 if error else 200,
            error=error,
            election=election,
            candidates=candidates,
            by_segment=by_segment,
            names={c.id: c.public_name for c in candidates},
            eligible=[p for p in people if p.credentialed and p.public_name not in standing],
            open_poll=next((p for p in polls if p.status == "open"), None),
            held=await overview.ballots_in([p.id for p in polls if p.status == "open"]),
            closed_poll=next((p for p in polls if p.status == "closed"), None),
            roles=ROLES,
            ties=[n for n in election.notes if n.startswith("tie")],
            modes=MODES,
        )

    @post("/vagas", status_code=303)
    async def allocation(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """The seats, when no allocation arrived from above (the API's ``PUT …/allocation``)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        try:
            seats = whole(form, "seats", -1)
            if seats < 0:
                raise Invalid(gettext(N_("digite o número de vagas")))
            await desk.enter_allocation(principal, assembly_id, seats=seats, per_segment={})
        except DomainError as refusal:
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        notice = gettext(N_("Vagas registradas: %(n)s."), n=seats)
        return with_notice(address(assembly_id, "/eleicao"), notice)

    @post("/candidaturas", status_code=303)
    async def stand(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Candidacies registered by the desk (the API's ``POST …/candidacies/bulk``)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        try:
            chosen = [uuid.UUID(str(v)) for v in form.getall("participant_id", [])]
            if not chosen:
                raise Invalid(gettext(N_("marque ao menos uma pessoa")))
            done = await desk.stand_many(principal, assembly_id, chosen)
        except (DomainError, ValueError) as refusal:
            if isinstance(refusal, ValueError):
                refusal = Invalid(str(refusal))
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        notice = gettext(N_("Candidaturas registradas: %(n)s."), n=len(done))
        return with_notice(address(assembly_id, "/eleicao"), notice)

    @post("/votacao", status_code=303)
    async def open_election(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        mode = str(form.get("mode") or "counts")
        try:
            if mode not in ("counts", "electronic"):
                raise Invalid(gettext(N_("escolha como a votação é contada")))
            await desk.open_poll(
                principal,
                assembly_id,
                kind="election",
                mode=mode,
                proposal_id=None,
                axis=None,
                amended_text=None,
            )
        except DomainError as refusal:
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        return with_notice(address(assembly_id, "/eleicao"), gettext(N_("Eleição aberta.")))

    @post("/votacao/{poll_id:uuid}/contagem", status_code=303)
    async def counts(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Votes per candidate typed from paper (one approval each)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        try:
            candidates = await desk.candidacies(assembly_id)
            entries = [([[c.id]], n) for c in candidates if (n := whole(form, f"votes_{c.id}")) > 0]
            if not entries:
                raise Invalid(gettext(N_("digite ao menos uma contagem")))
            added = await desk.enter_counts(principal, assembly_id, poll_id, entries)
        except DomainError as refusal:
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        notice = gettext(N_("Contagem registrada: %(n)s votos."), n=added)
        return with_notice(address(assembly_id, "/eleicao"), notice)

    @post("/votacao/{poll_id:uuid}/encerrar", status_code=303)
    async def close(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        try:
            poll = await desk.close_poll(principal, assembly_id, poll_id)
        except DomainError as refusal:
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        if poll.status == "counted":
            notice = gettext(
                N_(
                    "Eleição apurada: os eleitos saem quando outra pessoa da mesa conferir a "
                    "apuração, em Plenária."
                )
            )
            return with_notice(address(assembly_id, "/plenaria"), notice)
        return with_notice(address(assembly_id, "/eleicao"), gettext(N_("Eleição apurada.")))
