"""What the secretary's desk pages read: an assembly's state gathered for its dashboard (true
counts, the cycle's rules, each phase's checklist), a proposal's versions, and the exact report
closing would send now (built by the closing use case itself in a transaction that is rolled
back). Reads only: every change goes through :class:`services.local.desk.AssemblyDesk`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from services.local import assemblies, closing, proposals
from services.local.auth import actor_in
from services.local.model import Participant, Proposal, ProposalVersion
from services.local.plenary import election_seats, quorum
from services.local.views import assembly_view
from shared.contracts.http.local import AssemblyView
from shared.contracts.messages import AssemblyReport
from shared.core.access import Principal
from shared.core.cycle import CycleRules
from shared.core.errors import DomainError
from shared.core.quorum import QuorumState
from shared.features.cycles.store import rules_for
from shared.features.plenary import elections, polls
from shared.features.plenary.model import BallotKey, Poll
from shared.platform.bus.models import OutboxEntry
from shared.platform.bus.outbox import Outbox
from shared.platform.db.database import Database

#: At most this many assemblies on the desk's list.
MAX_LISTED = 500


@dataclass(frozen=True, slots=True)
class Counts:
    registered: int = 0
    credentialed: int = 0
    #: Segment id → (registered, credentialed).
    by_segment: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Board:
    """One assembly as its dashboard shows it."""

    assembly: AssemblyView
    rules: CycleRules
    counts: Counts
    #: Proposal status → how many.
    proposals: dict[str, int]
    #: Open, closed polls by kind: ``{"decision": (open, closed), …}``.
    polls: dict[str, tuple[int, int]]
    candidates: int
    mandates: int
    seats: int
    ballot_box: bool
    deadline: datetime | None
    #: Credentialed voters present and the cycle's quorum (``needed`` None: no quorum rule).
    quorum: QuorumState = field(default_factory=lambda: QuorumState(0, None))


@dataclass(frozen=True, slots=True)
class Preview:
    """The report closing would send now, or why it would be refused."""

    report: AssemblyReport | None
    refusal: str = ""


class _RolledBack(Exception):
    """Raised inside a transaction to undo what a preview built."""


class DeskOverview:
    def __init__(self, db: Database, outbox: Outbox) -> None:
        self.db = db
        self.outbox = outbox

    async def runnable(self, principal: Principal) -> list[AssemblyView]:
        """The assemblies ``principal`` may run (as their secretary or their territory's
        organiser), most recent first."""
        async with self.db.reading() as session:
            rows = await assemblies.list_assemblies(session, MAX_LISTED, 0)
            mine = [
                a
                for a in rows
                if principal.grant_for(
                    ["secretary", "organiser"], territory=a.territory, assembly_id=str(a.id)
                )
                is not None
            ]
            counted = await assemblies.participant_counts(session, [a.id for a in mine])
            return [assembly_view(a, counted.get(a.id)) for a in reversed(mine)]

    async def board(self, principal: Principal, assembly_id: uuid.UUID) -> Board:
        async with self.db.reading() as session:
            assembly = await assemblies.get_assembly(session, assembly_id)
            await actor_in(session, principal, assembly, "secretary")
            rules = await rules_for(session, assembly.cycle_id)
            per_segment = (
                await session.execute(
                    select(
                        Participant.segment,
                        func.count(),
                        func.count(Participant.credentialed_at),
                    )
                    .where(Participant.assembly_id == assembly.id)
                    .group_by(Participant.segment)
                )
            ).all()
            by_segment = {str(s): (int(n), int(c)) for s, n, c in per_segment}
            counts = Counts(
                registered=sum(n for n, _ in by_segment.values()),
                credentialed=sum(c for _, c in by_segment.values()),
                by_segment=by_segment,
            )
            statuses = (
                await session.execute(
                    select(Proposal.status, func.count())
                    .where(Proposal.assembly_id == assembly.id)
                    .group_by(Proposal.status)
                )
            ).all()
            key = str(assembly.id)
            by_kind: dict[str, tuple[int, int]] = {}
            for poll in await polls.list_polls(session, key):
                opened, closed = by_kind.get(poll.kind, (0, 0))
                by_kind[poll.kind] = (
                    (opened + 1, closed) if poll.status == "open" else (opened, closed + 1)
                )
            seats, _ = await election_seats(session, assembly, rules=rules)
            box = await session.scalar(
                select(func.count()).select_from(BallotKey).where(BallotKey.assembly_id == key)
            )
            return Board(
                assembly=assembly_view(assembly, (counts.registered, counts.credentialed)),
                rules=rules,
                counts=counts,
                proposals={str(s): int(n) for s, n in statuses},
                polls=by_kind,
                candidates=len(await elections.candidacies(session, key)),
                mandates=len(await elections.mandates(session, key)),
                seats=sum(seats.values()),
                ballot_box=bool(box),
                deadline=assembly.deadline,
                quorum=await quorum(session, assembly, rules),
            )

    async def versions(
        self, assembly_id: uuid.UUID, proposal_id: uuid.UUID
    ) -> list[ProposalVersion]:
        """Every text a proposal had, oldest first (public, like the proposal)."""
        async with self.db.reading() as session:
            assembly = await assemblies.get_assembly(session, assembly_id)
            proposal = await proposals.get_proposal(session, assembly, proposal_id)
            return await proposals.versions(session, proposal)

    async def titles(self, assembly_id: uuid.UUID) -> dict[str, str]:
        """Proposal id → title, to name duplicates and poll subjects in words."""
        async with self.db.reading() as session:
            rows = await session.execute(
                select(Proposal.id, Proposal.title).where(Proposal.assembly_id == assembly_id)
            )
            return {str(i): str(t) for i, t in rows}

    async def poll_rows(self, assembly_id: uuid.UUID) -> list[Poll]:
        async with self.db.reading() as session:
            return list(await polls.list_polls(session, str(assembly_id)))

    async def ballots_in(self, poll_ids: list[str]) -> dict[str, int]:
        """Poll id → ballots held so far (:func:`polls.ballots_held`)."""
        async with self.db.reading() as session:
            return await polls.ballots_held(session, poll_ids)

    async def sent_at(self, report_id: str) -> tuple[datetime | None, datetime | None]:
        """When the signed report was staged, and when NATS JetStream accepted it (None while
        the relay has not published it)."""
        async with self.db.reading() as session:
            row = (
                await session.execute(
                    select(OutboxEntry.created_at, OutboxEntry.sent_at).where(
                        OutboxEntry.kind == "report",
                        func.encode(OutboxEntry.data, "escape").contains(report_id),
                    )
                )
            ).first()
            return (row[0], row[1]) if row else (None, None)

    async def preview(self, principal: Principal, assembly_id: uuid.UUID) -> Preview:
        """The report :meth:`AssemblyDesk.close` would sign and send now, built by the same
        closing use case in a transaction that is then rolled back (nothing is written,
        staged or sent; the claim codes it drew are discarded unseen)."""
        built: list[AssemblyReport] = []
        try:
            async with self.db.transaction() as session:
                assembly = await assemblies.get_assembly(session, assembly_id)
                await actor_in(session, principal, assembly, "secretary")
                closed = await closing.close_assembly(session, self.outbox, assembly_id)
                built.append(closed.report)
                raise _RolledBack
        except _RolledBack:
            return Preview(report=built[0])
        except DomainError as refusal:
            if refusal.status in (401, 403, 404):
                raise
            return Preview(report=None, refusal=refusal.detail)
