"""The councils' desk, in a browser: the consolidated mandates with their weight
(``/conselho/mandatos``) and, per item, the devolutiva — decision, justification, responsible
body, instrument and milestones with real dates — which goes through the same use case as the
API (:meth:`Council.answer`), so it is checked the same way and flows down to every origin.

Council members see their own councils' items; the national commission sees all of them and
assigns each to a council.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from shared.contracts.http.council import Answer, MandateWeight
from shared.core.access import Principal
from shared.core.errors import DomainError, Invalid
from shared.core.vocabulary import NATION
from shared.features.council.service import MANDATE_ORDERS, Council
from shared.platform.web.i18n import N_, gettext
from shared.platform.web.labels import DECISIONS, MILESTONE_STATUSES
from shared.platform.web.pages import page, refused, see_other, sign_in_first

MANDATES = "/conselho/mandatos"
#: Blank milestone rows the devolutiva form offers beside the ones already given.
BLANK_MILESTONES = 2


def _all(form: FormMultiDict, name: str) -> list[str]:
    return [str(value) for value in form.getall(name, [])]


def _one(form: FormMultiDict, name: str) -> str:
    return str(form.get(name) or "")


def _answer_of(form: FormMultiDict) -> Answer:
    """The devolutiva form as the API's ``Answer`` (same limits; blank milestone rows
    skipped); a bad field is a 422 naming it."""
    columns = [_all(form, f"m_{name}") for name in ("title", "due", "status", "progress", "note")]
    milestones: list[dict[str, Any]] = []
    for n, (title, due, status, progress, note) in enumerate(zip(*columns, strict=False), 1):
        if not (title.strip() or due.strip() or note.strip() or progress.strip() not in ("", "0")):
            continue
        try:
            percent = int(progress.strip() or "0")
        except ValueError:
            raise Invalid(
                f"milestone {n}: progress must be a whole number, got {progress!r}"
            ) from None
        milestones.append(
            {
                "title": title.strip(),
                "due": due.strip(),
                "status": status or "planned",
                "progress": percent,
                "note": note.strip(),
            }
        )
    try:
        return msgspec.convert(
            {
                "decision": _one(form, "decision"),
                "justification": _one(form, "justification").strip(),
                "responsible_body": _one(form, "responsible_body").strip(),
                "instrument": _one(form, "instrument").strip(),
                "milestones": milestones,
            },
            Answer,
        )
    except msgspec.ValidationError as wrong:
        raise Invalid(str(wrong)) from None


class CouncilPages(Controller):
    include_in_schema = False

    @get(MANDATES)
    async def mandates(
        self,
        request: Request[Any, Any, Any],
        councils: NamedDependency[Council],
        principal: NamedDependency[Principal],
        ordem: FromQuery[str] = "rank",
        notice: FromQuery[str] = "",
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        order = ordem if ordem in MANDATE_ORDERS else "rank"
        try:
            rows = await councils.mandates(principal, order=order)
        except DomainError as refusal:
            return refused(request, refusal)
        return page(
            request,
            "council/mandates.html",
            title=N_("Mandatos consolidados"),
            rows=rows,
            order=order,
            commission=principal.grant_for(["commission"], territory=NATION) is not None,
            decisions=DECISIONS,
            notice=notice,
        )

    @post(f"{MANDATES}/{{item_id:uuid}}/conselho", status_code=303)
    async def assign(
        self,
        request: Request[Any, Any, Any],
        councils: NamedDependency[Council],
        principal: NamedDependency[Principal],
        item_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await request.form()
        name = _one(form, "council").strip()
        try:
            if not name:
                raise Invalid("name the council that must answer this item")
            await councils.assign(principal, item_id, name[:300])
        except DomainError as refusal:
            return refused(request, refusal)
        notice = gettext(N_("Item atribuído a %(council)s."), council=name)
        return see_other(f"{MANDATES}?{urlencode({'notice': notice})}")

    @get(f"{MANDATES}/{{item_id:uuid}}")
    async def devolutiva(
        self,
        request: Request[Any, Any, Any],
        councils: NamedDependency[Council],
        principal: NamedDependency[Principal],
        item_id: FromPath[uuid.UUID],
        publicada: FromQuery[int | None] = None,
        origens: FromQuery[int | None] = None,
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        try:
            item = await councils.mandate(item_id)
        except DomainError as refusal:
            return refused(request, refusal)
        notice = ""
        if publicada:
            notice = gettext(
                N_(
                    "Devolutiva publicada (versão %(version)s): a caminho de %(origins)s "
                    "propostas de origem."
                ),
                version=publicada,
                origins=origens or 0,
            )
        return await self._form(request, councils, principal, item, notice=notice)

    @post(f"{MANDATES}/{{item_id:uuid}}/devolutiva", status_code=303)
    async def answer(
        self,
        request: Request[Any, Any, Any],
        councils: NamedDependency[Council],
        principal: NamedDependency[Principal],
        item_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await request.form()
        try:
            item = await councils.mandate(item_id)
        except DomainError as refusal:
            return refused(request, refusal)
        try:
            answer = _answer_of(form)
            sent = await councils.answer(principal, item_id, answer)
        except DomainError as refusal:
            return await self._form(request, councils, principal, item, error=refusal, typed=form)
        query = urlencode({"publicada": sent.version, "origens": sent.origins})
        return see_other(f"{MANDATES}/{item_id}?{query}")

    @staticmethod
    async def _form(
        request: Request[Any, Any, Any],
        councils: Council,
        principal: Principal,
        item: MandateWeight,
        *,
        notice: str = "",
        error: DomainError | None = None,
        typed: FormMultiDict | None = None,
    ) -> Template:
        history = await councils.answers(uuid.UUID(item.item_id))
        latest = history[-1] if history else None
        if typed is not None:
            current: dict[str, Any] = {
                "decision": _one(typed, "decision"),
                "justification": _one(typed, "justification"),
                "responsible_body": _one(typed, "responsible_body"),
                "instrument": _one(typed, "instrument"),
            }
            rows = [
                dict(zip(("title", "due", "status", "progress", "note"), row, strict=True))
                for row in zip(
                    *(
                        _all(typed, f"m_{n}")
                        for n in ("title", "due", "status", "progress", "note")
                    ),
                    strict=False,
                )
            ]
        elif latest is not None:
            current = {
                "decision": latest.decision,
                "justification": latest.justification,
                "responsible_body": latest.responsible_body,
                "instrument": latest.instrument,
            }
            rows = [msgspec.to_builtins(m) for m in latest.milestones]
        else:
            current = {
                "decision": "",
                "justification": "",
                "responsible_body": "",
                "instrument": "",
            }
            rows = []
        blank = {"title": "", "due": "", "status": "planned", "progress": "0", "note": ""}
        rows = [*rows, *([blank] * BLANK_MILESTONES)]
        may_answer = bool(item.council) and (
            principal.grant_for(["council"], council=item.council) is not None
        )
        return page(
            request,
            "council/devolutiva.html",
            title=N_("Devolutiva"),
            here=f"{MANDATES}/{item.item_id}",
            status_code=error.status if error else 200,
            item=item,
            history=list(reversed(history)),
            current=current,
            milestones=rows,
            decisions=DECISIONS,
            statuses=MILESTONE_STATUSES,
            may_answer=may_answer,
            notice=notice,
            error=error.detail if error else "",
        )
