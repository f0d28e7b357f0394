"""The councils' desk, in a browser: the consolidated mandates with their weight, rapporteur
and draft (``/conselho/mandatos``, "meus itens" for a rapporteur) and, per item, the devolutiva
— decision, justification, responsible body, instrument and milestones with real dates — saved
as a draft or published, through the same use cases as the API (:meth:`Council.save_draft`,
:meth:`Council.answer`, :meth:`Council.publish_drafts`), so it is checked the same way and flows
down to every origin. Selected drafts are published together, all or none.

Council members see their own councils' items; the national commission sees all of them,
assigns each to a council and names rapporteurs.
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

from shared.contracts.http.council import Answer, DraftSave, DraftView, MandateWeight
from shared.core.access import Principal
from shared.core.errors import DomainError, Invalid
from shared.core.vocabulary import NATION
from shared.features.council.service import MANDATE_ORDERS, Council
from shared.platform.web.i18n import N_, gettext
from shared.platform.web.labels import DECISIONS, MILESTONE_STATUSES
from shared.platform.web.pages import page, refused, see_other, sign_in_first

MANDATES = "/conselho/mandatos"
PUBLISH_DRAFTS = "/conselho/rascunhos/publicar"
#: Blank milestone rows the devolutiva form offers beside the ones already given.
BLANK_MILESTONES = 2


def _all(form: FormMultiDict, name: str) -> list[str]:
    return [str(value) for value in form.getall(name, [])]


def _one(form: FormMultiDict, name: str) -> str:
    return str(form.get(name) or "")


def _listing(order: str, mine: bool, notice: str = "") -> str:
    query = {
        "ordem": order,
        **({"meus": "1"} if mine else {}),
        **({"notice": notice} if notice else {}),
    }
    return f"{MANDATES}?{urlencode(query)}"


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
        meus: FromQuery[int] = 0,
        notice: FromQuery[str] = "",
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        order = ordem if ordem in MANDATE_ORDERS else "rank"
        try:
            return await self._listing(
                request, councils, principal, order=order, mine=bool(meus), notice=notice
            )
        except DomainError as refusal:
            return refused(request, refusal)

    @staticmethod
    async def _listing(
        request: Request[Any, Any, Any],
        councils: Council,
        principal: Principal,
        *,
        order: str,
        mine: bool,
        notice: str = "",
        error: DomainError | None = None,
    ) -> Template:
        rows = await councils.mandates(principal, order=order, mine=mine)
        commission = principal.grant_for(["commission"], territory=NATION) is not None
        member_of = sorted(
            {g.council for g in principal.grants if g.role == "council" and g.council}
        )
        desk = sorted(
            {r.council for r in rows if r.council and (commission or r.council in member_of)}
        )
        failing: dict[str, str] = {}
        if error is not None:
            failing = {
                f["item_id"]: f["reason"]
                for f in error.extra.get("items", [])
                if isinstance(f, dict)
            }
        return page(
            request,
            "council/mandates.html",
            title=N_("Mandatos consolidados"),
            here=MANDATES,
            status_code=error.status if error else 200,
            rows=rows,
            order=order,
            mine=mine,
            commission=commission,
            member_of=member_of,
            members=await councils.members(desk) if desk else {},
            decisions=DECISIONS,
            notice=notice,
            error=error.detail if error else "",
            failing=failing,
            titles={r.item_id: r.title for r in rows},
        )

    @post(PUBLISH_DRAFTS, status_code=303)
    async def publish_drafts(
        self,
        request: Request[Any, Any, Any],
        councils: NamedDependency[Council],
        principal: NamedDependency[Principal],
    ) -> Template | Redirect:
        """The selected drafts published together, all or none (the answer: the list again,
        with what happened said in its live region)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await request.form()
        order = _one(form, "ordem") if _one(form, "ordem") in MANDATE_ORDERS else "rank"
        mine = _one(form, "meus") == "1"
        try:
            chosen = [uuid.UUID(value) for value in _all(form, "item_ids")]
            if not chosen:
                raise Invalid(gettext(N_("Selecione ao menos um rascunho para publicar.")))
            sent = await councils.publish_drafts(principal, chosen)
        except ValueError:
            return refused(request, Invalid("an item id is not valid"))
        except DomainError as refusal:
            try:
                return await self._listing(
                    request, councils, principal, order=order, mine=mine, error=refusal
                )
            except DomainError as denied:
                return refused(request, denied)
        notice = gettext(
            N_("%(n)s devolutivas publicadas, a caminho de %(origins)s propostas de origem."),
            n=len(sent.published),
            origins=sum(a.origins for a in sent.published),
        )
        return see_other(_listing(order, mine, notice))

    @post(f"{MANDATES}/{{item_id:uuid}}/relatoria", status_code=303)
    async def name_rapporteur(
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
            try:
                account = uuid.UUID(_one(form, "account_id"))
            except ValueError:
                raise Invalid("choose the member who will be the rapporteur") from None
            named = await councils.name_rapporteur(principal, item_id, account)
        except DomainError as refusal:
            return refused(request, refusal)
        notice = gettext(N_("%(name)s é a relatoria do item."), name=named.name)
        order = _one(form, "ordem") if _one(form, "ordem") in MANDATE_ORDERS else "rank"
        return see_other(_listing(order, _one(form, "meus") == "1", notice))

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
        rascunho: FromQuery[int | None] = None,
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
        elif rascunho:
            notice = gettext(
                N_("Rascunho salvo (versão %(version)s). Ainda não foi publicado."),
                version=rascunho,
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

    @post(f"{MANDATES}/{{item_id:uuid}}/rascunho", status_code=303)
    async def save_draft(
        self,
        request: Request[Any, Any, Any],
        councils: NamedDependency[Council],
        principal: NamedDependency[Principal],
        item_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """The devolutiva form saved as the item's draft (checked as an answer, not sent)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await request.form()
        try:
            item = await councils.mandate(item_id)
        except DomainError as refusal:
            return refused(request, refusal)
        try:
            answer = _answer_of(form)
            try:
                version = int(_one(form, "draft_version") or "0")
            except ValueError:
                raise Invalid("the draft's version is not a number") from None
            saved = await councils.save_draft(
                principal,
                item_id,
                DraftSave(**msgspec.structs.asdict(answer), version=max(version, 0)),
            )
        except DomainError as refusal:
            return await self._form(
                request, councils, principal, item, error=refusal, typed=form, drafting=True
            )
        return see_other(f"{MANDATES}/{item_id}?{urlencode({'rascunho': saved.version})}")

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
        drafting: bool = False,
    ) -> Template:
        history = await councils.answers(uuid.UUID(item.item_id))
        latest = history[-1] if history else None
        may_answer = bool(item.council) and (
            principal.grant_for(["council"], council=item.council) is not None
        )
        draft: DraftView | None = None
        if may_answer or principal.grant_for(["commission"], territory=NATION) is not None:
            draft = await councils.draft_if_any(principal, uuid.UUID(item.item_id))
        if typed is None and draft is not None and may_answer:
            current: dict[str, Any] = {
                "decision": draft.decision,
                "justification": draft.justification,
                "responsible_body": draft.responsible_body,
                "instrument": draft.instrument,
            }
            rows = [msgspec.to_builtins(m) for m in draft.milestones]
        elif typed is not None:
            current = {
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
        typed_version = _one(typed, "draft_version") if typed is not None else ""
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
            draft=draft,
            draft_version=typed_version or (draft.version if draft else 0),
            drafting=drafting,
            notice=notice,
            error=error.detail if error else "",
        )
