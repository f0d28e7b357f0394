"""The state conveners' workbench, in a browser (the national commission's at ``/estado/BR``):

- ``/estado/{uf}/recebimento`` — every municipality of the state from the IBGE list, with its
  reporting status, filters, counts and a cartogram, refreshed in place (htmx polling);
- ``/estado/{uf}/sistematizacao`` — suggested clusters of duplicates with their evidence (the
  shared words marked), side-by-side texts with every source's assembly, territory, rank and
  supports, merge into a rewritten item; the axis's items, each to split (origins off into a
  new item) or reclassify (axis, competence); the action log with undo;
- ``/estado/{uf}/priorizacao`` — an axis's items in rank order, each with its score breakdown
  as a bar chart (points per kind of source) and the same numbers in a table, and the cycle's
  ordering and routing rule in words.

Each page calls the same use cases as the API, with the signed-in principal, so role and
territory are checked the same way; a refusal is rendered with its status.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from fractions import Fraction
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from markupsafe import Markup, escape

from shared.contracts.http.consolidation import ItemView
from shared.core.access import Principal
from shared.core.decide.text_normalise import canonical_words, strip_accents
from shared.core.errors import DomainError, Invalid, NotFound
from shared.core.territory import municipalities, municipality, unit
from shared.core.vocabulary import NATION
from shared.features.consolidation.priorities import chart
from shared.features.consolidation.routing_words import (
    below_sentence,
    ordering_sentences,
    routing_sentences,
)
from shared.features.consolidation.service import EDITORS, Consolidation
from shared.platform.web.i18n import N_, current, gettext, number
from shared.platform.web.labels import (
    COMPETENCES,
    DECISIONS,
    MILESTONE_STATUSES,
    SEAT_BASES,
    SEAT_METHODS,
    SOURCE_KINDS,
)
from shared.platform.web.pages import page, refused, see_other, sign_in_first

STATE = "/estado/{uf:str}"
TOWN_STATUSES: dict[str, str] = {
    "not_convened": N_("Não convocado"),
    "open": N_("Aberto"),
    "reported": N_("Relatório recebido"),
    "late": N_("Atrasado"),
    "dead_lettered": N_("Recusado na entrada"),
}
#: Cartogram colours per status (the table and the legend say the same in words).
TOWN_COLOURS = {
    "not_convened": "#d0d0d0",
    "open": "#f2c744",
    "reported": "#168821",
    "late": "#c05a00",
    "dead_lettered": "#b00020",
}
WORD = re.compile(r"\w+", re.UNICODE)
#: The longest thesaurus phrase :func:`highlight` looks for, in words.
PHRASE_WORDS = 6
#: Clusters shown per page of the sistematização (an axis of São Paulo has hundreds).
CLUSTERS_PER_PAGE = 10
#: Items of one suggested cluster shown side by side (a common demand of a big state gathers
#: hundreds); the rest are named by count and can be merged with them.
SHOWN_PER_CLUSTER = 8
#: Ranked items shown per page of the priorização, and items per page of the sistematização.
ITEMS_PER_PAGE = 20


def amount(value: Fraction | float | int) -> str:
    """A score or weight as the reader writes numbers (fractions to two places)."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return number(value.numerator)
    if isinstance(value, int):
        return number(value)
    return number(round(float(value), 2))


def place(code: str) -> str:
    """A territory's name (a municipality's or a state's), else its code."""
    town = municipality(code)
    if town is not None:
        return town.name
    state = unit(code)
    return state.name if state is not None else code


