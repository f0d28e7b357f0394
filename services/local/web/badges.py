"""Crachás (``/assembleias/{id}/crachas``): a printable sheet of voting cards, for an organiser
of the assembly's territory (never its secretary, who hands them out; and whoever printed a
badge may not hand it out — :func:`services.local.cards.bind` refuses).

Each badge shows its pairing number outside and, inside a fold line, its code and a QR code of
``{public_url}/participar/{assembly}#codigo=<code>``: the code rides in the URL fragment, which
the phone's browser never sends to the server. The QR is drawn here as SVG (segno). The codes
are in this one answer (``Cache-Control: no-store``) and nowhere else: print it, close it.
"""

from __future__ import annotations

import uuid
from typing import Any

import segno
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup

from services.local.desk import AssemblyDesk
from shared.core.access import Principal
from shared.core.errors import DomainError, Invalid
from shared.platform.settings import Settings
from shared.platform.web.i18n import N_
from shared.platform.web.pages import page, refused, sign_in_first

BADGES = "/assembleias/{assembly_id:uuid}/crachas"
MAX_SHEET = 400


def badge_url(settings: Settings, assembly_id: uuid.UUID, code: str) -> str:
    return f"{settings.base_url}/participar/{assembly_id}#codigo={code}"


def qr_svg(url: str, label: str) -> Markup:
    """The QR of ``url`` as inline SVG, named for assistive technology."""
    svg = segno.make(url, error="m").svg_inline(
        scale=3, title=label, svgclass="qr", lineclass=None, omitsize=False
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


class BadgePages(Controller):
    include_in_schema = False

    @get(BADGES)
    async def sheet_form(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        if principal.anonymous:
            return sign_in_first(request, principal)  # type: ignore[return-value]
        try:
            assembly = await desk.show(assembly_id)
            principal.require("organiser", territory=assembly.territory)
        except DomainError as refusal:
            return refused(request, refusal)
        return page(request, "local/badges.html", title=N_("Crachás"), assembly=assembly)

    @post(BADGES, status_code=201)
    async def print_sheet(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        principal: NamedDependency[Principal],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        if principal.anonymous:
            return sign_in_first(request, principal)  # type: ignore[return-value]
        form = await request.form()
        try:
            try:
                count = int(str(form.get("count") or ""))
            except ValueError:
                raise Invalid("say how many badges to print (a whole number)") from None
            if not 1 <= count <= MAX_SHEET:
                raise Invalid(f"print between 1 and {MAX_SHEET} badges at a time")
            assembly = await desk.show(assembly_id)
            made = await desk.print_cards(principal, assembly_id, count)
        except DomainError as refusal:
            return refused(request, refusal)
        badges = [
            {
                "pairing": card.pairing,
                "code": card.code,
                "qr": qr_svg(
                    badge_url(desk.settings, assembly_id, card.code),
                    f"QR {card.pairing}",
                ),
            }
            for card in made
        ]
        return page(
            request,
            "local/badge_sheet.html",
            title=N_("Folha de crachás"),
            status_code=201,
            here=f"/assembleias/{assembly_id}/crachas",
            assembly=assembly,
            badges=badges,
        )
