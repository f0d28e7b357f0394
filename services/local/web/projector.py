"""Projeção: the room's screen (``/assembleias/{id}/projecao``, public and read-only) — the item
in vote, the turnout bar, the last result in words — in large type. It follows the plenary live
by server-sent events (``…/projecao/eventos``: an event whenever what it shows changed), and
polls its board (``…/projecao/quadro``) every 5 s when the events are unavailable; without
JavaScript it is a page to reload."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import ServerSentEvent, Template

from services.local.desk import AssemblyDesk
from services.local.overview import DeskOverview
from services.local.web.common import ROOT, STATUSES
from shared.core.errors import DomainError
from shared.platform.web.i18n import N_
from shared.platform.web.live import changes, fingerprint
from shared.platform.web.pages import page, refused
from shared.platform.web.polls import MODES, POLL_KINDS, result_words


async def _state(
    desk: AssemblyDesk, overview: DeskOverview, assembly_id: uuid.UUID
) -> dict[str, Any]:
    assembly = await desk.show(assembly_id)
    polls = await desk.polls(assembly_id)
    proposals = await desk.proposals(assembly_id, axis=None, limit=10_000, offset=0)
    names = {p.id: p.title for p in proposals}
    current = [p for p in polls if p.status == "open"]
    closed = [p for p in polls if p.status == "closed"]
    last = closed[-1] if closed else None
    return {
        "assembly": assembly,
        "current": current,
        "held": await overview.ballots_in([p.id for p in current]),
        "texts": {p.id: p.text for p in proposals},
        "last": last,
        "last_words": result_words(last, names) if last else "",
    }


def _fingerprint(state: dict[str, Any]) -> str:
    """What changes the projected board: assembly status, polls and their ballots, results."""
    return fingerprint(
        [
            state["assembly"].status,
            state["assembly"].credentialed,
            [(p.id, state["held"].get(p.id, 0)) for p in state["current"]],
            state["last"].id if state["last"] else "",
        ]
    )


class ProjectorPages(Controller):
    include_in_schema = False
    path = f"{ROOT}/{{assembly_id:uuid}}/projecao"

    async def _render(
        self,
        request: Request[Any, Any, Any],
        desk: AssemblyDesk,
        overview: DeskOverview,
        assembly_id: uuid.UUID,
    ) -> Template:
        try:
            state = await _state(desk, overview, assembly_id)
        except DomainError as refusal:
            return refused(request, refusal)
        return page(
            request,
            "local/projector.html",
            title=N_("Projeção"),
            here=f"{ROOT}/{assembly_id}/projecao",
            statuses=STATUSES,
            kinds=POLL_KINDS,
            modes=MODES,
            version=_fingerprint(state),
            **state,
        )

    @get("/")
    async def screen(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        overview: NamedDependency[DeskOverview],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template:
        return await self._render(request, desk, overview, assembly_id)

    @get("/quadro")
    async def board(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        overview: NamedDependency[DeskOverview],
        assembly_id: FromPath[uuid.UUID],
    ) -> Template:
        """The same page; HTMX selects its board (``#quadro``)."""
        return await self._render(request, desk, overview, assembly_id)

    @get("/eventos")
    async def events(
        self,
        desk: NamedDependency[AssemblyDesk],
        overview: NamedDependency[DeskOverview],
        assembly_id: FromPath[uuid.UUID],
    ) -> ServerSentEvent:
        """A ``mudou`` event, carrying the board's version, each time the board changes."""
        await desk.show(assembly_id)  # 404 for an unknown assembly, before the stream starts

        async def look() -> str:
            return _fingerprint(await _state(desk, overview, assembly_id))

        return changes(look)