async def suggestion_page(
    request: Request[Any, Any, Any],
    consolidation: Consolidation,
    *,
    cycle_id: str,
    uf: str,
    axis: str,
    page_number: int,
) -> dict[str, Any]:
    """The duplicate-suggestions section of an axis: one page of clusters, or ``computing``
    while the tier is still clustering it (it waits ``suggestions_wait_s`` for them first);
    ``shown_ids`` are the items whose sources the page shows."""
    found = (
        await consolidation.suggestions_if_ready(
            cycle_id=cycle_id,
            uf=uf,
            axis=axis,
            threshold=None,
            patience=request.app.state.settings.suggestions_wait_s,
        )
        if axis
        else []
    )
    page_number = max(1, page_number)
    first = (page_number - 1) * CLUSTERS_PER_PAGE
    shown = [] if found is None else found[first : first + CLUSTERS_PER_PAGE]
    return {
        "computing": found is None,
        "clusters": shown,
        "total": len(found or ()),
        "page_number": page_number,
        "pages": max(1, -(-len(found or ()) // CLUSTERS_PER_PAGE)),
        "shown_per_cluster": SHOWN_PER_CLUSTER,
        "shown_ids": [uuid.UUID(i.id) for c in shown for i in c.items[:SHOWN_PER_CLUSTER]],
    }


def nested_under(items: Sequence[ItemView]) -> dict[str, list[ItemView]]:
    """The items nested under each diretriz, by the diretriz's id."""
    children: dict[str, list[ItemView]] = defaultdict(list)
    for item in items:
        if item.parent_id:
            children[item.parent_id].append(item)
    return children


async def cycle_of(consolidation: Consolidation, asked: str) -> str:
    """The cycle a page shows: the one asked for, else the tier's latest. A tier that has
    none yet (a fresh install) says what opens its pages, rather than refusing in code."""
    cycle_id = asked or await consolidation.current_cycle()
    if not cycle_id:
        raise NotFound(
            gettext(
                N_(
                    "Este nível ainda não tem ciclo: nenhum regimento foi carregado e nenhum "
                    "relatório chegou. As páginas da conferência abrem quando o ciclo for anunciado "
                    "pela etapa nacional (POST /api/v1/cycles/announce) ou chegar o primeiro "
                    "relatório."
                )
            )
        )
    return cycle_id


def chosen_axis(axes: Sequence[str], asked: str) -> str:
    """The axis a page shows: the one asked for if the conference has it, else its first."""
    return asked if asked in axes else (axes[0] if axes else "")


def may_edit(principal: Principal, uf: str) -> bool:
    try:
        principal.require(*EDITORS, territory=uf)
    except DomainError:
        return False
    return principal.kind == "person"


@lru_cache(maxsize=65_536)
def _canonical(span: str) -> tuple[str, ...]:
    """:func:`canonical_words`, remembered: a cluster's texts repeat the same words and
    phrases, and each page marks hundreds of them."""
    return canonical_words(span)


def highlight(text: str, shared: list[str]) -> Markup:
    """``text`` with the words (and thesaurus phrases, such as "Unidades Básicas de Saúde"
    for ``ubs``) whose canonical key the cluster shares marked with ``<mark>``."""
    wanted = set(shared)
    words = list(WORD.finditer(text))
    marked = [False] * len(words)
    content = [bool(_canonical(w.group(0))) for w in words]
    for start in range(len(words)):
        if not content[start]:
            continue
        for size in range(min(PHRASE_WORDS, len(words) - start), 0, -1):
            if not content[start + size - 1]:
                continue
            span = text[words[start].start() : words[start + size - 1].end()]
            keys = _canonical(span)
            if len(keys) == 1 and keys[0] in wanted:
                marked[start : start + size] = [True] * size
                break
    out: list[str] = []
    last = 0
    for n, found in enumerate(words):
        out.append(str(escape(text[last : found.start()])))
        word = escape(found.group(0))
        out.append(f"<mark>{word}</mark>" if marked[n] else str(word))
        last = found.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def state_code(uf: str) -> str:
    """``uf`` as the workbench pages name it (a state's code or ``BR``); 404 for anything else."""
    uf = uf.upper()
    if uf != NATION and not municipalities(uf):
        raise NotFound(f"no state {uf!r}")
    return uf


class ConsolidationPages(Controller):
    include_in_schema = False

    @get(f"{STATE}/recebimento")
    async def reception(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        uf: FromPath[str],
        ciclo: FromQuery[str] = "",
        situacao: FromQuery[str] = "",
        busca: FromQuery[str] = "",
        parte: FromQuery[str] = "",
    ) -> Template:
        try:
            uf = state_code(uf)
            cycle_id = await cycle_of(consolidation, ciclo)
            board = await consolidation.reception(cycle_id=cycle_id, uf=uf)
        except DomainError as refusal:
            return refused(request, refusal)
        needle = strip_accents(busca.strip()).casefold()
        rows = [
            r
            for r in board.municipalities
            if (not situacao or r.status == situacao)
            and (not needle or needle in strip_accents(r.name).casefold())
        ]
        context: dict[str, Any] = {
            "board": board,
            "rows": rows,
            "uf": uf,
            "cycle_id": cycle_id,
            "situacao": situacao if situacao in TOWN_STATUSES else "",
            "busca": busca,
            "statuses": TOWN_STATUSES,
            "colours": TOWN_COLOURS,
            "query": urlencode({"ciclo": cycle_id, "situacao": situacao, "busca": busca}),
        }
        name = "consolidation/reception_body.html" if parte else "consolidation/reception.html"
        return page(request, name, title=N_("Recebimento dos municípios"), **context)

    @get(f"{STATE}/vagas")
    async def seats(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        ciclo: FromQuery[str] = "",
    ) -> Template | Redirect:
        """The state's convener: the seats shared among its assemblies, with the figures."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        try:
            cycle_id = await cycle_of(consolidation, ciclo)
            table = await consolidation.state_seats(principal, cycle_id=cycle_id, uf=uf)
        except DomainError as refusal:
            return refused(request, refusal)
        return page(
            request,
            "consolidation/seats.html",
            title=N_("Vagas"),
            table=table,
            uf=table.uf,
            cycle_id=cycle_id,
            methods=SEAT_METHODS,
            bases=SEAT_BASES,
            segments=sorted({s for u in table.units for s in u.per_segment}),
        )

    @get("/rastreabilidade/{item_id:uuid}")
    async def lineage(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        item_id: FromPath[uuid.UUID],
    ) -> Template:
        """Public: an item down to every source and local origin, with the answers."""
        try:
            tree = await consolidation.lineage(item_id)
        except DomainError as refusal:
            return refused(request, refusal)
        towns: dict[str, list[Any]] = {}
        for origin in tree.origins:
            towns.setdefault(origin.territory, []).append(origin)
        return page(
            request,
            "consolidation/lineage.html",
            title=N_("Rastreabilidade"),
            tree=tree,
            towns=sorted(towns.items()),
            decisions=DECISIONS,
            statuses=MILESTONE_STATUSES,
            competences=COMPETENCES,
        )

    @get(f"{STATE}/priorizacao")
    async def priorities(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        ciclo: FromQuery[str] = "",
        eixo: FromQuery[str] = "",
        pagina: FromQuery[int] = 1,
        notice: FromQuery[str] = "",
    ) -> Template:
        """Public: an axis's items in rank order with their score breakdowns, and the rule
        that decides what goes up, in words."""
        page_number = max(1, pagina)
        try:
            uf = state_code(uf)
            cycle_id = await cycle_of(consolidation, ciclo)
            rules = await consolidation.rules(cycle_id)
            axes = await consolidation.axes(cycle_id=cycle_id, uf=uf)
            axis = chosen_axis(axes, eixo)
            shown = await consolidation.priorities(
                cycle_id=cycle_id,
                uf=uf,
                axis=axis,
                limit=ITEMS_PER_PAGE,
                offset=(page_number - 1) * ITEMS_PER_PAGE,
            )
        except DomainError as refusal:
            return refused(request, refusal)
        profile = consolidation.profile
        english = current() == "en"
        titles = {a.id: (a.title_en if english and a.title_en else a.title_pt) for a in rules.axes}
        charts = {i.id: chart(i.breakdown, shown.origins, top=shown.top_score) for i in shown.items}
        return page(
            request,
            "consolidation/priorities.html",
            title=N_("Priorização"),
            here=f"/estado/{uf}/priorizacao",
            uf=uf,
            cycle_id=cycle_id,
            axes=axes,
            axis=axis,
            axis_titles=titles,
            shown=shown,
            charts=charts,
            legend={s.kind: s.colour for c in charts.values() if c for s in c.segments},
            first=(page_number - 1) * ITEMS_PER_PAGE,
            page_number=page_number,
            pages=max(1, -(-shown.total // ITEMS_PER_PAGE)),
            ordering=ordering_sentences(rules),
            routing=routing_sentences(
                rules, tier=profile.tier, assembly_kind=profile.assembly_kind
            ),
            below=below_sentence(rules, below=profile.below),
            kinds=SOURCE_KINDS,
            competences=COMPETENCES,
            amount=amount,
            place=place,
            can_rank=may_edit(principal, uf),
            notice=notice,
        )

    @post(f"{STATE}/priorizacao/classificar", status_code=303)
    async def rank(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        """Recompute the ranking now (it is also recomputed when a priority poll closes)."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await request.form()
        back = {"ciclo": str(form.get("ciclo") or ""), "eixo": str(form.get("eixo") or "")}
        try:
            uf = state_code(uf)
            cycle_id = await cycle_of(consolidation, back["ciclo"])
            ranked = await consolidation.rank(principal, cycle_id=cycle_id, uf=uf)
        except DomainError as refusal:
            return refused(request, refusal)
        notice = gettext(
            N_("Classificação recalculada: %(items)s itens em %(axes)s eixos."),
            items=number(ranked.items),
            axes=number(ranked.axes),
        )
        return see_other(f"/estado/{uf}/priorizacao?{urlencode({**back, 'notice': notice})}")

    @get(f"{STATE}/sistematizacao")
    async def systematisation(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        ciclo: FromQuery[str] = "",
        eixo: FromQuery[str] = "",
        pagina: FromQuery[int] = 1,
        itens: FromQuery[int] = 1,
        foco: FromQuery[str] = "",
        notice: FromQuery[str] = "",
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        items_page = max(1, itens)
        try:
            uf = state_code(uf)
            principal.require(*EDITORS, territory=uf)
            cycle_id = await cycle_of(consolidation, ciclo)
            rules = await consolidation.rules(cycle_id)
            axes = await consolidation.axes(cycle_id=cycle_id, uf=uf)
            axis = chosen_axis(axes, eixo)
            suggested = await suggestion_page(
                request, consolidation, cycle_id=cycle_id, uf=uf, axis=axis, page_number=pagina
            )
            items, item_total = (
                await consolidation.workbench_items(
                    cycle_id=cycle_id,
                    uf=uf,
                    axis=axis,
                    limit=ITEMS_PER_PAGE,
                    offset=(items_page - 1) * ITEMS_PER_PAGE,
                )
                if axis
                else ([], 0)
            )
            sources = await consolidation.sources_of(
                suggested.pop("shown_ids") + [uuid.UUID(i.id) for i in items]
            )
            log = await consolidation.action_log(cycle_id=cycle_id, uf=uf)
            review = await consolidation.review_queue(cycle_id=cycle_id, uf=uf)
            # The diretriz section picks among the axis's active items (up to 500).
            nestable = (
                await consolidation.items(
                    cycle_id=cycle_id, uf=uf, axis=axis, status="active", limit=500, offset=0
                )
                if axis
                else []
            )
        except DomainError as refusal:
            return refused(request, refusal)
        english = current() == "en"
        titles = {a.id: (a.title_en if english and a.title_en else a.title_pt) for a in rules.axes}
        return page(
            request,
            "consolidation/systematisation.html",
            title=N_("Sistematização"),
            here=f"/estado/{uf}/sistematizacao",
            uf=uf,
            cycle_id=cycle_id,
            axes=axes,
            axis=axis,
            **suggested,
            sources=sources,
            actions=log[:50],
            review=review[:50],
            loose=[i for i in nestable if not i.parent_id],
            children=nested_under(nestable),
            item_titles={i.id: i.title for i in nestable},
            highlight=highlight,
            competences=COMPETENCES,
            notice=notice,
            items=items,
            item_total=item_total,
            items_page=items_page,
            item_pages=max(1, -(-item_total // ITEMS_PER_PAGE)),
            axis_titles=titles,
            place=place,
            focus=foco,
        )

    @get(f"{STATE}/sistematizacao/sugestoes")
    async def suggestions_section(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        ciclo: FromQuery[str] = "",
        eixo: FromQuery[str] = "",
        pagina: FromQuery[int] = 1,
    ) -> Template | Redirect:
        """The suggestions section alone, which the page asks for while they are computed."""
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        try:
            uf = state_code(uf)
            principal.require(*EDITORS, territory=uf)
            cycle_id = await cycle_of(consolidation, ciclo)
            axes = await consolidation.axes(cycle_id=cycle_id, uf=uf)
            axis = chosen_axis(axes, eixo)
            suggested = await suggestion_page(
                request, consolidation, cycle_id=cycle_id, uf=uf, axis=axis, page_number=pagina
            )
            sources = await consolidation.sources_of(suggested.pop("shown_ids"))
        except DomainError as refusal:
            return refused(request, refusal)
        return page(
            request,
            "consolidation/systematisation_suggestions.html",
            title=N_("Sistematização"),
            here=f"/estado/{uf}/sistematizacao",
            uf=uf,
            cycle_id=cycle_id,
            axis=axis,
            **suggested,
            sources=sources,
            highlight=highlight,
            announce=not suggested["computing"] and "hx-request" in request.headers,
        )

    @post(f"{STATE}/sistematizacao/separar/{{item_id:uuid}}", status_code=303)
    async def split(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        item_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Split the chosen origins off an item into a new item with its own text."""
        form = await request.form()

        async def split() -> tuple[str, dict[str, str]]:
            kept, new = await consolidation.split_off(
                principal,
                item_id,
                [str(v) for v in form.getall("source_ids", [])],
                title=str(form.get("title") or "").strip()[:300],
                text=str(form.get("text") or "").strip()[:20_000],
                note=str(form.get("note") or "").strip()[:2000],
            )
            notice = gettext(
                N_("Origens separadas em “%(title)s”; “%(kept)s” ficou com as demais."),
                title=new.title,
                kept=kept.title,
            )
            return notice, {"itens": "1", "foco": new.id}

        return await _on_item(request, principal, uf, form, split)

    @post(f"{STATE}/sistematizacao/reclassificar/{{item_id:uuid}}", status_code=303)
    async def reclassify(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        item_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Move an item to another axis or competence."""
        form = await request.form()

        async def reclassify() -> tuple[str, dict[str, str]]:
            item = await consolidation.reclassify(
                principal,
                item_id,
                axis=str(form.get("axis") or ""),
                competence=str(form.get("competence") or ""),
                note=str(form.get("note") or "").strip()[:2000],
            )
            notice = gettext(
                N_("“%(title)s” reclassificado: eixo %(axis)s, competência %(competence)s."),
                title=item.title,
                axis=item.axis,
                competence=gettext(COMPETENCES.get(item.competence, item.competence)),
            )
            stays = item.axis == str(form.get("eixo") or "")
            return notice, {
                "itens": str(form.get("itens") or "1"),
                "foco": item.id if stays else "itens",
            }

        return await _on_item(request, principal, uf, form, reclassify)

    @post(f"{STATE}/sistematizacao/mesclar", status_code=303)
    async def merge(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        if (to_sign_in := sign_in_first(request, principal)) is not None:
            return to_sign_in
        form = await request.form()
        back = {"ciclo": str(form.get("ciclo") or ""), "eixo": str(form.get("eixo") or "")}
        try:
            ids = [uuid.UUID(str(v)) for v in form.getall("item_ids", [])]
            if form.get("include_more"):
                ids += [uuid.UUID(v) for v in str(form.get("more_ids") or "").split(",") if v]
            if len(ids) < 2:
                raise Invalid("choose at least two items to merge")
            merged = await consolidation.merge(
                principal,
                ids,
                title=str(form.get("title") or "").strip()[:300],
                text=str(form.get("text") or "").strip()[:20_000],
                competence="",
                note=str(form.get("note") or "").strip()[:20_000],
            )
        except (DomainError, ValueError) as refusal:
            error = refusal if isinstance(refusal, DomainError) else Invalid(str(refusal))
            return refused(request, error)
        notice = gettext(
            N_("%(n)s itens mesclados em “%(title)s”; todas as origens continuam ligadas."),
            n=len(ids),
            title=merged.title,
        )
        return see_other(f"/estado/{uf}/sistematizacao?{urlencode({**back, 'notice': notice})}")

    @post(f"{STATE}/sistematizacao/agrupar", status_code=303)
    async def nest(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
    ) -> Template | Redirect:
        form = await request.form()

        async def nest() -> str:
            try:
                parent = uuid.UUID(str(form.get("parent_id") or ""))
                ids = [uuid.UUID(str(v)) for v in form.getall("item_ids", [])]
            except ValueError as exc:
                raise Invalid("choose a diretriz and the proposals to group under it") from exc
            ids = [i for i in ids if i != parent]
            if not ids:
                raise Invalid("choose the proposals to group under the diretriz")
            await consolidation.nest(principal, ids, parent_id=parent, note="")
            return gettext(N_("%(n)s propostas agrupadas sob a diretriz."), n=len(ids))

        return await _on_action(request, principal, uf, nest)

    @post(f"{STATE}/sistematizacao/desagrupar/{{item_id:uuid}}", status_code=303)
    async def unnest(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        item_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        async def unnest() -> str:
            await consolidation.unnest(principal, [item_id], note="")
            return gettext(N_("A proposta saiu da diretriz."))

        return await _on_action(request, principal, uf, unnest)

    @post(f"{STATE}/sistematizacao/desfazer/{{action_id:uuid}}", status_code=303)
    async def undo(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        action_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        async def undo() -> str:
            done = await consolidation.undo(principal, action_id)
            return gettext(N_("Ação desfeita (%(kind)s)."), kind=done.kind)

        return await _on_action(request, principal, uf, undo)

    @post(f"{STATE}/sistematizacao/aceitar/{{action_id:uuid}}", status_code=303)
    async def accept_review(
        self,
        request: Request[Any, Any, Any],
        consolidation: NamedDependency[Consolidation],
        principal: NamedDependency[Principal],
        uf: FromPath[str],
        action_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        async def accept() -> str:
            await consolidation.accept_review(principal, action_id)
            return gettext(N_("Mesclagem automática aceita; ela ainda pode ser desfeita."))

        return await _on_action(request, principal, uf, accept)


async def _on_item(
    request: Request[Any, Any, Any],
    principal: Principal,
    uf: str,
    form: Any,
    act: Callable[[], Awaitable[tuple[str, dict[str, str]]]],
) -> Template | Redirect:
    """Sign in first, change one item, and go back to the Sistematização page saying what
    happened, with the focus on the item that resulted (``foco``). From HTMX a refusal comes
    back the same way, as the page's notice, so the part it swaps says why; without it, the
    refusal is a page with its status."""
    if (to_sign_in := sign_in_first(request, principal)) is not None:
        return to_sign_in
    back = {"ciclo": str(form.get("ciclo") or ""), "eixo": str(form.get("eixo") or "")}
    try:
        notice, more = await act()
    except DomainError as refusal:
        if request.headers.get("hx-request") != "true" or refusal.status == 403:
            return refused(request, refusal)
        notice = gettext(N_("Não foi possível: %(why)s"), why=refusal.detail)
        more = {"itens": str(form.get("itens") or "1")}
    query = urlencode({**back, **more, "notice": notice})
    return see_other(f"/estado/{uf}/sistematizacao?{query}")


async def _on_action(
    request: Request[Any, Any, Any],
    principal: Principal,
    uf: str,
    act: Callable[[], Awaitable[str]],
) -> Template | Redirect:
    """Sign in first, act on one logged action (undo, accept), and go back to the
    Sistematização page where it was, saying what happened."""
    if (to_sign_in := sign_in_first(request, principal)) is not None:
        return to_sign_in
    form = await request.form()
    back = {"ciclo": str(form.get("ciclo") or ""), "eixo": str(form.get("eixo") or "")}
    try:
        notice = await act()
    except DomainError as refusal:
        return refused(request, refusal)
    return see_other(f"/estado/{uf}/sistematizacao?{urlencode({**back, 'notice': notice})}")
