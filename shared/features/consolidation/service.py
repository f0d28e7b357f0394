"""Consolidation use cases at the regional and national tiers, each in its own transaction.

The HTTP edge calls these and nothing else; the tier's :class:`ConsolidationProfile` supplies
what differs between a state conference and the national one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.consolidation import (
    ActionView,
    AutoMerged,
    Board,
    ConferenceClosed,
    ItemView,
    Journey,
    Lineage,
    PairwiseRanking,
    Ranked,
    ReceivedMandateView,
    ReceivedReportView,
    Reception,
    SourceView,
    StateSeats,
    Suggestion,
)
from shared.contracts.messages import Mandate
from shared.core.access import ANONYMOUS, Principal, Role
from shared.core.cycle import CycleRules
from shared.core.vocabulary import ACTIVE
from shared.features.consolidation import (
    actions,
    clusters,
    duplicates,
    plenary,
    plenary_service,
    seats,
)
from shared.features.consolidation.board import ingest_board
from shared.features.consolidation.closing import close_conference
from shared.features.consolidation.lineage import (
    action_view,
    item_lineage,
    item_view,
    list_items,
    proposal_journey,
    source_view,
)
from shared.features.consolidation.model import (
    ConsolidatedItem,
    ConsolidationAction,
    ItemSource,
    ReceivedReport,
    SourceItem,
)
from shared.features.consolidation.priorities import PriorityPage, axis_items, priority_page
from shared.features.consolidation.profile import ConsolidationProfile
from shared.features.consolidation.ranking import pairwise_ranking, rank_items
from shared.features.consolidation.reception import current_cycle, reception
from shared.features.cycles.store import rules_for
from shared.features.plenary import polls
from shared.features.plenary.claims import elected_mandates, with_claims
from shared.platform.bus.outbox import Outbox
from shared.platform.db.database import Database
from shared.platform.offload import Offload

log = structlog.get_logger(__name__)

#: Who may change items (sistematização): the rapporteurs, and the convener or commission.
EDITORS: tuple[Role, ...] = ("rapporteur", "convener", "commission")
#: Duplicate suggestions kept in memory (conference × axis × threshold), least recent dropped.
SUGGESTIONS_KEPT = 32
#: Who closes a conference and sends its report up.
CLOSERS: tuple[Role, ...] = ("convener", "commission")


#: Duplicate suggestions are kept per (cycle, territory, axis, threshold).
SuggestionKey = tuple[str, str, str | None, float]


def _log_failure(task: asyncio.Task[list[Suggestion]]) -> None:
    """A computation nobody waits for any more (its page moved on) still reports a failure."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("suggestions.failed", task=task.get_name(), error=repr(error))


@dataclass(slots=True)
class Suggested:
    """One computation of duplicate suggestions: the active items it saw, its clusters, and
    how they look at the latest fingerprint."""

    base_active: frozenset[str]
    base: list[Suggestion]
    fingerprint: tuple[object, ...] = ()
    view: list[Suggestion] = field(default_factory=list)


def _report_view(r: ReceivedReport) -> ReceivedReportView:
    return ReceivedReportView(
        report_id=r.report_id,
        assembly_id=r.assembly_id,
        territory=r.territory,
        uf=r.uf,
        title=r.title,
        late=r.late,
        participants=r.participants,
        sender=r.sender,
        closed_at=r.closed_at,
        received_at=r.received_at,
        items=len(r.body.get("items", [])),
        mandates=len(r.body.get("mandates", [])),
        tier=r.tier,
        assembly_kind=r.assembly_kind,
    )


