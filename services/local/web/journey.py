"""Acompanhamento público — the citizen's pages, with no sign-in:

- ``/acompanhamento`` — find a municipality by name (accents and case ignored, from the IBGE
  list) or go straight to a proposal by its number;
- ``/acompanhamento/municipios/{ibge}`` — the municipality's assemblies held here, each with its
  proposals and what became of them;
- ``/acompanhamento/propostas/{id}`` — the proposal's journey (its permalink): its versions, the
  plenary's vote, the report that carried it, what it was merged into at the state, the national
  item, the council's answer with its milestones, and a progress picture (inline SVG, with the
  same steps in words).

Each page calls the same use cases as ``/api/v1/municipalities`` and
``/api/v1/proposals/{id}/journey``; what is computed here is only how to draw them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from services.local.desk import AssemblyDesk
from shared.contracts.http.local import JourneyResponse, ProposalJourney
from shared.core.errors import DomainError
from shared.platform.web.i18n import N_
from shared.platform.web.labels import (
    ASSEMBLY_KINDS,
    ASSEMBLY_STATUSES,
    COMPETENCES,
    DECISIONS,
    MILESTONE_STATUSES,
    PROPOSAL_STATUSES,
)
from shared.platform.web.pages import page, refused, see_other

FOLLOW_UP = "/acompanhamento"
#: Assemblies shown per page of a municipality (a capital holds hundreds of neighbourhood ones).
ASSEMBLIES_PER_PAGE = 20
#: Municipalities a search lists.
MATCHES = 30
PLENARY_OUTCOMES: dict[str, str] = {
    "approved": N_("Aprovada"),
    "approved_in_part": N_("Aprovada em parte"),
    "rejected": N_("Rejeitada"),
    "plenary": N_("Levada à plenária"),
}


@dataclass(frozen=True)
class Step:
    """One step of a proposal's journey, as the progress picture and its list show it."""

    label: str
    reached: bool
    #: What the step came to, as data (a title) or as a catalogue string (``said``).
    detail: str = ""
    said: str = ""
    at: date | datetime | None = None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def current_answer(trip: ProposalJourney) -> JourneyResponse | None:
    """The latest version of the council's answer (the newest, if several items answered)."""
    current = [r for r in trip.responses if r.current]
    return max(current, key=lambda r: r.answered_at) if current else None


def steps(trip: ProposalJourney) -> list[Step]:
    """From submission to the council's milestones, each reached or not."""
    first = trip.versions[0].created_at if trip.versions else None
    plenary = trip.plenary
    answer = current_answer(trip)
    milestones = answer.milestones if answer is not None else []
    done = [m for m in milestones if m.status == "done"]
    return [
        Step(N_("Apresentada na conferência"), True, trip.assembly.title, at=first),
        # Decided by its own poll, en bloc, or carried up as the assembly recorded it.
        Step(
            N_("Decidida pela plenária"),
            (plenary is not None and plenary.outcome is not None)
            or trip.proposal.status in ("approved", "approved_in_part", "rejected")
            or trip.report.forwarded,
            said=PLENARY_OUTCOMES.get(plenary.outcome or "", "")
            if plenary is not None and plenary.outcome
            else PLENARY_OUTCOMES.get(trip.proposal.status, ""),
        ),
        Step(N_("Encaminhada à etapa estadual"), trip.report.forwarded),
        Step(
            N_("Consolidada na etapa estadual"),
            bool(trip.upstream),
            next((i.text for u in trip.upstream for i in u.state_items), "")[:120],
        ),
        Step(
            N_("Item da etapa nacional"),
            bool(trip.upstream),
            trip.upstream[0].title if trip.upstream else "",
        ),
        Step(
            N_("Respondida pelo conselho"),
            answer is not None,
            said=DECISIONS.get(answer.decision, "") if answer else "",
            at=answer.answered_at if answer else None,
        ),
        Step(
            N_("Metas cumpridas"),
            bool(milestones) and len(done) == len(milestones),
            f"{len(done)}/{len(milestones)}" if milestones else "",
        ),
    ]


class FollowUpPages(Controller):
    include_in_schema = False

    @get(FOLLOW_UP)
    async def search(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        busca: FromQuery[str] = "",
        proposta: FromQuery[str] = "",
    ) -> Template | Redirect:
        """Public: find a municipality, or go to a proposal by its number."""
        wanted = proposta.strip()
        problem = ""
        if wanted:
            try:
                return see_other(f"{FOLLOW_UP}/propostas/{uuid.UUID(wanted)}")
            except ValueError:
                problem = N_(
                    "Isso não é um número de proposta: ele tem 32 letras e algarismos, "
                    "como 0190a1b2-…, e está no comprovante da sua conferência."
                )
        needle = busca.strip()[:100]
        towns = desk.find_towns(needle, uf=None, limit=MATCHES) if needle else []
        return page(
            request,
            "local/journey_search.html",
            title=N_("Acompanhe sua proposta"),
            status_code=422 if problem else 200,
            busca=needle,
            proposta=wanted[:100],
            towns=towns,
            problem=problem,
        )

    @get(f"{FOLLOW_UP}/municipios/{{ibge_code:str}}")
    async def municipality(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        ibge_code: FromPath[str],
        pagina: FromQuery[int] = 1,
    ) -> Template:
        """Public: the municipality's assemblies and their proposals."""
        number = min(max(1, pagina), 10_000)
        try:
            town = await desk.follow_up(
                ibge_code,
                limit=ASSEMBLIES_PER_PAGE,
                offset=(number - 1) * ASSEMBLIES_PER_PAGE,
            )
        except DomainError as refusal:
            return refused(request, refusal)
        return page(
            request,
            "local/journey_town.html",
            title=N_("Conferências do município"),
            town=town,
            page_number=number,
            pages=max(1, -(-town.total // ASSEMBLIES_PER_PAGE)),
            kinds=ASSEMBLY_KINDS,
            assembly_statuses=ASSEMBLY_STATUSES,
            proposal_statuses=PROPOSAL_STATUSES,
            decisions=DECISIONS,
            competences=COMPETENCES,
            query=lambda n: urlencode({"pagina": n}),
        )

    @get(f"{FOLLOW_UP}/propostas/{{proposal_id:uuid}}")
    async def proposal(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[AssemblyDesk],
        proposal_id: FromPath[uuid.UUID],
    ) -> Template:
        """Public, the proposal's permalink: where it went and what the council answered."""
        try:
            trip = await desk.journey(proposal_id)
        except DomainError as refusal:
            return refused(request, refusal)
        path = steps(trip)
        return page(
            request,
            "local/journey.html",
            title=N_("Jornada da proposta"),
            trip=trip,
            steps=path,
            reached=sum(1 for s in path if s.reached),
            answer=current_answer(trip),
            history=sorted(trip.responses, key=lambda r: (r.answered_at, r.version), reverse=True),
            outcomes=PLENARY_OUTCOMES,
            proposal_statuses=PROPOSAL_STATUSES,
            assembly_statuses=ASSEMBLY_STATUSES,
            decisions=DECISIONS,
            statuses=MILESTONE_STATUSES,
            competences=COMPETENCES,
            day=_day,
        )
