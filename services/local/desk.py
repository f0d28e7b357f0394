"""The local tier's use cases, as the HTTP edge calls them: each opens its own transaction, loads
the assembly, checks the caller against it, runs one use case and returns its view."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.local import (
    assemblies,
    cards,
    closing,
    journey,
    plenary,
    proposals,
    working_groups,
)
from services.local.assemblies import require_not_closed
from services.local.auth import Actor, Role, actor_in
from services.local.model import Assembly
from services.local.views import assembly_view, motion_view, participant_view, proposal_view
from shared.contracts.http.local import (
    AssemblyClosed,
    AssemblyCreated,
    AssemblyView,
    DecidedEnBloc,
    DeviceCard,
    ElectionView,
    MotionView,
    MunicipalityFollowUp,
    NewAssembly,
    NewParticipant,
    NewProposal,
    ParticipantCorrection,
    ParticipantRegistered,
    ParticipantSelf,
    ParticipantView,
    PrintedCard,
    ProposalJourney,
    ProposalsUploaded,
    ProposalView,
    Seats,
    TownMatch,
    WorkingGroupView,
)
from shared.contracts.http.plenary import (
    BallotBoxOpened,
    BallotBoxState,
    CandidacyView,
    PollView,
)
from shared.core.access import Grant, Principal
from shared.core.territory import find_municipalities
from shared.features.cycles.store import rules_for
from shared.features.identity.service import Identity
from shared.features.plenary import audit, elections, polls
from shared.features.plenary.ballot_box import BallotBox
from shared.features.plenary.views import candidacy_view, mandate_view, poll_view
from shared.platform.bus.outbox import Outbox
from shared.platform.db.database import Database
from shared.platform.settings import Settings

#: The only fields about a person that leave the local tier: a mandate's (shared.contracts
#: .messages.Mandate), and only for those elected.
REPORTED_IF_ELECTED = ("public_name", "segment", "gender", "quota_groups")


@dataclass
class Scope:
    session: AsyncSession
    assembly: Assembly
    actor: Actor

    async def audit(self, kind: str, **payload: Any) -> str:
        """Record a desk action in the assembly's hash chain; returns the new head."""
        head = await audit.record(
            self.session,
            str(self.assembly.id),
            actor=f"{self.actor.role}:{self.actor.principal_id}",
            kind=kind,
            **payload,
        )
        return str(head)


