"""The plenary of a state (``/estado/{uf}/plenaria``) or of the national conference
(``/estado/BR/plenaria``), in a browser:

- the desk (its commission, at a state also its convener): the ballot box's key ceremony
  (shares shown once, in that answer only), credentialing from the mandates received in the
  reports, a lost claim code replaced, ex officio members (within their entry's seats), guests
  and observers registered and their registration ended, candidacies, polls opened on an item, an axis or the
  election, counts typed from paper, closing, the second person's confirmation, the election
  within the seats from above;
- the projector (``…/plenaria/telao``, public): what is being voted and the turnout, the last
  result, refreshed in place every few seconds (and by a link without JavaScript);
- the delegate's own phone (``…/delegado``): the claim code handed at their election binds
  the phone once (the session keeps only the device credential's digest), then Sim / Não /
  Abstenção, priorities and the election from there, and standing as a candidate.

Every form calls the same :class:`TierPlenary` use case as the API with the signed-in
principal, so role and territory are checked the same way; a refusal of who may act is the
error page with its status, any other refusal is shown on the desk with what was typed.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import msgspec
import structlog
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, ServerSentEvent, Template

from shared.contracts.http.plenary import (
    CredentialRequest,
    MemberRegistered,
    MemberRequest,
    PollView,
)
from shared.core.access import Principal
from shared.core.errors import DomainError, Forbidden, Invalid, NotFound
from shared.core.participants import QUOTA_GROUPS
from shared.features.consolidation.members import stage_of
from shared.features.consolidation.pages import cycle_of, state_code
from shared.features.consolidation.plenary import ItemCounts
from shared.features.consolidation.plenary_service import PlenaryBoard, TierPlenary
from shared.features.consolidation.service import Consolidation
from shared.features.identity.middleware import SESSION_CREDENTIAL
from shared.features.identity.pages import TRIES_A_SECRET
from shared.features.identity.sessions import renew
from shared.platform.secrets import digest
from shared.platform.web.i18n import N_, gettext
from shared.platform.web.labels import EQUITY_VALUES, GENDERS, MEMBER_CATEGORIES
from shared.platform.web.live import changes, fingerprint
from shared.platform.web.pages import page, refused, see_other, sign_in_first
from shared.platform.web.polls import CHOICES, MODES, POLL_KINDS, priority_ballot, result_words

log = structlog.get_logger(__name__)

DESK = "/estado/{uf:str}/plenaria"
PHONE = "/estado/{uf:str}/delegado"
#: Statuses in which an item may still be put to the plenary's vote.
UNDECIDED = ("active",)


def _text(form: FormMultiDict, name: str) -> str:
    return str(form.get(name) or "").strip()


def _count(form: FormMultiDict, name: str) -> int:
    raw = _text(form, name)
    if not raw:
        return 0
    if not raw.isdigit():
        raise Invalid(gettext(N_("Digite números inteiros, 0 ou mais.")))
    return int(raw)


def _poll(board: PlenaryBoard, poll_id: uuid.UUID) -> PollView:
    for found in board.polls:
        if found.id == str(poll_id):
            return found
    raise NotFound(f"no poll {poll_id} at this plenary")


def _member_request(form: FormMultiDict, cycle_id: str, uf: str) -> MemberRequest:
    """The desk's registration form, checked like the API's body (a 422 in words)."""
    holder = _text(form, "holder")
    if not holder:
        raise Invalid(gettext(N_("Digite o documento conferido na mesa.")))
    category = _text(form, "category")
    try:
        return msgspec.convert(
            {
                "cycle_id": cycle_id,
                "uf": uf,
                "category": category,
                "public_name": _text(form, "public_name"),
                "holder": holder,
                "entry": _text(form, "entry") if category == "ex_officio" else "",
                "segment": _text(form, "segment"),
                "gender": _text(form, "gender") or "undeclared",
                "quota_groups": [str(g) for g in form.getall("quota_groups", [])],
            },
            MemberRequest,
        )
    except msgspec.ValidationError as wrong:
        raise Invalid(str(wrong)) from wrong


def _names(board: PlenaryBoard, items: dict[str, str]) -> dict[str, str]:
    """Everything a poll may name — items, candidacies — by the words the room reads."""
    return {**items, **{c.id: f"{c.public_name} ({c.segment})" for c in board.candidacies}}


def _board_version(board: PlenaryBoard) -> str:
    """What changes the projector's board: who is credentialed, the polls and their ballots."""
    return fingerprint(
        [
            len(board.credentials),
            [(p.id, p.status, board.held.get(p.id, 0)) for p in board.polls],
        ]
    )


