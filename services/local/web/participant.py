"""The participant's phone (``/participar/{assembly}``): get a voting card, sign in with it, then
submit, support and vote — each through the same :class:`AssemblyDesk` use case as the API.

Two ways in:

- "Quero minha credencial": the phone asks for a card (no sign-in) and shows its pairing number
  for the desk to bind; the page waits (an HTMX poll, or a button without JavaScript). The card's
  code travels only between the server and this phone — in the answer that made it and, hidden,
  in the form that asks whether it is bound — and once the desk has bound it the session becomes
  the participant's and the code is shown once, to note down for another device.
- "Já tenho crachá": the badge's code, typed or read from its QR, which opens this page with
  the code in the URL *fragment* (never sent to the server, so never in its logs); a line of
  JavaScript fills the form with it. These posts are rate-limited like ``/entrar``.

The session keeps only the digest of the code (:data:`SESSION_CREDENTIAL`), never the code; a
revoked or replaced card signs the phone out at its next request. A vote's choice is sent to the
sealed ballot box and nowhere else: no page, redirect, session or log carries it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import msgspec
import structlog
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import func, select

from services.local import proposals as proposal_rules
from services.local.cards import canonical_code, credential_digest
from services.local.desk import AssemblyDesk
from services.local.model import ProposalSupport
from services.local.web.common import MOTION_KINDS, MOTION_STATUSES
from services.local.web.outbox import post_once
from shared.contracts.http.local import NewProposal
from shared.contracts.http.plenary import PollView
from shared.core.access import Principal
from shared.core.errors import Conflict, DomainError, Invalid, Unauthorized
from shared.features.cycles.store import rules_for
from shared.features.identity.middleware import SESSION_CREDENTIAL
from shared.features.identity.pages import TRIES_A_SECRET
from shared.features.identity.service import Identity
from shared.features.identity.sessions import renew
from shared.features.plenary.model import Motion, MotionSignature, PollEligible, PollVoter
from shared.platform.web.i18n import N_, gettext
from shared.platform.web.labels import COMPETENCES
from shared.platform.web.pages import page, refused, see_other
from shared.platform.web.polls import CHOICES, priority_ballot
from shared.platform.web.receipts import KEY_FIELD, new_key

log = structlog.get_logger(__name__)

PHONE = "/participar/{assembly_id:uuid}"
#: The open electronic polls a phone votes in (the election has its own ballot).
PHONE_KINDS = ("decision", "motion", "priority")
#: The digest of the phone card this browser waits for the desk to bind (not the code).
SESSION_PENDING = "pending_card_digest"
#: Notices a redirect back to the phone may show (by key: no free text in the address).
NOTICES: dict[str, str] = {
    "assinada": N_("Sua assinatura foi registrada."),
    "enviada": N_("Sua proposta foi enviada."),
    "apoiada": N_("Seu apoio foi registrado."),
    "votou": N_("Seu voto foi registrado."),
}


@dataclass(frozen=True, slots=True)
class OpenBallot:
    """An open poll as a phone shows it: how many have voted, and whether this phone has."""

    poll: PollView
    voted: int
    you_voted: bool


def phone_path(assembly_id: uuid.UUID) -> str:
    return f"/participar/{assembly_id}"


def participant_here(principal: Principal, assembly_id: uuid.UUID) -> bool:
    """Whether ``principal`` is a participant of this very assembly."""
    return principal.kind == "participant" and any(
        g.role == "participant" and g.assembly_id == str(assembly_id) for g in principal.grants
    )


def _text(value: Any) -> str:
    return str(value or "").strip()


class ParticipantPages(Controller):
    include_in_schema = False

    @get(PHONE)
    async def phone(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        aviso: FromQuery[str] = "",
        votacao: FromQuery[str] = "",
    ) -> Template:
        try:
            assembly = await desk.show(assembly_id)
            if not participant_here(principal, assembly_id):
                return self._welcome(request, assembly)
            return await self._home(
                request, desk, principal, assembly_id, notice=aviso, voted_in=votacao
            )
        except DomainError as refusal:
            return refused(request, refusal)

    # --- getting in ---------------------------------------------------------------------

    @post(f"{PHONE}/cartao", status_code=200)
    async def ask_for_card(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template:
        try:
            assembly = await desk.show(assembly_id)
            card = await desk.card_for_device(assembly_id)
        except DomainError as refusal:
            return refused(request, refusal)
        request.set_session(
            {**(request.session or {}), SESSION_PENDING: credential_digest(card.code)}
        )
        log.info("phone_card.asked", assembly_id=str(assembly_id))
        return page(
            request,
            "local/participant_card.html",
            here=phone_path(assembly_id),
            title=N_("Sua credencial"),
            assembly=assembly,
            pairing=card.pairing,
            code=card.code,
            expires_at=card.expires_at,
            ready=False,
        )

    @post(f"{PHONE}/cartao/verificar", status_code=200)
    async def is_it_bound(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        identity: NamedDependency[Identity],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template:
        """The waiting phone asks whether the desk bound its card (the form carries the code
        back; it must be the card this session asked for)."""
        form = await request.form()
        code = canonical_code(_text(form.get("code")))
        key = credential_digest(code)
        try:
            assembly = await desk.show(assembly_id)
            if (request.session or {}).get(SESSION_PENDING) != key:
                raise Unauthorized("this phone did not ask for that card: ask for a new one")
        except DomainError as refusal:
            return refused(request, refusal)
        held = await identity.principal_of_credential(key)
        ready = held is not None and participant_here(held, assembly_id)
        if ready:
            renew(request, {SESSION_CREDENTIAL: key})
            log.info("participant.signed_in", assembly_id=str(assembly_id), by="phone_card")
        template = (
            "local/participant_card_status.html"
            if request.headers.get("hx-request")
            else "local/participant_card.html"
        )
        return page(
            request,
            template,
            here=phone_path(assembly_id),
            title=N_("Sua credencial"),
            assembly=assembly,
            pairing=_text(form.get("pairing")),
            code=code,
            ready=ready,
        )

    @post(f"{PHONE}/entrar", status_code=303, opt={TRIES_A_SECRET: True})
    async def with_badge(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        identity: NamedDependency[Identity],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        form = await request.form()
        key = credential_digest(_text(form.get("code")))
        try:
            assembly = await desk.show(assembly_id)
        except DomainError as refusal:
            return refused(request, refusal)
        held = await identity.principal_of_credential(key)
        if held is None or not participant_here(held, assembly_id):
            log.info("participant.sign_in_refused", assembly_id=str(assembly_id))
            return self._welcome(
                request,
                assembly,
                error=gettext(
                    N_(
                        "Código desconhecido, revogado ou de outra assembleia. Confira o que "
                        "está dentro do crachá ou procure a mesa."
                    )
                ),
                status=401,
            )
        renew(request, {SESSION_CREDENTIAL: key})
        log.info("participant.signed_in", assembly_id=str(assembly_id), by="badge")
        return see_other(phone_path(assembly_id))

    # --- taking part --------------------------------------------------------------------

    @post(f"{PHONE}/propostas", status_code=303)
    async def propose(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """A proposal from the phone: first the similar proposals already here (by title),
        then, once confirmed, the submission (once per form, however often it is sent)."""
        form = await request.form()
        fields = {n: _text(form.get(n)) for n in ("axis", "competence", "title", "text")}
        try:
            if not participant_here(principal, assembly_id):
                raise Unauthorized("sign in with your voting card first")
            try:
                proposal = msgspec.convert(fields, NewProposal)
            except msgspec.ValidationError as wrong:
                raise Invalid(str(wrong)) from None
            if not form.get("confirmed"):
                similar = await self._similar(desk, assembly_id, proposal)
                if similar:
                    return page(
                        request,
                        "local/participant_similar.html",
                        here=phone_path(assembly_id),
                        title=N_("Propostas parecidas"),
                        assembly=await desk.show(assembly_id),
                        fields=fields,
                        similar=similar,
                        key=_text(form.get(KEY_FIELD)),
                        key_field=KEY_FIELD,
                        competences=COMPETENCES,
                    )

            async def run() -> str:
                await desk.submit(principal, assembly_id, proposal)
                return f"{phone_path(assembly_id)}?aviso=enviada"

            return await post_once(request, desk.db, principal, form, run)
        except DomainError as refusal:
            return refused(request, refusal)

    @post(f"{PHONE}/propostas/{{proposal_id:uuid}}/apoio", status_code=303)
    async def support(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        proposal_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        try:
            await desk.support(principal, assembly_id, proposal_id)
        except DomainError as refusal:
            return refused(request, refusal)
        return see_other(f"{phone_path(assembly_id)}?aviso=apoiada")

    @post(f"{PHONE}/votacoes/{{poll_id:uuid}}/voto", status_code=303)
    async def vote(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        form = await request.form()
        choice = _text(form.get("choice"))
        try:
            if choice not in CHOICES:
                raise Invalid("choose Sim, Não or Abstenção")
            await desk.cast(principal, assembly_id, poll_id, [[choice]])
        except DomainError as refusal:
            return refused(request, refusal)
        # The notice is said inside this poll's own box (other open polls keep their forms).
        return see_other(f"{phone_path(assembly_id)}?aviso=votou&votacao={poll_id}#v-{poll_id}")

    @post(f"{PHONE}/votacoes/{{poll_id:uuid}}/prioridade", status_code=200)
    async def prioritise(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
    ) -> Template:
        """A priority ballot: up to the cycle's number of proposals (approval), or the axis's
        proposals in order of preference (Borda, Schulze); the receipt is shown once, here."""
        form = await request.form()
        try:
            if not participant_here(principal, assembly_id):
                raise Unauthorized("sign in with your voting card first")
            poll = await desk.poll(assembly_id, poll_id)
            if poll.kind != "priority":
                raise Invalid("this poll is not a priority poll")
            ranking, most = priority_ballot(form, poll)
            if not ranking:
                raise Invalid(gettext(N_("Escolha ao menos uma proposta.")))
            chosen = sum(len(g) for g in ranking)
            if chosen > most:
                raise Invalid(
                    gettext(
                        N_("Você escolheu %(n)s propostas; o máximo é %(m)s."), n=chosen, m=most
                    )
                )
            receipt = await desk.cast(principal, assembly_id, poll_id, ranking)
        except DomainError as refusal:
            return refused(request, refusal)
        return page(
            request,
            "local/participant_receipt.html",
            here=phone_path(assembly_id),
            title=N_("Seu voto foi registrado."),
            assembly_id=assembly_id,
            poll=poll,
            chosen=chosen,
            most=most,
            receipt=receipt,
        )

    @post(f"{PHONE}/mocoes/{{motion_id:uuid}}/assinatura", status_code=303)
    async def sign_motion(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        motion_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Sign a motion, once; signing again is a 409 saying so, on the phone's own page."""
        try:
            if not participant_here(principal, assembly_id):
                raise Unauthorized("sign in with your voting card first")
            await desk.sign_motion(principal, assembly_id, motion_id)
        except Conflict as again:
            message = (
                gettext(N_("Você já assinou esta moção."))
                if again.extra.get("already_signed")
                else gettext(N_("Esta moção não recebe mais assinaturas."))
            )
            try:
                return await self._home(
                    request, desk, principal, assembly_id, notice="", error=message, status=409
                )
            except DomainError as refusal:
                return refused(request, refusal)
        except DomainError as refusal:
            return refused(request, refusal)
        return see_other(f"{phone_path(assembly_id)}?aviso=assinada#mocoes")

    @get(f"{PHONE}/votacao")
    async def open_poll(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        parte: FromQuery[str] = "",
        votacao: FromQuery[str] = "",
    ) -> Template:
        """The polls open now, each with its turnout (the phone's HTMX poll refreshes them;
        ``parte=comparecimento&votacao=<poll>`` gives that poll's turnout bar alone, so a
        choice being made is not reset)."""
        try:
            signed_in = participant_here(principal, assembly_id)
            ballots = await self._open_ballots(
                desk, assembly_id, principal.id if signed_in else None
            )
            names = await self._names(desk, assembly_id, [b.poll for b in ballots])
        except DomainError as refusal:
            return refused(request, refusal)
        if parte == "comparecimento":
            ballot = next((b for b in ballots if b.poll.id == votacao), None)
            return page(
                request,
                "local/participant_turnout.html",
                here=phone_path(assembly_id),
                title=N_("Votação"),
                assembly_id=assembly_id,
                poll=ballot.poll if ballot else None,
                voted=ballot.voted if ballot else 0,
            )
        return page(
            request,
            "local/participant_poll.html",
            here=phone_path(assembly_id),
            title=N_("Votação"),
            assembly_id=assembly_id,
            ballots=ballots,
            signed_in=signed_in,
            choices=CHOICES,
            names=names,
            voted_in="",
            poll_notice="",
        )

    # --- rendering ----------------------------------------------------------------------

    @staticmethod
    async def _open_ballots(
        desk: AssemblyDesk, assembly_id: uuid.UUID, voter_id: str | None
    ) -> list[OpenBallot]:
        """Every open electronic poll a phone votes in (a proposal's, a motion's, a priority),
        oldest first, with how many have voted (never how) and whether ``voter_id`` has; a
        poll whose roll, frozen when it opened, leaves ``voter_id`` out is not theirs to vote
        in and is left out."""
        polls = [
            p
            for p in await desk.polls(assembly_id)
            if p.status == "open" and p.kind in PHONE_KINDS and p.mode == "electronic"
        ]
        if not polls:
            return []
        ids = [uuid.UUID(p.id) for p in polls]
        mine: set[uuid.UUID] = set()
        off_roll: set[uuid.UUID] = set()
        async with desk.reading(assembly_id) as s:
            voted: dict[uuid.UUID, int] = dict(
                (
                    await s.session.execute(
                        select(PollVoter.poll_id, func.count())
                        .where(PollVoter.poll_id.in_(ids))
                        .group_by(PollVoter.poll_id)
                    )
                )
                .tuples()
                .all()
            )
            if voter_id is not None:
                mine = set(
                    await s.session.scalars(
                        select(PollVoter.poll_id).where(
                            PollVoter.poll_id.in_(ids), PollVoter.voter_id == voter_id
                        )
                    )
                )
                on_roll = set(
                    await s.session.scalars(
                        select(PollEligible.poll_id).where(
                            PollEligible.poll_id.in_(ids), PollEligible.voter_id == voter_id
                        )
                    )
                )
                off_roll = {
                    key
                    for p, key in zip(polls, ids, strict=True)
                    if p.electorate is not None and key not in on_roll
                }
        return [
            OpenBallot(poll=p, voted=voted.get(key, 0), you_voted=key in mine)
            for p, key in zip(polls, ids, strict=True)
            if key not in off_roll
        ]

    @staticmethod
    async def _names(
        desk: AssemblyDesk, assembly_id: uuid.UUID, polls: list[PollView]
    ) -> dict[str, str]:
        """The priority polls' candidates by title (nothing for other polls)."""
        names: dict[str, str] = {}
        for axis in sorted({p.subject for p in polls if p.kind == "priority"}):
            listed = await desk.proposals(assembly_id, axis=axis, limit=10_000, offset=0)
            names.update((p.id, p.title) for p in listed)
        return names

    @staticmethod
    async def _similar(
        desk: AssemblyDesk, assembly_id: uuid.UUID, proposal: NewProposal
    ) -> list[str]:
        """Titles of the proposals here the new one resembles (the submission's own finder)."""
        async with desk.reading(assembly_id) as s:
            return await proposal_rules.similar_titles(
                s.session, s.assembly, proposal.axis, proposal.title, proposal.text
            )

    @staticmethod
    def _welcome(
        request: Request[Any, Any, Any], assembly: Any, *, error: str = "", status: int = 200
    ) -> Template:
        return page(
            request,
            "local/participant_welcome.html",
            here=phone_path(uuid.UUID(assembly.id)),
            title=N_("Participar"),
            status_code=status,
            assembly=assembly,
            error=error,
        )

    async def _home(
        self,
        request: Request[Any, Any, Any],
        desk: AssemblyDesk,
        principal: Principal,
        assembly_id: uuid.UUID,
        *,
        notice: str,
        error: str = "",
        status: int = 200,
        voted_in: str = "",
    ) -> Template:
        me = await desk.me(principal, assembly_id)
        assembly = await desk.show(assembly_id)
        listed = await desk.proposals(assembly_id, axis=None, limit=500, offset=0)
        async with desk.reading(assembly_id) as s:
            rules = await rules_for(s.session, s.assembly.cycle_id)
            supported = set(
                await s.session.scalars(
                    select(ProposalSupport.proposal_id).where(
                        ProposalSupport.participant_id == uuid.UUID(me.participant.id)
                    )
                )
            )
            signed = {
                str(m)
                for m in await s.session.scalars(
                    select(MotionSignature.motion_id)
                    .join(Motion, Motion.id == MotionSignature.motion_id)
                    .where(
                        Motion.assembly_id == str(assembly_id),
                        MotionSignature.signer_id == me.participant.id,
                    )
                )
            }
        ballots = await self._open_ballots(desk, assembly_id, me.participant.id)
        said = gettext(NOTICES[notice]) if notice in NOTICES else ""
        # "Seu voto foi registrado." inside the box of the poll just voted in, if it is shown.
        in_poll = notice == "votou" and any(b.poll.id == voted_in for b in ballots)
        return page(
            request,
            "local/participant_home.html",
            title=N_("Participar"),
            status_code=status,
            assembly=assembly,
            me=me,
            notice="" if in_poll else said,
            poll_notice=said if in_poll else "",
            voted_in=voted_in if in_poll else "",
            error=error,
            motions=await desk.motions(assembly_id),
            signed=signed,
            motion_kinds=MOTION_KINDS,
            motion_statuses=MOTION_STATUSES,
            names=await self._names(desk, assembly_id, [b.poll for b in ballots]),
            proposals=[p for p in listed if p.status == "submitted"],
            supported={str(p) for p in supported},
            supports_left=max(rules.supports_per_participant - len(supported), 0),
            supports_total=rules.supports_per_participant,
            online_supports=assembly.kind == "digital",
            axes=rules.axes,
            competences=COMPETENCES,
            ballots=ballots,
            choices=CHOICES,
            key=new_key(),
            key_field=KEY_FIELD,
        )
