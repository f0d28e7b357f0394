"""Credenciamento (``/assembleias/{id}/credenciamento``): the door of an assembly, for its
secretary (or an organiser of its territory).

Find a person by name (accent- and case-insensitive; HTMX as you type, a plain GET form
without JavaScript), register someone who is not on the list, hand them a voting card by the
pairing number their phone or badge shows (which checks them in), check them in without a card
(they vote on paper), or revoke a lost card and bind a new one. Counters per segment refresh
themselves. Every one of those posts is a once-only form (:mod:`services.local.web.outbox`):
the door keeps working while the network is down and each form takes effect once when it
comes back.

The desk never sees a voting card's code: only pairing numbers pass through these pages.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from services.local.desk import AssemblyDesk
from services.local.web.outbox import post_once
from shared.contracts.http.local import NewParticipant, ParticipantView
from shared.core.access import Principal
from shared.core.errors import DomainError, Invalid
from shared.core.quorum import quorum_of
from shared.features.cycles.store import rules_for
from shared.platform.web.i18n import N_, gettext
from shared.platform.web.pages import page, refused, sign_in_first
from shared.platform.web.receipts import KEY_FIELD, new_key

CHECKIN = "/assembleias/{assembly_id:uuid}/credenciamento"
#: Most people one search shows.
SHOWN = 30
NOTICES: dict[str, str] = {
    "inscrito": N_("Pessoa inscrita."),
    "cartao": N_("Credencial entregue: a pessoa está credenciada."),
    "presenca": N_("Presença registrada sem credencial: a pessoa vota em cédula."),
    "revogado": N_("Credencial revogada. Entregue outra pelo número do novo cartão."),
    "confirmado": N_("Confirmado: a pessoa já vota nas próximas votações."),
}


def checkin_path(assembly_id: uuid.UUID) -> str:
    return f"/assembleias/{assembly_id}/credenciamento"


def folded(text: str) -> str:
    """``text`` without accents or case, for matching what people type against names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def matching(people: list[ParticipantView], query: str) -> list[ParticipantView]:
    words = folded(query).split()
    return [p for p in people if all(w in folded(p.public_name) for w in words)]


@dataclass(frozen=True, slots=True)
class SegmentCount:
    id: str
    title: str
    registered: int
    checked_in: int


async def _segments(desk: AssemblyDesk, assembly_id: uuid.UUID) -> list[tuple[str, str]]:
    async with desk.reading(assembly_id) as s:
        rules = await rules_for(s.session, s.assembly.cycle_id)
    return [(seg.id, seg.title_pt) for seg in rules.delegates.segments]


async def _quorum(desk: AssemblyDesk, assembly_id: uuid.UUID, people: list[ParticipantView]) -> str:
    """ "quórum: 37 de 50 necessários" for the counters, or "" when the cycle sets none."""
    async with desk.reading(assembly_id) as s:
        rule = (await rules_for(s.session, s.assembly.cycle_id)).quorum
    voters = [p for p in people if not p.voice_only]
    state = quorum_of(
        rule, present=sum(1 for p in voters if p.credentialed), registered_voters=len(voters)
    )
    if state.needed is None:
        return ""
    return gettext(
        N_("quórum: %(present)s de %(needed)s necessários"),
        present=state.present,
        needed=state.needed,
    )


def _counts(segments: list[tuple[str, str]], people: list[ParticipantView]) -> list[SegmentCount]:
    return [
        SegmentCount(
            id=sid,
            title=title,
            registered=sum(1 for p in people if p.segment == sid),
            checked_in=sum(1 for p in people if p.segment == sid and p.credentialed),
        )
        for sid, title in segments
    ]