class AssemblyDesk:
    def __init__(
        self, db: Database, outbox: Outbox, settings: Settings, identity: Identity
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.settings = settings
        self.identity = identity
        #: This process's ballot box keys (private halves in memory only).
        self.ballot_box = BallotBox(outbox.default_signer)

    @asynccontextmanager
    async def acting(
        self, principal: Principal, assembly_id: uuid.UUID, *roles: Role, lock: bool = False
    ) -> AsyncIterator[Scope]:
        """One transaction, the assembly, and the caller checked against it."""
        async with self.db.transaction() as session:
            assembly = await assemblies.get_assembly(session, assembly_id, lock=lock)
            actor = await actor_in(session, principal, assembly, *roles)
            yield Scope(session, assembly, actor)

    @asynccontextmanager
    async def reading(self, assembly_id: uuid.UUID) -> AsyncIterator[Scope]:
        async with self.db.reading() as session:
            assembly = await assemblies.get_assembly(session, assembly_id)
            yield Scope(session, assembly, Actor("participant", ""))

    # --- assemblies -----------------------------------------------------------------------

    async def create(self, principal: Principal, data: NewAssembly) -> AssemblyCreated:
        """An organiser creates an assembly of their territory (draft), and may appoint its
        secretary at once: the secretary's one-time sign-in code is in this answer only."""
        principal.require("organiser", territory=data.territory)
        fields = msgspec.structs.asdict(data)
        secretary = fields.pop("secretary")
        async with self.db.transaction() as session:
            assembly = await assemblies.create_assembly(
                session, self.outbox, self.settings.sender_id, **fields
            )
            code = None
            if secretary is not None:
                appointed = await self.identity.appoint_in(
                    session,
                    principal,
                    name=secretary.name,
                    email=secretary.email,
                    grant=Grant("secretary", assembly.territory, str(assembly.id)),
                )
                code = appointed.sign_in_code
            view = assembly_view(assembly)
        return AssemblyCreated(**msgspec.structs.asdict(view), secretary_sign_in_code=code)

    async def index(self, *, limit: int, offset: int) -> list[AssemblyView]:
        async with self.db.reading() as session:
            rows = await assemblies.list_assemblies(session, limit, offset)
            counts = await assemblies.participant_counts(session, [a.id for a in rows])
            return [assembly_view(a, counts.get(a.id)) for a in rows]

    async def show(self, assembly_id: uuid.UUID) -> AssemblyView:
        async with self.reading(assembly_id) as s:
            counts = await assemblies.participant_counts(s.session, [s.assembly.id])
            return assembly_view(s.assembly, counts.get(s.assembly.id))

    async def advance(
        self, principal: Principal, assembly_id: uuid.UUID, status: str
    ) -> AssemblyView:
        async with self.acting(principal, assembly_id, "secretary", lock=True) as s:
            await s.audit("assembly.advance", status=status)
            moved = await assemblies.advance(s.session, s.assembly, status)
            counts = await assemblies.participant_counts(s.session, [moved.id])
            return assembly_view(moved, counts.get(moved.id))

    async def close(self, principal: Principal, assembly_id: uuid.UUID) -> AssemblyClosed:
        """Close the assembly; its signed report goes up as soon as NATS accepts it."""
        async with self.acting(principal, assembly_id, "secretary") as s:
            if s.assembly.status != "closed":
                await s.audit("assembly.close")
            closed = await closing.close_assembly(s.session, self.outbox, assembly_id)
        report = closed.report
        return AssemblyClosed(
            report_id=report.report_id,
            items=len(report.items),
            late=report.late,
            mandates=len(report.mandates),
            motions=len(report.motions),
            manifests=len(report.manifests),
            delegation_notes=list(report.delegation_notes),
            delegate_claims=closed.claims,
        )

    # --- participants ---------------------------------------------------------------------

    async def register(
        self, principal: Principal, assembly_id: uuid.UUID, people: Sequence[NewParticipant]
    ) -> list[ParticipantRegistered]:
        async with self.acting(principal, assembly_id, "secretary") as s:
            done = await assemblies.register_participants(
                s.session, s.assembly, [msgspec.structs.asdict(p) for p in people], by=principal.id
            )
            await s.audit(
                "participants.register",
                ids=[str(p.id) for p in done],
                credentialed=sum(1 for p in done if p.credentialed_at is not None),
            )
            return [
                ParticipantRegistered(**msgspec.structs.asdict(participant_view(p))) for p in done
            ]

    async def participants(
        self, principal: Principal, assembly_id: uuid.UUID
    ) -> list[ParticipantView]:
        async with self.acting(principal, assembly_id, "secretary") as s:
            rows = await assemblies.list_participants(s.session, s.assembly)
            return [participant_view(p) for p in rows]

    async def credential(
        self, principal: Principal, assembly_id: uuid.UUID, participant_id: uuid.UUID
    ) -> ParticipantView:
        async with self.acting(principal, assembly_id, "secretary") as s:
            person = await assemblies.credential(
                s.session, s.assembly, participant_id, by=principal.id
            )
            await s.audit("participant.credential", participant_id=participant_id)
            return participant_view(person)

    async def confirm_participants(
        self, principal: Principal, assembly_id: uuid.UUID, participant_ids: Sequence[uuid.UUID]
    ) -> list[ParticipantView]:
        """A second person of the desk confirms check-ins or cards given once voting began."""
        async with self.acting(principal, assembly_id, "secretary") as s:
            people = [
                await assemblies.confirm_late(s.session, s.assembly, pid, by=principal.id)
                for pid in dict.fromkeys(participant_ids)
            ]
            await s.audit("participants.confirm", ids=[str(p.id) for p in people])
            return [participant_view(p) for p in people]

    # --- working groups (services.local.working_groups) --------------------------------

    async def place_in_working_group(
        self,
        principal: Principal,
        assembly_id: uuid.UUID,
        *,
        participant_id: uuid.UUID,
        axis: str,
        number: int,
    ) -> WorkingGroupView:
        """The desk places a participant in a working group, within its places per segment
        (the assembly's row lock keeps two desks from taking one last place twice)."""
        async with self.acting(principal, assembly_id, "secretary", lock=True) as s:
            require_not_closed(s.assembly)
            view = await working_groups.place(
                s.session,
                s.assembly,
                await rules_for(s.session, s.assembly.cycle_id),
                participant_id=participant_id,
                axis=axis,
                number=number,
            )
            await s.audit(
                "working_group.place",
                participant_id=str(participant_id),
                axis=axis,
                number=number,
            )
            return view

    async def list_working_groups(
        self, principal: Principal, assembly_id: uuid.UUID
    ) -> list[WorkingGroupView]:
        async with self.acting(principal, assembly_id, "secretary") as s:
            return await working_groups.groups_of(
                s.session, s.assembly, await rules_for(s.session, s.assembly.cycle_id)
            )

    # --- voting cards (services.local.cards) -------------------------------------------

    async def card_for_device(self, assembly_id: uuid.UUID) -> DeviceCard:
        """A voting card for the phone asking, without signing in; its code is in this answer
        only, and works once the desk binds the card to a participant."""
        async with self.db.transaction() as session:
            assembly = await assemblies.get_assembly(session, assembly_id)
            card, code = await cards.card_for_device(
                session,
                assembly,
                minutes=self.settings.device_card_minutes,
                waiting_at_most=self.settings.device_cards_waiting,
            )
            assert card.expires_at is not None
            return DeviceCard(
                code=code, pairing=cards.shown_pairing(card.pairing), expires_at=card.expires_at
            )

    async def print_cards(
        self, principal: Principal, assembly_id: uuid.UUID, count: int
    ) -> list[PrintedCard]:
        """A sheet of badges, made by an organiser of the territory — never by the secretary,
        who hands them out — and never handed out by whoever printed them."""
        async with self.db.transaction() as session:
            assembly = await assemblies.get_assembly(session, assembly_id)
            principal.require("organiser", territory=assembly.territory)
            made = await cards.print_cards(session, assembly, count, printed_by=principal.id)
            await audit.record(
                session,
                str(assembly.id),
                actor=f"organiser:{principal.id}",
                kind="cards.print",
                pairings=[c.pairing for c, _ in made],
            )
            return [
                PrintedCard(pairing=cards.shown_pairing(c.pairing), code=code) for c, code in made
            ]

    async def bind_card(
        self, principal: Principal, assembly_id: uuid.UUID, participant_id: uuid.UUID, pairing: str
    ) -> ParticipantView:
        """The desk hands a voting card to a registered participant (and so checks them in)."""
        async with self.acting(principal, assembly_id, "secretary") as s:
            person, card, replaced = await cards.bind(
                s.session, s.assembly, participant_id, pairing, bound_by=principal.id
            )
            await s.audit(
                "participant.card",
                participant_id=participant_id,
                pairing=card.pairing,
                origin=card.origin,
                replaced=replaced,
            )
            return participant_view(person)

    async def revoke_credential(
        self, principal: Principal, assembly_id: uuid.UUID, participant_id: uuid.UUID
    ) -> ParticipantView:
        """A lost or leaked badge: its credential stops working; bind a new card to replace it."""
        async with self.acting(principal, assembly_id, "secretary") as s:
            person = await cards.revoke(s.session, s.assembly, participant_id)
            await s.audit("participant.revoke", participant_id=participant_id)
            return participant_view(person)

    async def me(self, principal: Principal, assembly_id: uuid.UUID) -> ParticipantSelf:
        """What this tier holds about the participant asking."""
        async with self.acting(principal, assembly_id, "participant") as s:
            return await self._self_view(s)

    async def correct_me(
        self, principal: Principal, assembly_id: uuid.UUID, changes: ParticipantCorrection
    ) -> ParticipantSelf:
        async with self.acting(principal, assembly_id, "participant") as s:
            person = s.actor.participant
            assert person is not None
            given = {
                k: v for k, v in msgspec.structs.asdict(changes).items() if v is not msgspec.UNSET
            }
            await assemblies.correct_participant(s.session, s.assembly, person, given)
            return await self._self_view(s)

    @staticmethod
    async def _self_view(s: Scope) -> ParticipantSelf:
        person = s.actor.participant
        assert person is not None
        mine = await proposals.authored_by(s.session, s.assembly, person.id)
        key, who = str(s.assembly.id), str(person.id)
        standing = {c.id for c in await elections.candidacies(s.session, key) if c.person_id == who}
        elected = any(m.candidacy_id in standing for m in await elections.mandates(s.session, key))
        return ParticipantSelf(
            assembly_id=key,
            participant=participant_view(person),
            proposals=[str(p) for p in mine],
            candidate=bool(standing),
            elected=elected,
            reported_if_elected=list(REPORTED_IF_ELECTED),
        )

    # --- proposals ------------------------------------------------------------------------

    async def submit(
        self, principal: Principal, assembly_id: uuid.UUID, proposal: NewProposal
    ) -> ProposalView:
        async with self.acting(principal, assembly_id, "secretary", "participant") as s:
            rows = await proposals.submit_many(
                s.session, s.assembly, s.actor, [msgspec.structs.asdict(proposal)]
            )
            return proposal_view(rows[0])

    async def upload(
        self, principal: Principal, assembly_id: uuid.UUID, batch: Sequence[NewProposal]
    ) -> ProposalsUploaded:
        async with self.acting(principal, assembly_id, "secretary") as s:
            rows = await proposals.submit_many(
                s.session, s.assembly, s.actor, [msgspec.structs.asdict(p) for p in batch]
            )
        return ProposalsUploaded(
            created=len(rows),
            ids=[str(r["id"]) for r in rows],
            flagged=[str(r["id"]) for r in rows if r["possible_duplicates"]],
        )

    async def proposals(
        self, assembly_id: uuid.UUID, *, axis: str | None, limit: int, offset: int
    ) -> list[ProposalView]:
        async with self.reading(assembly_id) as s:
            rows = await proposals.list_proposals(
                s.session, s.assembly, axis=axis, limit=limit, offset=offset
            )
            return [proposal_view(p) for p in rows]

    async def amend(
        self,
        principal: Principal,
        assembly_id: uuid.UUID,
        proposal_id: uuid.UUID,
        *,
        title: str | None,
        text: str,
        reason: str,
    ) -> ProposalView:
        async with self.acting(principal, assembly_id, "secretary", "participant") as s:
            proposal = await proposals.amend(
                s.session, s.assembly, s.actor, proposal_id, title=title, text=text, reason=reason
            )
            return proposal_view(proposal)

    async def withdraw(
        self, principal: Principal, assembly_id: uuid.UUID, proposal_id: uuid.UUID
    ) -> ProposalView:
        async with self.acting(principal, assembly_id, "secretary", "participant") as s:
            return proposal_view(
                await proposals.withdraw(s.session, s.assembly, s.actor, proposal_id)
            )

    async def support(
        self, principal: Principal, assembly_id: uuid.UUID, proposal_id: uuid.UUID
    ) -> ProposalView:
        async with self.acting(principal, assembly_id, "participant") as s:
            return proposal_view(
                await proposals.support(s.session, s.assembly, s.actor, proposal_id)
            )

    async def journey(self, proposal_id: uuid.UUID) -> ProposalJourney:
        async with self.db.reading() as session:
            return await journey.journey(session, proposal_id)

    def find_towns(self, query: str, *, uf: str | None, limit: int) -> list[TownMatch]:
        """Municipalities of the IBGE list matching a citizen's search (public)."""
        return [
            TownMatch(ibge_code=t.ibge_code, name=t.name, uf=t.uf)
            for t in find_municipalities(query, uf=uf.upper() if uf else None, limit=limit)
        ]

    async def follow_up(self, ibge_code: str, *, limit: int, offset: int) -> MunicipalityFollowUp:
        async with self.db.reading() as session:
            return await journey.follow_up(session, ibge_code, limit=limit, offset=offset)

    # --- plenary --------------------------------------------------------------------------

    async def open_poll(
        self,
        principal: Principal,
        assembly_id: uuid.UUID,
        *,
        kind: str,
        mode: str,
        proposal_id: uuid.UUID | None,
        axis: str | None,
        amended_text: str | None,
    ) -> PollView:
        async with self.acting(principal, assembly_id, "secretary") as s:
            head = await s.audit(
                "poll.open", poll_kind=kind, mode=mode, proposal_id=proposal_id, axis=axis
            )
            poll = await plenary.open_poll(
                s.session,
                s.assembly,
                kind=kind,
                mode=mode,
                proposal_id=proposal_id,
                axis=axis,
                amended_text=amended_text,
                box=self.ballot_box,
                audit_head=head,
            )
            return poll_view(poll)

    async def open_ballot_box(
        self, principal: Principal, assembly_id: uuid.UUID
    ) -> BallotBoxOpened:
        """The key ceremony: the shares are in this answer only, for the board to keep."""
        async with self.acting(principal, assembly_id, "secretary") as s:
            require_not_closed(s.assembly)
            ceremony = await self.ballot_box.open(s.session, str(s.assembly.id))
            await s.audit("ballot_box.open", fingerprint=ceremony.fingerprint)
            return BallotBoxOpened(
                fingerprint=ceremony.fingerprint,
                threshold=ceremony.threshold,
                shares=ceremony.shares,
            )

    async def restore_ballot_box(
        self, principal: Principal, assembly_id: uuid.UUID, shares: Sequence[str]
    ) -> BallotBoxState:
        async with self.acting(principal, assembly_id, "secretary") as s:
            fingerprint = await self.ballot_box.restore(s.session, str(s.assembly.id), shares)
            await s.audit("ballot_box.restore", fingerprint=fingerprint, shares=len(shares))
            return BallotBoxState(fingerprint=fingerprint, unlocked=True)

    async def ballot_box_state(self, assembly_id: uuid.UUID) -> BallotBoxState:
        async with self.reading(assembly_id) as s:
            key = str(s.assembly.id)
            return BallotBoxState(
                fingerprint=await self.ballot_box.fingerprint(s.session, key),
                unlocked=self.ballot_box.unlocked(key),
            )

    async def void_counts(
        self, principal: Principal, assembly_id: uuid.UUID, poll_id: uuid.UUID
    ) -> int:
        """Withdraw what the desk entered into an open poll (recorded in the audit log)."""
        async with self.acting(principal, assembly_id, "secretary") as s:
            poll = await plenary.poll_of(s.session, s.assembly, poll_id, lock=True)
            withdrawn = await polls.void_counts(s.session, poll)
            await s.audit("poll.counts_voided", poll_id=poll_id, withdrawn=withdrawn)
            return withdrawn

    async def polls(self, assembly_id: uuid.UUID) -> list[PollView]:
        async with self.reading(assembly_id) as s:
            return [poll_view(p) for p in await polls.list_polls(s.session, str(assembly_id))]

    async def poll(self, assembly_id: uuid.UUID, poll_id: uuid.UUID) -> PollView:
        async with self.reading(assembly_id) as s:
            return poll_view(await plenary.poll_of(s.session, s.assembly, poll_id))

    async def cast(
        self,
        principal: Principal,
        assembly_id: uuid.UUID,
        poll_id: uuid.UUID,
        ranking: Sequence[Sequence[str]],
    ) -> str:
        async with self.acting(principal, assembly_id, "participant") as s:
            return await plenary.cast(
                s.session, s.assembly, s.actor, poll_id, ranking, self.ballot_box
            )

    async def enter_counts(
        self,
        principal: Principal,
        assembly_id: uuid.UUID,
        poll_id: uuid.UUID,
        entries: Sequence[tuple[Sequence[Sequence[str]], int]],
    ) -> int:
        async with self.acting(principal, assembly_id, "secretary") as s:
            added = await plenary.enter_counts(s.session, s.assembly, poll_id, entries)
            await s.audit(
                "poll.counts", poll_id=poll_id, entries=[[r, n] for r, n in entries], added=added
            )
            return added

    async def upload_ballots(
        self,
        principal: Principal,
        assembly_id: uuid.UUID,
        poll_id: uuid.UUID,
        text: str,
        file_format: str,
    ) -> int:
        async with self.acting(principal, assembly_id, "secretary") as s:
            added = await plenary.upload(s.session, s.assembly, poll_id, text, file_format)
            await s.audit(
                "poll.ballot_file",
                poll_id=poll_id,
                format=file_format,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                added=added,
            )
            return added

    async def close_poll(
        self, principal: Principal, assembly_id: uuid.UUID, poll_id: uuid.UUID
    ) -> PollView:
        """Close a poll. One whose ballots the desk entered (counts, a ballot file) is only
        counted: its tally decides nothing until another person of the desk confirms it."""
        async with self.acting(principal, assembly_id, "secretary") as s:
            head = await s.audit("poll.close", poll_id=poll_id)
            return poll_view(
                await plenary.close(
                    s.session,
                    s.assembly,
                    poll_id,
                    self.ballot_box,
                    head,
                    counted_by=principal.id,
                )
            )

    async def confirm_polls(
        self, principal: Principal, assembly_id: uuid.UUID, poll_ids: Sequence[uuid.UUID]
    ) -> list[PollView]:
        """A second person of the desk confirms counted polls (not one they closed)."""
        async with self.acting(principal, assembly_id, "secretary") as s:
            head = await s.audit("poll.confirm", poll_ids=[str(p) for p in poll_ids])
            done = await plenary.confirm(
                s.session, s.assembly, poll_ids, principal.id, self.ballot_box, head
            )
            return [poll_view(p) for p in done]

    async def send_back(
        self, principal: Principal, assembly_id: uuid.UUID, poll_id: uuid.UUID
    ) -> PollView:
        """The counts of a counted poll are not confirmed: it is open again to correct."""
        async with self.acting(principal, assembly_id, "secretary") as s:
            await s.audit("poll.send_back", poll_id=poll_id)
            return poll_view(await plenary.send_back(s.session, s.assembly, poll_id))

    async def export(self, assembly_id: uuid.UUID, poll_id: uuid.UUID) -> str:
        async with self.reading(assembly_id) as s:
            poll = await plenary.poll_of(s.session, s.assembly, poll_id)
            return await polls.export_text(s.session, poll)

    async def decide_en_bloc(
        self,
        principal: Principal,
        assembly_id: uuid.UUID,
        decisions: Sequence[Mapping[str, Any]],
    ) -> DecidedEnBloc:
        entries = [plenary.DecisionCounts(**d) for d in decisions]
        async with self.acting(principal, assembly_id, "secretary") as s:
            await s.audit("poll.en_bloc", decisions=[msgspec.to_builtins(d) for d in decisions])
            closed = await plenary.decide_en_bloc(
                s.session, s.assembly, entries, counted_by=principal.id
            )
            return DecidedEnBloc(
                decided=sum(1 for p in closed if p.status == "closed"),
                counted=sum(1 for p in closed if p.status == "counted"),
                polls=[poll_view(p) for p in closed],
            )

    # --- motions --------------------------------------------------------------------------

    async def propose_motion(
        self, principal: Principal, assembly_id: uuid.UUID, *, kind: str, title: str, text: str
    ) -> MotionView:
        async with self.acting(principal, assembly_id, "secretary", "participant") as s:
            motion = await plenary.propose_motion(
                s.session, s.assembly, kind=kind, title=title, text=text
            )
            return motion_view(motion)

    async def motions(self, assembly_id: uuid.UUID) -> list[MotionView]:
        async with self.reading(assembly_id) as s:
            return [motion_view(m) for m in await plenary.current_motions(s.session, s.assembly)]

    async def sign_motion(
        self, principal: Principal, assembly_id: uuid.UUID, motion_id: uuid.UUID
    ) -> MotionView:
        async with self.acting(principal, assembly_id, "participant") as s:
            return motion_view(await plenary.sign_motion(s.session, s.assembly, s.actor, motion_id))

    async def vote_motion(
        self, principal: Principal, assembly_id: uuid.UUID, motion_id: uuid.UUID, mode: str
    ) -> PollView:
        async with self.acting(principal, assembly_id, "secretary") as s:
            head = await s.audit("motion.vote", motion_id=motion_id, mode=mode)
            return poll_view(
                await plenary.vote_motion(
                    s.session, s.assembly, motion_id, mode, self.ballot_box, head
                )
            )

    # --- the delegate election ------------------------------------------------------------

    async def enter_allocation(
        self,
        principal: Principal,
        assembly_id: uuid.UUID,
        *,
        seats: int,
        per_segment: dict[str, int],
    ) -> Seats:
        async with self.acting(principal, assembly_id, "secretary") as s:
            seats_map, notes = await plenary.enter_allocation(
                s.session, s.assembly, seats=seats, per_segment=per_segment
            )
            await s.audit("allocation.enter", seats=seats, per_segment=per_segment)
            return Seats(seats=seats_map, notes=notes)

    async def seats(self, assembly_id: uuid.UUID) -> Seats:
        async with self.reading(assembly_id) as s:
            seats, notes = await plenary.election_seats(s.session, s.assembly)
        return Seats(seats=seats, notes=notes)

    async def stand(
        self, principal: Principal, assembly_id: uuid.UUID, participant_id: uuid.UUID
    ) -> CandidacyView:
        async with self.acting(principal, assembly_id, "secretary", "participant") as s:
            candidacy = await plenary.stand(s.session, s.assembly, s.actor, participant_id)
            if s.actor.role != "participant":
                await s.audit("candidacy.register", participant_ids=[participant_id])
            return candidacy_view(candidacy)

    async def stand_many(
        self, principal: Principal, assembly_id: uuid.UUID, participant_ids: Sequence[uuid.UUID]
    ) -> list[CandidacyView]:
        async with self.acting(principal, assembly_id, "secretary") as s:
            rows = await plenary.stand_many(s.session, s.assembly, participant_ids)
            await s.audit("candidacy.register", participant_ids=list(participant_ids))
            return [candidacy_view(c) for c in rows]

    async def candidacies(self, assembly_id: uuid.UUID) -> list[CandidacyView]:
        async with self.reading(assembly_id) as s:
            rows = await elections.candidacies(s.session, str(assembly_id))
            return [candidacy_view(c) for c in rows]

    async def election(self, assembly_id: uuid.UUID) -> ElectionView:
        """Elected titulars and ranked alternates, with the closed election's findings (or the
        seats as they stand while no election has closed)."""
        async with self.reading(assembly_id) as s:
            rows = await elections.mandates(s.session, str(assembly_id))
            election = await elections.closed_election(s.session, str(assembly_id))
            result = polls.result_of(election) if election else None
            if result is not None and result.seats:
                seats, notes = result.seats, result.notes
            else:
                seats, notes = await plenary.election_seats(s.session, s.assembly)
            return ElectionView(
                seats=seats,
                mandates=[mandate_view(m) for m in rows],
                findings=list(result.findings) if result else [],
                notes=notes,
                complete=election.outcome == "complete" if election else None,
            )