def _back(uf: str, cycle_id: str, notice: str) -> Redirect:
    return see_other(f"/estado/{uf}/plenaria?{urlencode({'ciclo': cycle_id, 'aviso': notice})}")


class TierPlenaryPages(Controller):
    include_in_schema = False

    # --- the desk ---------------------------------------------------------------------

    @get(DESK)
    async def desk(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        ciclo: FromQuery[str] = "",
        aviso: FromQuery[str] = "",
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        return await self._desk(request, plenary, consolidation, principal, uf, ciclo, notice=aviso)

    @staticmethod
    async def _desk(
        request: Request[Any, Any, Any],
        plenary: TierPlenary,
        consolidation: Consolidation,
        principal: Principal,
        uf: str,
        cycle_id: str,
        *,
        notice: str = "",
        error: str = "",
        status: int = 200,
        shares: list[str] | None = None,
        fingerprint: str = "",
        new_code: tuple[str, str] | None = None,
        registered: MemberRegistered | None = None,
    ) -> Template:
        try:
            uf = state_code(uf)
            plenary.require_desk(principal, uf)
            cycle_id = await cycle_of(consolidation, cycle_id)
            board = await plenary.board(cycle_id=cycle_id, uf=uf)
            admitted = await plenary.members(cycle_id=cycle_id, uf=uf)
            rules = await consolidation.rules(cycle_id)
            received = await consolidation.received_mandates(
                principal, cycle_id=cycle_id, uf=uf, limit=10_000, offset=0
            )
            items = await consolidation.items(
                cycle_id=cycle_id, uf=uf, axis=None, status=None, limit=10_000, offset=0
            )
        except DomainError as refusal:
            return refused(request, refusal)
        titles = {i.id: i.title or i.text for i in items}
        polled = {p.subject for p in board.polls if p.status != "closed"}
        entries = rules.stage_seats(stage_of(plenary.profile.nationwide)).ex_officio
        seated = Counter(m.entry for m in admitted.ex_officio)
        waiting = [m for m in received if not m.credentialed]
        return page(
            request,
            "consolidation/plenary_desk.html",
            title=N_("Plenária"),
            here=f"/estado/{uf}/plenaria",
            status_code=status,
            uf=uf,
            cycle_id=cycle_id,
            board=board,
            notice=notice,
            error=error,
            shares=shares or [],
            fingerprint=fingerprint,
            new_code=new_code,
            registered=registered,
            admitted=admitted,
            entries=[(e, seated[e.id]) for e in entries],
            categories=MEMBER_CATEGORIES,
            genders=GENDERS,
            quota_groups={g: EQUITY_VALUES.get(g, g) for g in QUOTA_GROUPS},
            segments=rules.segment_ids(),
            waiting=waiting,
            undecided=[i for i in items if i.status in UNDECIDED and i.id not in polled],
            axes=sorted({i.axis for i in items if i.status in UNDECIDED} - polled),
            open_polls=[p for p in board.polls if p.status == "open"],
            counted_polls=[p for p in board.polls if p.status == "counted"],
            closed_polls=[p for p in board.polls if p.status == "closed"],
            names=_names(board, titles),
            words={p.id: result_words(p, _names(board, titles)) for p in board.polls},
            modes=MODES,
            kinds=POLL_KINDS,
        )

    async def _act(
        self,
        request: Request[Any, Any, Any],
        plenary: TierPlenary,
        consolidation: Consolidation,
        principal: Principal,
        uf: str,
        act: Callable[[FormMultiDict, str], Awaitable[str]],
    ) -> Template | Redirect:
        """Sign in first, do one thing with the form, and go back to the desk saying what
        happened; a refusal of the rules is shown on the desk (422/409 with its reason)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await request.form()
        cycle_id = _text(form, "ciclo")
        try:
            uf = state_code(uf)
            cycle_id = await cycle_of(consolidation, cycle_id)
            notice = await act(form, cycle_id)
        except DomainError as refusal:
            return await self._refused_on_desk(
                request, plenary, consolidation, principal, uf, cycle_id, refusal
            )
        return _back(uf, cycle_id, notice)

    async def _refused_on_desk(
        self,
        request: Request[Any, Any, Any],
        plenary: TierPlenary,
        consolidation: Consolidation,
        principal: Principal,
        uf: str,
        cycle_id: str,
        refusal: DomainError,
    ) -> Template:
        """Who may not act gets the error page; a refusal of the rules is shown on the desk."""
        if refusal.status in (401, 403, 404):
            return refused(request, refusal)
        return await self._desk(
            request,
            plenary,
            consolidation,
            principal,
            uf,
            cycle_id,
            error=gettext(N_("Não foi possível: %(why)s"), why=refusal.detail),
            status=refusal.status,
        )

    @post(f"{DESK}/urna", status_code=200)
    async def open_ballot_box(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        """The key ceremony: the shares are on this answer only (no redirect keeps them)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await request.form()
        try:
            uf = state_code(uf)
            cycle_id = await cycle_of(consolidation, _text(form, "ciclo"))
            ceremony = await plenary.open_ballot_box(principal, cycle_id=cycle_id, uf=uf)
        except DomainError as refusal:
            return refused(request, refusal)
        return await self._desk(
            request,
            plenary,
            consolidation,
            principal,
            uf,
            cycle_id,
            shares=list(ceremony.shares),
            fingerprint=ceremony.fingerprint,
        )

    @post(f"{DESK}/urna/chaves", status_code=303)
    async def restore_ballot_box(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        async def restore(form: FormMultiDict, cycle_id: str) -> str:
            shares = [s for s in (_text(form, "share_1"), _text(form, "share_2")) if s]
            await plenary.restore_ballot_box(principal, cycle_id=cycle_id, uf=uf, shares=shares)
            return gettext(N_("Urna destravada."))

        return await self._act(request, plenary, consolidation, principal, uf, restore)

    @post(f"{DESK}/credenciar", status_code=303)
    async def admit(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        async def admit(form: FormMultiDict, cycle_id: str) -> str:
            holder = _text(form, "holder")
            if not holder:
                raise Invalid(gettext(N_("Digite o documento conferido na mesa.")))
            admitted = await plenary.admit(
                principal,
                CredentialRequest(
                    cycle_id=cycle_id, uf=uf, mandate_id=_text(form, "mandate_id"), holder=holder
                ),
            )
            return gettext(N_("%(name)s credenciado(a)."), name=admitted.public_name)

        return await self._act(request, plenary, consolidation, principal, uf, admit)

    @post(f"{DESK}/ausencia", status_code=303)
    async def absent(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        async def absent(form: FormMultiDict, cycle_id: str) -> str:
            await plenary.absent(
                principal, cycle_id=cycle_id, uf=uf, mandate_id=_text(form, "mandate_id")
            )
            return gettext(N_("Ausência registrada: a vaga pode ir ao próximo suplente."))

        return await self._act(request, plenary, consolidation, principal, uf, absent)

    @post(f"{DESK}/novo-codigo", status_code=200)
    async def reissue_claim(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        """A lost claim code replaced: the new one is on this answer only."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await request.form()
        try:
            uf = state_code(uf)
            cycle_id = await cycle_of(consolidation, _text(form, "ciclo"))
            mandate_id = _text(form, "mandate_id")
            issued = await plenary.reissue_claim(
                principal, cycle_id=cycle_id, uf=uf, mandate_id=mandate_id
            )
        except DomainError as refusal:
            return refused(request, refusal)
        return await self._desk(
            request,
            plenary,
            consolidation,
            principal,
            uf,
            cycle_id,
            new_code=(issued.mandate_id, issued.claim_code),
        )

    @post(f"{DESK}/membros", status_code=200)
    async def register_member(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        """An ex officio member, a guest or an observer admitted by the desk; their claim
        code is on this answer only."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await request.form()
        cycle_id = _text(form, "ciclo")
        try:
            uf = state_code(uf)
            cycle_id = await cycle_of(consolidation, cycle_id)
            registered = await plenary.register_member(
                principal, _member_request(form, cycle_id, uf)
            )
        except DomainError as refusal:
            return await self._refused_on_desk(
                request, plenary, consolidation, principal, uf, cycle_id, refusal
            )
        return await self._desk(
            request,
            plenary,
            consolidation,
            principal,
            uf,
            cycle_id,
            notice=gettext(N_("%(name)s registrado(a)."), name=registered.member.public_name),
            registered=registered,
        )

    @post(f"{DESK}/membros/{{member_id:uuid}}/encerrar", status_code=303)
    async def revoke_member(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        member_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        async def revoke(form: FormMultiDict, cycle_id: str) -> str:
            ended = await plenary.revoke_member(
                principal, cycle_id=cycle_id, uf=uf, member_id=str(member_id)
            )
            return gettext(N_("Registro de %(name)s encerrado."), name=ended.public_name)

        return await self._act(request, plenary, consolidation, principal, uf, revoke)

    @post(f"{DESK}/candidaturas", status_code=303)
    async def stand(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        async def stand(form: FormMultiDict, cycle_id: str) -> str:
            await plenary.stand(
                principal, cycle_id=cycle_id, uf=uf, mandate_id=_text(form, "mandate_id")
            )
            return gettext(N_("Candidatura registrada."))

        return await self._act(request, plenary, consolidation, principal, uf, stand)

    @post(f"{DESK}/votacoes", status_code=303)
    async def open_poll(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        async def open_poll(form: FormMultiDict, cycle_id: str) -> str:
            kind = _text(form, "kind")
            mode = _text(form, "mode") or "counts"
            if kind not in ("decision", "priority", "election") or mode not in MODES:
                raise Invalid(gettext(N_("Escolha o que se vota e como.")))
            board = await plenary.board(cycle_id=cycle_id, uf=uf)
            subject = {
                "decision": _text(form, "item_id"),
                "priority": _text(form, "axis"),
                "election": "delegates",
            }[kind]
            opened = await plenary.open_poll(
                principal,
                cycle_id=cycle_id,
                uf=uf,
                kind=kind,
                mode=mode,
                subject=subject,
                title=_text(form, "title")[:300],
                method=board.priority.method if kind == "priority" else "borda",
                approvals=board.priority.approvals,
                amended_text=_text(form, "amended_text") or None,
            )
            return gettext(N_("Votação aberta: %(title)s"), title=opened.title)

        return await self._act(request, plenary, consolidation, principal, uf, open_poll)

    @post(f"{DESK}/bloco", status_code=303)
    async def decide_en_bloc(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        """A block vote from paper: the items ticked (the unticked are the *destaques*, left
        for a vote of their own), each counted with the bloc's counts, to be confirmed."""

        async def bloc(form: FormMultiDict, cycle_id: str) -> str:
            item_ids = [str(i) for i in form.getall("item_ids", []) if str(i).strip()]
            if not item_ids:
                raise Invalid(gettext(N_("Marque ao menos um item do bloco.")))
            yes, no, abstain = (_count(form, choice) for choice in CHOICES)
            if not yes + no + abstain:
                raise Invalid(gettext(N_("Digite ao menos uma contagem.")))
            counted = await plenary.decide_en_bloc(
                principal,
                cycle_id=cycle_id,
                uf=uf,
                decisions=[ItemCounts(i, yes=yes, no=no, abstain=abstain) for i in item_ids],
            )
            return gettext(
                N_(
                    "Bloco registrado: %(n)s itens aguardam a conferência de outra pessoa da "
                    "mesa; os destaques seguem para votação em separado."
                ),
                n=len(counted),
            )

        return await self._act(request, plenary, consolidation, principal, uf, bloc)

    @post(f"{DESK}/votacoes/{{poll_id:uuid}}/contagem", status_code=303)
    async def counts(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        poll_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """A decision's counts from paper or raised cards, added to earlier entries."""

        async def counts(form: FormMultiDict, cycle_id: str) -> str:
            entries = [([[choice]], n) for choice in CHOICES if (n := _count(form, choice)) > 0]
            if not entries:
                raise Invalid(gettext(N_("Digite ao menos uma contagem.")))
            added = await plenary.record_counts(
                principal, cycle_id=cycle_id, uf=uf, poll_id=poll_id, entries=entries
            )
            return gettext(N_("Contagem registrada: %(n)s votos."), n=added)

        return await self._act(request, plenary, consolidation, principal, uf, counts)

    @post(f"{DESK}/votacoes/{{poll_id:uuid}}/encerrar", status_code=303)
    async def close_poll(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        poll_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        async def close(form: FormMultiDict, cycle_id: str) -> str:
            closed = await plenary.close_poll(principal, cycle_id=cycle_id, uf=uf, poll_id=poll_id)
            if closed.status == "counted":
                return gettext(
                    N_("Apurada: %(title)s. Outra pessoa da mesa confere antes de valer."),
                    title=closed.title,
                )
            return gettext(N_("Votação encerrada: %(title)s"), title=closed.title)

        return await self._act(request, plenary, consolidation, principal, uf, close)

    @post(f"{DESK}/conferir", status_code=303)
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        async def confirm(form: FormMultiDict, cycle_id: str) -> str:
            try:
                ids = [uuid.UUID(str(v)) for v in form.getall("poll_id", [])]
            except ValueError:
                raise Invalid("unknown poll") from None
            if not ids:
                raise Invalid(gettext(N_("Marque ao menos uma votação.")))
            done = await plenary.confirm_polls(principal, cycle_id=cycle_id, uf=uf, poll_ids=ids)
            return gettext(N_("%(n)s votação(ões) conferida(s) e encerrada(s)."), n=len(done))

        return await self._act(request, plenary, consolidation, principal, uf, confirm)

    @post(f"{DESK}/votacoes/{{poll_id:uuid}}/devolver", status_code=303)
    async def send_back(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        poll_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        async def send_back(form: FormMultiDict, cycle_id: str) -> str:
            back = await plenary.send_back(principal, cycle_id=cycle_id, uf=uf, poll_id=poll_id)
            return gettext(N_("Devolvida para correção: %(title)s"), title=back.title)

        return await self._act(request, plenary, consolidation, principal, uf, send_back)

    @post(f"{DESK}/votacoes/{{poll_id:uuid}}/eleger", status_code=303)
    async def elect(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        poll_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        async def elect(form: FormMultiDict, cycle_id: str) -> str:
            elected = await plenary.elect(principal, cycle_id=cycle_id, uf=uf, poll_id=poll_id)
            words = gettext(N_("%(n)s eleito(s)."), n=elected.elected)
            if not elected.complete:
                words += " " + gettext(N_("Delegação incompleta."))
            return " ".join([words, *elected.notes])

        return await self._act(request, plenary, consolidation, principal, uf, elect)

    # --- the projector ----------------------------------------------------------------

    @get(f"{DESK}/telao")
    async def projector(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        uf: FromPath[str],
        ciclo: FromQuery[str] = "",
    ) -> Template:
        """Public: the poll on screen with its turnout, and the last result."""
        try:
            uf = state_code(uf)
            cycle_id = await cycle_of(consolidation, ciclo)
            board = await plenary.board(cycle_id=cycle_id, uf=uf)
            items = await consolidation.items(
                cycle_id=cycle_id, uf=uf, axis=None, status=None, limit=10_000, offset=0
            )
        except DomainError as refusal:
            return refused(request, refusal)
        names = _names(board, {i.id: i.title or i.text for i in items})
        closed = [p for p in board.polls if p.status == "closed"]
        return page(
            request,
            "consolidation/plenary_projector.html",
            version=_board_version(board),
            title=N_("Telão da plenária"),
            uf=uf,
            cycle_id=cycle_id,
            board=board,
            current=[p for p in board.polls if p.status == "open"],
            texts={i.id: i.text for i in items},
            names=names,
            last=closed[-1] if closed else None,
            last_words=result_words(closed[-1], names) if closed else "",
        )

    @get(f"{DESK}/telao/eventos")
    async def projector_events(
        self,
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        uf: FromPath[str],
        ciclo: FromQuery[str] = "",
    ) -> ServerSentEvent:
        """Public: a ``mudou`` event, carrying the board's version, each time the projector's
        board changes (a poll opened or closed, a ballot cast, a delegate credentialed)."""
        uf = state_code(uf)
        cycle_id = await cycle_of(consolidation, ciclo)  # refused before the stream starts

        async def look() -> str:
            return _board_version(await plenary.board(cycle_id=cycle_id, uf=uf))

        return changes(look)

    # --- the delegate's phone ---------------------------------------------------------

    @get(PHONE)
    async def phone(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        ciclo: FromQuery[str] = "",
        aviso: FromQuery[str] = "",
    ) -> Template:
        return await self._phone(request, plenary, consolidation, principal, uf, ciclo, aviso)

    @staticmethod
    async def _phone(
        request: Request[Any, Any, Any],
        plenary: TierPlenary,
        consolidation: Consolidation,
        principal: Principal,
        uf: str,
        cycle_id: str,
        notice: str = "",
        *,
        error: str = "",
        status: int = 200,
    ) -> Template:
        try:
            uf = state_code(uf)
            cycle_id = await cycle_of(consolidation, cycle_id)
            mandate_id = _own_mandate(principal, uf)
            board = await plenary.board(cycle_id=cycle_id, uf=uf)
            admitted = await plenary.members(cycle_id=cycle_id, uf=uf) if mandate_id else None
            items = (
                await consolidation.items(
                    cycle_id=cycle_id, uf=uf, axis=None, status=None, limit=10_000, offset=0
                )
                if mandate_id
                else []
            )
        except DomainError as refusal:
            return refused(request, refusal)
        me = next((c for c in board.credentials if c.mandate_id == mandate_id), None)
        member = next(
            (
                m
                for m in (
                    (admitted.ex_officio + admitted.guests + admitted.observers) if admitted else []
                )
                if m.member_id == mandate_id
            ),
            None,
        )
        return page(
            request,
            "consolidation/plenary_phone.html",
            title=N_("Plenária no seu celular"),
            here=f"/estado/{uf}/delegado",
            status_code=status,
            uf=uf,
            cycle_id=cycle_id,
            me=me,
            member=member,
            # a guest or an observer has voice only; an ex officio member stands only when
            # their entry says so
            votes=member is None or member.votes,
            may_stand=member is None or member.eligible,
            categories=MEMBER_CATEGORIES,
            mandate_id=mandate_id,
            notice=notice,
            error=error,
            open_polls=[p for p in board.polls if p.status == "open" and p.mode == "electronic"],
            standing=mandate_id in board.standing if mandate_id else False,
            names=_names(board, {i.id: i.title or i.text for i in items}),
            texts={i.id: i.text for i in items},
            choices=CHOICES,
        )

    @post(f"{PHONE}/entrar", status_code=303, opt={TRIES_A_SECRET: True})
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        """The claim code binds this phone to the mandate, once: the session keeps only the
        digest of the device credential, never the credential or the code."""
        form = await request.form()
        try:
            uf = state_code(uf)
            cycle_id = await cycle_of(consolidation, _text(form, "ciclo"))
            claimed = await plenary.claim(
                cycle_id=cycle_id,
                uf=uf,
                mandate_id=_text(form, "mandate_id"),
                claim_code=_text(form, "claim_code"),
            )
        except DomainError as refusal:
            log.info("delegate.sign_in_refused", uf=uf, status=refusal.status)
            return await self._phone(
                request,
                plenary,
                consolidation,
                principal,
                uf,
                "",
                error=gettext(N_("Não foi possível entrar: %(why)s"), why=refusal.detail),
                status=refusal.status,
            )
        renew(request, {SESSION_CREDENTIAL: digest(claimed.token)})
        log.info("delegate.signed_in", uf=uf, mandate=claimed.mandate_id)
        return see_other(f"/estado/{uf}/delegado")

    @post(f"{PHONE}/votar/{{poll_id:uuid}}", status_code=200)
    async def vote(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        poll_id: FromPath[uuid.UUID],
    ) -> Template:
        """The delegate's own ballot; the answer is its receipt."""
        form = await request.form()
        cycle_id = _text(form, "ciclo")
        try:
            uf = state_code(uf)
            cycle_id = await cycle_of(consolidation, cycle_id)
            poll = _poll(await plenary.board(cycle_id=cycle_id, uf=uf), poll_id)
            if poll.kind == "decision":
                choice = _text(form, "choice")
                if choice not in CHOICES:
                    raise Invalid(gettext(N_("Escolha Sim, Não ou Abstenção.")))
                ranking = [[choice]]
            else:
                ranking, _ = priority_ballot(form, poll)
            receipt = await plenary.cast(
                principal, cycle_id=cycle_id, uf=uf, poll_id=poll_id, ranking=ranking
            )
        except DomainError as refusal:
            if refusal.status in (401, 403, 404):
                return refused(request, refusal)
            return await self._phone(
                request,
                plenary,
                consolidation,
                principal,
                uf,
                cycle_id,
                error=gettext(N_("Seu voto não foi registrado: %(why)s"), why=refusal.detail),
                status=refusal.status,
            )
        return page(
            request,
            "consolidation/plenary_receipt.html",
            title=N_("Seu voto foi registrado."),
            here=f"/estado/{uf}/delegado",
            uf=uf,
            poll=poll,
            receipt=receipt,
        )

    @post(f"{PHONE}/candidatura", status_code=303)
    async def stand_myself(
        self,
        request: Request[Any, Any, Any],
        plenary: NamedDependency[TierPlenary],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        form = await request.form()
        try:
            uf = state_code(uf)
            cycle_id = await cycle_of(consolidation, _text(form, "ciclo"))
            await plenary.stand(principal, cycle_id=cycle_id, uf=uf, mandate_id=None)
        except DomainError as refusal:
            return refused(request, refusal)
        notice = gettext(N_("Sua candidatura foi registrada."))
        return see_other(f"/estado/{uf}/delegado?{urlencode({'aviso': notice})}")


def _own_mandate(principal: Principal, uf: str) -> str | None:
    """The mandate this phone holds at this plenary; None before it signed in; 403 for a
    delegate of another plenary."""
    if principal.kind != "delegate":
        return None
    for grant in principal.grants:
        if grant.role == "delegate" and grant.territory == uf and grant.mandate_id:
            return grant.mandate_id
    raise Forbidden("this phone holds a delegate credential of another plenary")