class Consolidation:
    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        profile: ConsolidationProfile,
        *,
        offload: Offload | None = None,
        off_loop_items: int = 2000,
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.profile = profile
        #: Where a big axis is clustered (see :meth:`suggestions`), and from how many items.
        self.offload = offload or Offload()
        self.off_loop_items = off_loop_items
        #: Recent duplicate suggestions (see :meth:`suggestions`), and those being computed.
        self._suggested: OrderedDict[SuggestionKey, Suggested] = OrderedDict()
        self._computing: dict[SuggestionKey, asyncio.Task[list[Suggestion]]] = {}

    # --- what arrived ---------------------------------------------------------------------

    async def reports(
        self, *, cycle_id: str | None, uf: str | None, limit: int, offset: int
    ) -> list[ReceivedReportView]:
        query = select(ReceivedReport)
        if cycle_id:
            query = query.where(ReceivedReport.cycle_id == cycle_id)
        if uf:
            query = query.where(ReceivedReport.uf == uf)
        async with self.db.reading() as session:
            rows = await session.scalars(
                query.order_by(ReceivedReport.received_at).limit(limit).offset(offset)
            )
            return [_report_view(r) for r in rows]

    async def board(self, *, cycle_id: str, uf: str | None) -> Board:
        """The ingest board of one conference: a state's at the regional tier (``uf`` is
        required there: without it there is no conference to show), the nation's at the
        national tier (``uf`` ignored)."""
        async with self.db.reading() as session:
            return await ingest_board(session, self.profile.conference(cycle_id, self._uf(uf)))

    def _uf(self, uf: str | None) -> str:
        """The state a request names, for a tier with one conference per state."""
        return self.profile.scope(uf)

    async def state_seats(self, principal: Principal, *, cycle_id: str, uf: str) -> StateSeats:
        """The seats shared among a state's assemblies, with the method and the figures, and
        the assemblies that elected under an older allocation (the state's convener)."""
        uf = self._uf(uf)
        principal.require("convener", "commission", territory=uf)
        async with self.db.reading() as session:
            return await seats.state_seats(session, cycle_id=cycle_id, uf=uf)

    async def received_mandates(
        self, principal: Principal, *, cycle_id: str, uf: str | None, limit: int, offset: int
    ) -> list[ReceivedMandateView]:
        """The delegate mandates received for a conference, for its desk and conveners."""
        scope = self._uf(uf)
        principal.require(*plenary_service.DESK, territory=scope)
        async with self.db.reading() as session:
            return await seats.received_mandates(
                session, cycle_id=cycle_id, scope=scope, limit=limit, offset=offset
            )

    async def reception(self, *, cycle_id: str, uf: str) -> Reception:
        """Every municipality of a state with its reporting status (from the IBGE list)."""
        async with self.db.reading() as session:
            return await reception(session, cycle_id=cycle_id, uf=uf)

    async def axes(self, *, cycle_id: str, uf: str) -> list[str]:
        """The axes that have active items in this conference."""
        async with self.db.reading() as session:
            rows = await session.scalars(
                select(ConsolidatedItem.axis)
                .where(
                    ConsolidatedItem.cycle_id == cycle_id,
                    ConsolidatedItem.uf == self.profile.scope(uf),
                    ConsolidatedItem.status == ACTIVE,
                )
                .distinct()
                .order_by(ConsolidatedItem.axis)
            )
            return list(rows.all())

    async def sources_of(self, item_ids: Sequence[uuid.UUID]) -> dict[str, list[SourceView]]:
        """Each item's sources (assembly, territory, rank, supports, text), in one query."""
        found: dict[str, list[SourceView]] = {str(i): [] for i in item_ids}
        if not item_ids:
            return found
        async with self.db.reading() as session:
            rows = await session.execute(
                select(ItemSource.item_id, SourceItem)
                .join(SourceItem, SourceItem.item_id == ItemSource.source_item_id)
                .where(ItemSource.item_id.in_(list(item_ids)))
                .order_by(SourceItem.territory, SourceItem.rank)
            )
            for item_id, source in rows:
                found[str(item_id)].append(source_view(source))
        return found

    async def current_cycle(self) -> str:
        async with self.db.reading() as session:
            return await current_cycle(session)

    async def items(
        self,
        *,
        cycle_id: str | None,
        uf: str | None,
        axis: str | None,
        status: str | None,
        limit: int,
        offset: int,
    ) -> list[ItemView]:
        async with self.db.reading() as session:
            return await list_items(
                session,
                cycle_id=cycle_id,
                uf=uf,
                axis=axis,
                status=status,
                limit=limit,
                offset=offset,
            )

    async def lineage(self, item_id: uuid.UUID) -> Lineage:
        async with self.db.reading() as session:
            return await item_lineage(session, item_id, self.profile.answers)

    async def journey(self, proposal_id: str) -> Journey:
        async with self.db.reading() as session:
            return await proposal_journey(session, proposal_id, self.profile.answers)

    # --- sistematização -------------------------------------------------------------------

    async def suggestions(
        self,
        *,
        cycle_id: str,
        uf: str,
        axis: str | None,
        threshold: float | None,
        principal: Principal = ANONYMOUS,
    ) -> list[Suggestion]:
        """Clusters of likely duplicates, waiting for them if they are being computed.

        Clustering a big state's axis takes many seconds, so a computation is kept per
        (conference, axis, threshold) and shown as it stands now
        (:func:`duplicates.still_current`: merged, split or moved items leave their clusters,
        undone ones come back); it is computed anew only when an item arrives that it never
        saw, and then in the tier's worker process for a big axis (``shared.platform.offload``),
        once however many ask meanwhile. Nothing changed at all
        (:func:`duplicates.fingerprint`): the same answer."""
        found = await self._suggesting(cycle_id, uf, axis, threshold, principal)
        if isinstance(found, list):
            return found
        computed = await asyncio.shield(found)
        again = await self._suggesting(cycle_id, uf, axis, threshold, principal)
        return again if isinstance(again, list) else computed

    async def suggestions_if_ready(
        self,
        *,
        cycle_id: str,
        uf: str,
        axis: str | None,
        threshold: float | None,
        principal: Principal = ANONYMOUS,
        patience: float,
    ) -> list[Suggestion] | None:
        """:meth:`suggestions` if they are ready within ``patience`` seconds, else ``None``
        (a page then says they are being computed and asks again; the computation goes on)."""
        found = await self._suggesting(cycle_id, uf, axis, threshold, principal)
        if isinstance(found, list):
            return found
        try:
            return await asyncio.wait_for(asyncio.shield(found), patience)
        except TimeoutError:
            return None

    async def _suggesting(
        self,
        cycle_id: str,
        uf: str,
        axis: str | None,
        threshold: float | None,
        principal: Principal,
    ) -> list[Suggestion] | asyncio.Task[list[Suggestion]]:
        """The suggestions as they stand, or the computation that will give them."""
        scope = self.profile.scope(uf)
        async with self.db.reading() as session:
            rules = await rules_for(session, cycle_id)
            limit = rules.consolidation.suggest_threshold if threshold is None else threshold
            if limit != rules.consolidation.suggest_threshold:
                # Each other threshold is a clustering of its own (seconds of CPU at São
                # Paulo's scale): not for anyone who asks.
                principal.require(*EDITORS, territory=scope)
            key = (cycle_id, scope, axis, limit)
            seen = await duplicates.fingerprint(session, cycle_id=cycle_id, uf=scope, axis=axis)
            kept = self._suggested.get(key)
            if kept is not None and kept.fingerprint == seen:
                self._suggested.move_to_end(key)
                return kept.view
            running = self._computing.get(key)
            if running is not None:
                return running
            active, arrived = await duplicates.active_ids(
                session, cycle_id=cycle_id, uf=scope, axis=axis
            )
            if kept is not None and arrived <= kept.base_active:
                return self._keep(key, kept, seen, active)
            rows = await duplicates.active_rows(session, cycle_id, scope, axis)
        task = asyncio.create_task(
            self._cluster(key, rows, limit, active, seen), name=f"suggestions-{scope}-{axis}"
        )
        task.add_done_callback(_log_failure)
        self._computing[key] = task
        return task

    async def _cluster(
        self,
        key: SuggestionKey,
        rows: list[clusters.Row],
        limit: float,
        active: frozenset[str],
        seen: tuple[object, ...],
    ) -> list[Suggestion]:
        try:
            base = await self.offload.run_pure(
                clusters.suggested, rows, limit, off_loop=len(rows) >= self.off_loop_items
            )
        finally:
            self._computing.pop(key, None)
        return self._keep(key, Suggested(base_active=active, base=base), seen, active)

    def _keep(
        self,
        key: SuggestionKey,
        kept: Suggested,
        seen: tuple[object, ...],
        active: frozenset[str],
    ) -> list[Suggestion]:
        kept.fingerprint, kept.view = seen, duplicates.still_current(kept.base, active)
        self._suggested[key] = kept
        self._suggested.move_to_end(key)
        while len(self._suggested) > SUGGESTIONS_KEPT:
            self._suggested.popitem(last=False)
        return kept.view

    async def _may_edit(
        self, session: AsyncSession, principal: Principal, item_ids: Sequence[uuid.UUID]
    ) -> None:
        """Refuse unless the principal edits items in every territory these items belong to."""
        ufs = await session.scalars(
            select(ConsolidatedItem.uf).where(ConsolidatedItem.id.in_(list(item_ids))).distinct()
        )
        for uf in ufs:
            principal.require(*EDITORS, territory=uf)

    async def merge(
        self,
        principal: Principal,
        item_ids: Sequence[uuid.UUID],
        *,
        title: str,
        text: str,
        competence: str,
        note: str,
    ) -> ItemView:
        async with self.db.transaction() as session:
            await self._may_edit(session, principal, item_ids)
            item = await actions.merge(
                session,
                item_ids,
                title=title,
                text=text,
                competence=competence,
                actor=principal.id,
                note=note,
            )
            return item_view(item)

    async def split(
        self, principal: Principal, item_id: uuid.UUID, parts: Sequence[actions.Part], *, note: str
    ) -> list[ItemView]:
        async with self.db.transaction() as session:
            await self._may_edit(session, principal, [item_id])
            items = await actions.split(session, item_id, parts, actor=principal.id, note=note)
            return [item_view(i) for i in items]

    async def split_off(
        self,
        principal: Principal,
        item_id: uuid.UUID,
        source_ids: Sequence[str],
        *,
        title: str,
        text: str,
        note: str,
    ) -> list[ItemView]:
        """Split the chosen sources off an item into a new item (``title``/``text``, else the
        item's own); the rest stay together with the item's wording. The remainder is read in
        the same transaction, so a concurrent change cannot lose a source. Returns the item
        that keeps the rest, then the new one."""
        async with self.db.transaction() as session:
            await self._may_edit(session, principal, [item_id])
            held = (await actions.sources_of(session, [item_id])).get(item_id, [])
            chosen = list(dict.fromkeys(source_ids))
            parts = [
                actions.Part(sources=[s for s in held if s not in set(chosen)]),
                actions.Part(sources=chosen, title=title, text=text),
            ]
            items = await actions.split(session, item_id, parts, actor=principal.id, note=note)
            return [item_view(i) for i in items]

    async def workbench_items(
        self, *, cycle_id: str, uf: str, axis: str, limit: int, offset: int
    ) -> tuple[list[ItemView], int]:
        """One page of an axis's active items for the sistematização: the ones made by an
        action (merged, split) first, newest first, then the rest; and how many there are."""
        async with self.db.reading() as session:
            return await axis_items(
                session,
                cycle_id=cycle_id,
                uf=self.profile.scope(uf),
                axis=axis,
                limit=limit,
                offset=offset,
            )

    async def rewrite(
        self, principal: Principal, item_id: uuid.UUID, *, title: str, text: str, note: str
    ) -> ItemView:
        async with self.db.transaction() as session:
            await self._may_edit(session, principal, [item_id])
            item = await actions.rewrite(
                session, item_id, title=title, text=text, actor=principal.id, note=note
            )
            return item_view(item)

    async def reclassify(
        self, principal: Principal, item_id: uuid.UUID, *, axis: str, competence: str, note: str
    ) -> ItemView:
        async with self.db.transaction() as session:
            await self._may_edit(session, principal, [item_id])
            item = await actions.reclassify(
                session, item_id, axis=axis, competence=competence, actor=principal.id, note=note
            )
            return item_view(item)

    async def nest(
        self,
        principal: Principal,
        item_ids: Sequence[uuid.UUID],
        *,
        parent_id: uuid.UUID,
        note: str,
    ) -> list[ItemView]:
        async with self.db.transaction() as session:
            await self._may_edit(session, principal, [parent_id, *item_ids])
            items = await actions.nest(
                session, item_ids, parent_id=parent_id, actor=principal.id, note=note
            )
            return [item_view(i) for i in items]

    async def unnest(
        self, principal: Principal, item_ids: Sequence[uuid.UUID], *, note: str
    ) -> list[ItemView]:
        async with self.db.transaction() as session:
            await self._may_edit(session, principal, item_ids)
            items = await actions.unnest(session, item_ids, actor=principal.id, note=note)
            return [item_view(i) for i in items]

    async def action_log(self, *, cycle_id: str, uf: str) -> list[ActionView]:
        """The action log, newest first (undo walks it back)."""
        async with self.db.reading() as session:
            rows = await session.scalars(
                select(ConsolidationAction)
                .where(
                    ConsolidationAction.cycle_id == cycle_id,
                    ConsolidationAction.uf == self.profile.scope(uf),
                )
                .order_by(ConsolidationAction.created_at.desc(), ConsolidationAction.id.desc())
            )
            return [action_view(a) for a in rows]

    async def review_queue(self, *, cycle_id: str, uf: str) -> list[ActionView]:
        """Automatic merges still waiting for a convener (oldest first): accept, rewrite the
        combined text, or undo."""
        async with self.db.reading() as session:
            rows = await session.scalars(
                select(ConsolidationAction)
                .where(
                    ConsolidationAction.cycle_id == cycle_id,
                    ConsolidationAction.uf == self.profile.scope(uf),
                    ConsolidationAction.undone_at.is_(None),
                    ConsolidationAction.payload["review"].as_string() == duplicates.REVIEW_PENDING,
                )
                .order_by(ConsolidationAction.created_at, ConsolidationAction.id)
            )
            return [action_view(a) for a in rows]

    async def accept_review(self, principal: Principal, action_id: uuid.UUID) -> ActionView:
        async with self.db.transaction() as session:
            uf = await session.scalar(
                select(ConsolidationAction.uf).where(ConsolidationAction.id == action_id)
            )
            if uf is not None:
                principal.require(*EDITORS, territory=uf)
            return action_view(await actions.accept_review(session, action_id))

    async def undo(self, principal: Principal, action_id: uuid.UUID) -> ActionView:
        async with self.db.transaction() as session:
            uf = await session.scalar(
                select(ConsolidationAction.uf).where(ConsolidationAction.id == action_id)
            )
            if uf is not None:
                principal.require(*EDITORS, territory=uf)
            return action_view(await actions.undo(session, action_id))

    async def auto_merge(
        self, principal: Principal, *, cycle_id: str, uf: str, threshold: float | None
    ) -> AutoMerged:
        principal.require(*EDITORS, territory=self.profile.scope(uf))
        async with self.db.transaction() as session:
            rules = await rules_for(session, cycle_id)
            return await duplicates.auto_merge(
                session,
                cycle_id=cycle_id,
                uf=self.profile.scope(uf),
                threshold=rules.consolidation.auto_merge_threshold
                if threshold is None
                else threshold,
            )

    # --- ranking and closing --------------------------------------------------------------

    async def rank(self, principal: Principal, *, cycle_id: str, uf: str) -> Ranked:
        principal.require(*EDITORS, territory=self.profile.scope(uf))
        async with self.db.transaction() as session:
            rules = await rules_for(session, cycle_id)
            conference = self.profile.conference(cycle_id, uf)
            closed = await plenary.closed_polls(session, conference.key)
            return await rank_items(
                session,
                cycle_id=cycle_id,
                uf=conference.uf,
                rules=rules,
                priority=polls.priority_positions(closed),
            )

    async def priorities(
        self, *, cycle_id: str, uf: str, axis: str, limit: int, offset: int
    ) -> PriorityPage:
        """One page of an axis's items in rank order, with their score breakdowns' origins."""
        async with self.db.reading() as session:
            return await priority_page(
                session,
                cycle_id=cycle_id,
                uf=self.profile.scope(uf),
                axis=axis,
                limit=limit,
                offset=offset,
            )

    async def rules(self, cycle_id: str) -> CycleRules:
        """The cycle's rules as this tier holds them."""
        async with self.db.reading() as session:
            return await rules_for(session, cycle_id)

    async def pairwise(self, *, cycle_id: str, uf: str, axis: str) -> PairwiseRanking:
        async with self.db.reading() as session:
            rules = await rules_for(session, cycle_id)
            return await pairwise_ranking(
                session, cycle_id=cycle_id, uf=self.profile.scope(uf), axis=axis, rules=rules
            )

    async def close(
        self,
        principal: Principal,
        *,
        cycle_id: str,
        uf: str,
        title: str,
        delegates: Sequence[Mandate],
    ) -> ConferenceClosed:
        """Rank, route and cap the items and stage the signed report up, in one transaction."""
        conference = self.profile.conference(cycle_id, uf)
        principal.require(*CLOSERS, territory=conference.uf)
        async with self.db.transaction() as session:
            mandates, claims = with_claims(
                delegates or await elected_mandates(session, conference.key)
            )
            report = await close_conference(
                session,
                self.outbox,
                conference,
                title=title or f"{self.profile.assembly_kind} conference {conference.uf}",
                mandates=mandates,
            )
        return ConferenceClosed(
            report_id=report.report_id,
            items=len(report.items),
            mandates=len(report.mandates),
            addendum_of=report.addendum_of,
            delegate_claims=claims,
        )
