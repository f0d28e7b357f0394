"""Plenária, the desk's side: the ballot box's key ceremony (its shares shown once, in this
answer only), a decision poll opened on an item — counted from paper or electronic — the item
on screen, counts typed from paper, the poll closed and its result in words; and a block vote
of many items at once, with the *destaques* left out to be voted one by one (the API's
``POST …/decisions``)."""

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
    MOTION_KINDS,
    MOTION_STATUSES,
    PROPOSAL_STATUSES,
    ROOT,
    DeskScreen,
    address,
    desk_page,
    form_of,
    noticed,
    one,
    whole,
    with_notice,
)
from services.local.web.outbox import post_once
from shared.core.access import Principal
from shared.core.errors import DomainError, Invalid
from shared.platform.web.i18n import N_, gettext
from shared.platform.web.pages import refused, sign_in_first
from shared.platform.web.polls import MODES, OUTCOMES, POLL_KINDS, result_words
from shared.platform.web.receipts import KEY_FIELD, new_key

UNDECIDED = ("submitted", "plenary")


class PlenaryDeskPages(DeskScreen):
    path = f"{ROOT}/{{assembly_id:uuid}}/plenaria"

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
        shares: list[str] | None = None,
        fingerprint: str = "",
    ) -> Template:
        try:
            board = await overview.board(principal, assembly_id)
        except DomainError as refusal:
            return refused(request, refusal)
        proposals = await desk.proposals(assembly_id, axis=None, limit=10_000, offset=0)
        every = await desk.polls(assembly_id)
        polls = [p for p in every if p.kind != "election"]
        names = {p.id: p.title for p in proposals}
        polled = {p.subject for p in polls if p.status == "open"}
        decided = {"approved", "approved_in_part"}
        prioritisable = sorted(
            {p.axis for p in proposals if p.status in decided and p.axis not in polled}
        )
        return desk_page(
            request,
            "local/plenary.html",
            title=N_("Plenária"),
            board=board,
            section="/plenaria",
            status_code=422 if error else 200,
            error=error,
            box=await desk.ballot_box_state(assembly_id),
            held=await overview.ballots_in([p.id for p in polls if p.status == "open"]),
            shares=shares or [],
            fingerprint=fingerprint,
            undecided=[p for p in proposals if p.status in UNDECIDED and p.id not in polled],
            open_polls=[p for p in polls if p.status == "open"],
            closed_polls=[p for p in polls if p.status == "closed"],
            # Counted by one person of the desk, awaiting another's conference (elections too).
            counted_polls=[p for p in every if p.status == "counted"],
            words={p.id: result_words(p, names) for p in every},
            texts={p.id: p.text for p in proposals},
            names=names,
            modes=MODES,
            key=new_key,
            key_field=KEY_FIELD,
            kinds=POLL_KINDS,
            outcomes=OUTCOMES,
            proposal_statuses=PROPOSAL_STATUSES,
            motions=await desk.motions(assembly_id),
            motion_kinds=MOTION_KINDS,
            motion_statuses=MOTION_STATUSES,
            prioritisable=prioritisable,
            priority=board.rules.priority,
        )

    @post("/urna", status_code=200)
    async def open_box(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """The key ceremony: this answer is the only place its shares are ever shown."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        try:
            opened = await desk.open_ballot_box(principal, assembly_id)
        except DomainError as refusal:
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        return await self._screen(
            request,
            overview,
            desk,
            principal,
            assembly_id,
            shares=opened.shares,
            fingerprint=opened.fingerprint,
        )

    @post("/urna/chaves", status_code=303)
    async def restore_box(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """After a restart, two members of the board type their shares."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        shares = [s for s in (one(form, "share_1"), one(form, "share_2")) if s]
        try:
            if len(shares) < 2:
                raise Invalid(gettext(N_("digite as partes de dois membros da mesa")))
            await desk.restore_ballot_box(principal, assembly_id, shares)
        except DomainError as refusal:
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        notice = gettext(N_("Urna destravada: as votações eletrônicas podem ser encerradas."))
        return with_notice(address(assembly_id, "/plenaria"), notice)

    @post("/votacoes", status_code=303)
    async def open_poll(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """A decision poll on one item (the API's ``POST …/polls``)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        try:
            try:
                proposal_id = uuid.UUID(one(form, "proposal_id"))
            except ValueError:
                raise Invalid(gettext(N_("escolha a proposta a votar"))) from None
            mode = one(form, "mode") or "counts"
            if mode not in ("counts", "electronic"):
                raise Invalid(gettext(N_("escolha como a votação é contada")))
            poll = await desk.open_poll(
                principal,
                assembly_id,
                kind="decision",
                mode=mode,
                proposal_id=proposal_id,
                axis=None,
                amended_text=one(form, "amended_text") or None,
            )
        except DomainError as refusal:
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        notice = gettext(N_("Votação aberta: %(title)s."), title=poll.title)
        return with_notice(address(assembly_id, "/plenaria"), notice)

    @post("/votacoes/{poll_id:uuid}/contagem", status_code=303)
    async def counts(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Yes / no / abstain typed from paper (added to earlier entries) — once per form: the
        offline outbox may send it again, and a count must never be added twice."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)

        async def run() -> str:
            typed = {c: whole(form, c) for c in ("yes", "no", "abstain")}
            entries = [([[c]], n) for c, n in typed.items() if n]
            if not entries:
                raise Invalid(gettext(N_("digite ao menos uma contagem")))
            added = await desk.enter_counts(principal, assembly_id, poll_id, entries)
            notice = gettext(N_("Contagem registrada: %(n)s votos."), n=added)
            return noticed(address(assembly_id, "/plenaria"), notice)

        try:
            return await post_once(request, desk.db, principal, form, run)
        except DomainError as refusal:
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)

    @post("/votacoes/{poll_id:uuid}/anular", status_code=303)
    async def void(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Withdraw every count typed into an open poll (recorded in the audit log)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        try:
            withdrawn = await desk.void_counts(principal, assembly_id, poll_id)
        except DomainError as refusal:
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        notice = gettext(N_("Contagens anuladas: %(n)s votos retirados."), n=withdrawn)
        return with_notice(address(assembly_id, "/plenaria"), notice)

    @post("/votacoes/{poll_id:uuid}/encerrar", status_code=303)
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
                    "Votação apurada: %(title)s. O resultado vale quando outra pessoa da mesa "
                    "conferir a apuração."
                ),
                title=poll.title,
            )
        else:
            notice = gettext(N_("Votação encerrada: %(title)s."), title=poll.title)
        if words := result_words(poll):
            notice += " " + words
        return with_notice(address(assembly_id, "/plenaria"), notice)

    @post("/bloco", status_code=303)
    async def en_bloc(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """One block vote on every listed item but the *destaques* (one set of counts for
        all of them, typed from paper); the destaques stay to be voted one by one."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        try:
            listed = [str(v) for v in form.getall("proposal_id", [])]
            singled = {str(v) for v in form.getall("destaque", [])}
            block = [p for p in listed if p not in singled]
            if not block:
                raise Invalid(gettext(N_("o bloco ficou vazio: todas as propostas são destaques")))
            counts = {c: whole(form, c) for c in ("yes", "no", "abstain")}
            decisions = [{"proposal_id": uuid.UUID(p), **counts} for p in block]
            done = await desk.decide_en_bloc(principal, assembly_id, decisions)
        except (DomainError, ValueError) as refusal:
            if isinstance(refusal, ValueError):
                refusal = Invalid(str(refusal))
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        notice = gettext(
            N_(
                "Bloco apurado: %(n)s propostas aguardam a conferência de outra pessoa da mesa; "
                "%(d)s destaques para votar em separado."
            ),
            n=done.counted + done.decided,
            d=len(singled & set(listed)),
        )
        return with_notice(address(assembly_id, "/plenaria"), notice)

    @post("/conferir", status_code=303)
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Another person of the desk confirms the counted polls ticked (never their own)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        try:
            ticked = [uuid.UUID(str(v)) for v in form.getall("poll_id", [])]
            if not ticked:
                raise Invalid(gettext(N_("marque ao menos uma votação para conferir")))
            done = await desk.confirm_polls(principal, assembly_id, ticked)
        except (DomainError, ValueError) as refusal:
            if isinstance(refusal, ValueError):
                refusal = Invalid(str(refusal))
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        notice = gettext(N_("Apuração conferida: %(n)s votações encerradas."), n=len(done))
        return with_notice(address(assembly_id, "/plenaria"), notice)

    @post("/votacoes/{poll_id:uuid}/devolver", status_code=303)
    async def send_back(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """The conference does not agree: the poll is open again to correct its counts."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        try:
            poll = await desk.send_back(principal, assembly_id, poll_id)
        except DomainError as refusal:
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        notice = gettext(N_("Apuração devolvida: %(title)s está aberta de novo."), title=poll.title)
        return with_notice(address(assembly_id, "/plenaria"), notice)

    @post("/mocoes", status_code=303)
    async def register_motion(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """A motion typed from paper: it collects signatures (on the phones) before a vote."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        try:
            kind, title, text = one(form, "kind"), one(form, "title"), one(form, "text")
            if kind not in MOTION_KINDS:
                raise Invalid(gettext(N_("escolha o tipo da moção")))
            if not title or not text:
                raise Invalid(gettext(N_("digite o título e o texto da moção")))
            motion = await desk.propose_motion(
                principal, assembly_id, kind=kind, title=title[:300], text=text[:5000]
            )
        except DomainError as refusal:
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        notice = gettext(
            N_("Moção registrada: %(title)s. Precisa de %(n)s assinaturas."),
            title=motion.title,
            n=motion.needed,
        )
        return with_notice(address(assembly_id, "/plenaria"), notice)

    @post("/mocoes/{motion_id:uuid}/votacao", status_code=303)
    async def vote_motion(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        motion_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """A motion with enough signatures goes to a yes / no / abstain poll; closing it
        settles the motion (approved or rejected by the cycle's motion majority)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        try:
            mode = one(form, "mode") or "counts"
            if mode not in ("counts", "electronic"):
                raise Invalid(gettext(N_("escolha como a votação é contada")))
            poll = await desk.vote_motion(principal, assembly_id, motion_id, mode)
        except DomainError as refusal:
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        notice = gettext(N_("Votação aberta: %(title)s."), title=poll.title)
        return with_notice(address(assembly_id, "/plenaria"), notice)

    @post("/priorizacao", status_code=303)
    async def open_priority(
        self,
        request: Request[Any, Any, Any],
        overview: NamedDependency[DeskOverview],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """A priority poll among an axis's approved proposals, voted on the phones; closing it
        ranks them (the cycle's priority method and number of choices)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await form_of(request)
        try:
            axis = one(form, "axis")
            if not axis:
                raise Invalid(gettext(N_("escolha o eixo a priorizar")))
            poll = await desk.open_poll(
                principal,
                assembly_id,
                kind="priority",
                mode="electronic",
                proposal_id=None,
                axis=axis,
                amended_text=None,
            )
        except DomainError as refusal:
            return await self._refused(request, overview, desk, principal, assembly_id, refusal)
        notice = gettext(N_("Priorização aberta: %(title)s."), title=poll.title)
        return with_notice(address(assembly_id, "/plenaria"), notice)