class CheckinPages(Controller):
    include_in_schema = False

    @get(CHECKIN)
    async def checkin(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        q: FromQuery[str] = "",
        aviso: FromQuery[str] = "",
    ) -> Template | Redirect:
        if principal.anonymous:
            return sign_in_first(request, principal)  # type: ignore[return-value]
        try:
            people = await desk.participants(principal, assembly_id)
            assembly = await desk.show(assembly_id)
            segments = await _segments(desk, assembly_id)
        except DomainError as refusal:
            return refused(request, refusal)
        found = matching(people, q) if q.strip() else []
        return page(
            request,
            "local/checkin.html",
            title=N_("Credenciamento"),
            assembly=assembly,
            q=q,
            found=found[:SHOWN],
            more=max(len(found) - SHOWN, 0),
            counts=_counts(segments, people),
            total=len(people),
            checked_in=sum(1 for p in people if p.credentialed),
            quorum=await _quorum(desk, assembly_id, people),
            segments=segments,
            segment_titles=dict(segments),
            notice=gettext(NOTICES[aviso]) if aviso in NOTICES else "",
            key=new_key,
            key_field=KEY_FIELD,
        )

    @get(f"{CHECKIN}/busca")
    async def search(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        q: FromQuery[str] = "",
    ) -> Template:
        """The people whose names match ``q`` (the fragment the search box swaps in)."""
        try:
            people = await desk.participants(principal, assembly_id)
            assembly = await desk.show(assembly_id)
            segments = await _segments(desk, assembly_id)
        except DomainError as refusal:
            return refused(request, refusal)
        found = matching(people, q) if q.strip() else []
        return page(
            request,
            "local/checkin_results.html",
            segment_titles=dict(segments),
            here=checkin_path(assembly_id),
            title=N_("Credenciamento"),
            assembly=assembly,
            q=q,
            found=found[:SHOWN],
            more=max(len(found) - SHOWN, 0),
            key=new_key,
            key_field=KEY_FIELD,
        )

    @get(f"{CHECKIN}/contagem")
    async def counters(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template:
        try:
            people = await desk.participants(principal, assembly_id)
            assembly = await desk.show(assembly_id)
            segments = await _segments(desk, assembly_id)
        except DomainError as refusal:
            return refused(request, refusal)
        return page(
            request,
            "local/checkin_counts.html",
            here=checkin_path(assembly_id),
            title=N_("Credenciamento"),
            assembly=assembly,
            counts=_counts(segments, people),
            total=len(people),
            checked_in=sum(1 for p in people if p.credentialed),
            quorum=await _quorum(desk, assembly_id, people),
        )

    @post(f"{CHECKIN}/inscrever", status_code=303)
    async def register(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        form = await request.form()
        name = str(form.get("public_name") or "").strip()
        segment = str(form.get("segment") or "")
        try:
            if not name:
                raise Invalid("write the person's name")
            person = NewParticipant(
                public_name=name[:200], segment=segment, voice_only=bool(form.get("voice_only"))
            )

            async def run() -> str:
                [done] = await desk.register(principal, assembly_id, [person])
                return self._back(assembly_id, "inscrito", q=done.public_name)

            return await post_once(request, desk.db, principal, form, run)
        except DomainError as refusal:
            return refused(request, refusal)

    @post(f"{CHECKIN}/{{participant_id:uuid}}/cartao", status_code=303)
    async def bind(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        participant_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Hand a voting card over by the pairing number its holder shows."""
        return await self._at_the_door(
            request,
            desk,
            principal,
            assembly_id,
            "cartao",
            lambda form: desk.bind_card(
                principal, assembly_id, participant_id, str(form.get("pairing") or "")
            ),
        )

    @post(f"{CHECKIN}/{{participant_id:uuid}}/presenca", status_code=303)
    async def without_card(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        participant_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Check someone in without a voting card: they vote on paper."""
        return await self._at_the_door(
            request,
            desk,
            principal,
            assembly_id,
            "presenca",
            lambda form: desk.credential(principal, assembly_id, participant_id),
        )

    @post(f"{CHECKIN}/{{participant_id:uuid}}/revogar", status_code=303)
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        participant_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """A lost badge: its credential stops working at once."""
        return await self._at_the_door(
            request,
            desk,
            principal,
            assembly_id,
            "revogado",
            lambda form: desk.revoke_credential(principal, assembly_id, participant_id),
        )

    @post(f"{CHECKIN}/{{participant_id:uuid}}/confirmar", status_code=303)
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
        participant_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Another person of the desk confirms a check-in or card given once voting began."""
        return await self._at_the_door(
            request,
            desk,
            principal,
            assembly_id,
            "confirmado",
            lambda form: desk.confirm_participants(principal, assembly_id, [participant_id]),
        )

    async def _at_the_door(
        self,
        request: Request[Any, Any, Any],
        desk: AssemblyDesk,
        principal: Principal,
        assembly_id: uuid.UUID,
        notice: str,
        action: Callable[[FormMultiDict], Awaitable[Any]],
    ) -> Template | Redirect:
        """One desk action on one person, once per form key (the outbox may resend it), then
        back to the door saying what happened; a refusal is the error page."""
        form = await request.form()

        async def run() -> str:
            await action(form)
            return self._back(assembly_id, notice)

        try:
            return await post_once(request, desk.db, principal, form, run)
        except DomainError as refusal:
            return refused(request, refusal)

    @staticmethod
    def _back(assembly_id: uuid.UUID, notice: str, *, q: str = "") -> str:
        query = {"aviso": notice, **({"q": q} if q else {})}
        return f"{checkin_path(assembly_id)}?{urlencode(query)}"
