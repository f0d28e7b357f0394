"""Use cases of a state or the national conference's plenary: credentialing delegates from the
mandates received, polls over the conference's items, and the election for the next tier.

The desk (the commission; at a state conference also its convener) admits delegates, runs the
polls and enters counts; a delegate votes and stands only through the credential their own
device holds for their own mandate.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.plenary import (
    AbsenceView,
    BallotBoxOpened,
    BallotBoxState,
    CandidacyView,
    ClaimReissued,
    CredentialRequest,
    CredentialView,
    DeviceCredential,
    Elected,
    MandateView,
    MemberList,
    MemberRegistered,
    MemberRequest,
    MemberView,
    PollView,
    Standing,
)
from shared.core.access import Principal, Role
from shared.core.cycle import Priority
from shared.core.errors import Forbidden, Invalid
from shared.features.consolidation import members, plenary
from shared.features.consolidation.credentials import (
    Admission,
    credential,
    credential_many,
    declare_absent,
    list_credentials,
    redeem_claim,
    reissue_claim,
)
from shared.features.consolidation.plenary import ItemCounts
from shared.features.consolidation.profile import ConsolidationProfile
from shared.features.cycles.store import rules_for
from shared.features.plenary import audit, elections, polls
from shared.features.plenary.ballot_box import BallotBox
from shared.features.plenary.views import candidacy_view, mandate_view, poll_view
from shared.platform.bus.signing import Signer
from shared.platform.db.database import Database

#: Who presides the plenary's desk.
DESK: tuple[Role, ...] = ("commission", "convener")


@dataclass(frozen=True, slots=True)
class PlenaryBoard:
    """What the plenary's desk, its projector and a delegate's phone show: public fields only
    (no holder's document, no claim code, no ballot)."""

    #: The ballot box key's fingerprint (None before the key ceremony), and whether this
    #: process holds its private half (closing an electronic poll needs it).
    fingerprint: str | None
    unlocked: bool
    polls: list[PollView]
    #: Open poll id → ballots held so far (its turnout).
    held: dict[str, int]
    credentials: list[CredentialView]
    candidacies: list[CandidacyView]
    #: Mandate id → its candidacy id, for those who stand.
    standing: dict[str, str]
    delegation: list[MandateView]
    priority: Priority


class TierPlenary:
    def __init__(self, db: Database, profile: ConsolidationProfile, signer: Signer) -> None:
        self.db = db
        self.profile = profile
        #: This process's ballot box keys (private halves in memory only).
        self.ballot_box = BallotBox(signer)

    async def _audit(
        self, session: AsyncSession, principal: Principal, key: str, kind: str, **payload: Any
    ) -> str:
        actor = f"{principal.kind}:{principal.id}"
        return str(await audit.record(session, key, actor=actor, kind=kind, **payload))

    async def open_ballot_box(
        self, principal: Principal, *, cycle_id: str, uf: str
    ) -> BallotBoxOpened:
        """The key ceremony of this plenary: the shares are in this answer only."""
        self._desk(principal, uf)
        key = self.profile.conference(cycle_id, uf).key
        async with self.db.transaction() as session:
            ceremony = await self.ballot_box.open(session, key)
            await self._audit(
                session, principal, key, "ballot_box.open", fingerprint=ceremony.fingerprint
            )
            return BallotBoxOpened(
                fingerprint=ceremony.fingerprint,
                threshold=ceremony.threshold,
                shares=ceremony.shares,
            )

    async def restore_ballot_box(
        self, principal: Principal, *, cycle_id: str, uf: str, shares: Sequence[str]
    ) -> BallotBoxState:
        self._desk(principal, uf)
        key = self.profile.conference(cycle_id, uf).key
        async with self.db.transaction() as session:
            fingerprint = await self.ballot_box.restore(session, key, shares)
            await self._audit(session, principal, key, "ballot_box.restore", shares=len(shares))
            return BallotBoxState(fingerprint=fingerprint, unlocked=True)

    async def board(self, *, cycle_id: str, uf: str) -> PlenaryBoard:
        """The plenary as it stands: the ballot box, its polls with their turnout, who is
        credentialed, who stands and who was elected."""
        conference = self.profile.conference(cycle_id, uf)
        key = conference.key
        async with self.db.reading() as session:
            rows = [poll_view(p) for p in await polls.list_polls(session, key)]
            standing = await elections.candidacies(session, key)
            return PlenaryBoard(
                fingerprint=await self.ballot_box.fingerprint(session, key),
                unlocked=self.ballot_box.unlocked(key),
                polls=rows,
                held=await polls.ballots_held(session, [p.id for p in rows if p.status == "open"]),
                credentials=await list_credentials(
                    session, cycle_id=cycle_id, scope=self.profile.scope(uf)
                ),
                candidacies=[candidacy_view(c) for c in standing],
                standing={c.person_id: str(c.id) for c in standing},
                delegation=[mandate_view(m) for m in await elections.mandates(session, key)],
                priority=(await rules_for(session, cycle_id)).priority,
            )

    def require_desk(self, principal: Principal, uf: str) -> None:
        """Refuse (401/403) anyone but this plenary's desk: the desk's pages show what only
        the desk acts on."""
        self._desk(principal, uf)

    def _desk(self, principal: Principal, uf: str) -> str:
        scope = self.profile.scope(uf)
        principal.require(*DESK, territory=scope)
        return scope

    async def admit(self, principal: Principal, entry: CredentialRequest) -> CredentialView:
        scope = self._desk(principal, entry.uf)
        key = self.profile.conference(entry.cycle_id, entry.uf).key
        async with self.db.transaction() as session:
            admitted = await credential(
                session,
                cycle_id=entry.cycle_id,
                scope=scope,
                mandate_id=entry.mandate_id,
                holder=entry.holder,
            )
            await self._audit(
                session, principal, key, "delegate.admit", mandate_ids=[entry.mandate_id]
            )
            return admitted

    async def admit_many(
        self, principal: Principal, entries: Sequence[CredentialRequest]
    ) -> list[CredentialView]:
        """A check-in list admitted in its order, all or nothing."""
        admissions = [
            Admission(
                cycle_id=e.cycle_id,
                scope=self._desk(principal, e.uf),
                mandate_id=e.mandate_id,
                holder=e.holder,
            )
            for e in entries
        ]
        by_plenary: dict[str, list[str]] = {}
        for e in entries:
            key = self.profile.conference(e.cycle_id, e.uf).key
            by_plenary.setdefault(key, []).append(e.mandate_id)
        async with self.db.transaction() as session:
            admitted = await credential_many(session, admissions)
            for key, mandate_ids in sorted(by_plenary.items()):
                await self._audit(
                    session, principal, key, "delegate.admit", mandate_ids=mandate_ids
                )
            return admitted

    async def register_member(self, principal: Principal, entry: MemberRequest) -> MemberRegistered:
        """An ex officio member (within their entry's seats), a guest or an observer, admitted
        by the desk of this plenary; the answer holds their one-time claim code."""
        scope = self._desk(principal, entry.uf)
        key = self.profile.conference(entry.cycle_id, entry.uf).key
        async with self.db.transaction() as session:
            view, code = await members.register(
                session,
                await rules_for(session, entry.cycle_id),
                members.stage_of(self.profile.nationwide),
                members.Registration(
                    cycle_id=entry.cycle_id,
                    scope=scope,
                    category=entry.category,
                    public_name=entry.public_name,
                    holder=entry.holder,
                    entry=entry.entry,
                    segment=entry.segment,
                    gender=entry.gender,
                    quota_groups=tuple(entry.quota_groups),
                ),
            )
            await self._audit(
                session,
                principal,
                key,
                "member.register",
                member_id=view.member_id,
                category=view.category,
                entry=view.entry,
            )
            return MemberRegistered(member=view, claim_code=code)

    async def revoke_member(
        self, principal: Principal, *, cycle_id: str, uf: str, member_id: str
    ) -> MemberView:
        scope = self._desk(principal, uf)
        key = self.profile.conference(cycle_id, uf).key
        async with self.db.transaction() as session:
            found = await members.revoke(
                session, cycle_id=cycle_id, scope=scope, member_id=member_id
            )
            await self._audit(session, principal, key, "member.revoke", member_id=member_id)
            return members.member_view(found, eligible=False)

    async def members(self, *, cycle_id: str, uf: str) -> MemberList:
        scope = self.profile.scope(uf)
        async with self.db.reading() as session:
            return await members.list_members(
                session,
                await rules_for(session, cycle_id),
                members.stage_of(self.profile.nationwide),
                cycle_id=cycle_id,
                scope=scope,
            )

    async def absent(
        self, principal: Principal, *, cycle_id: str, uf: str, mandate_id: str
    ) -> AbsenceView:
        scope = self._desk(principal, uf)
        key = self.profile.conference(cycle_id, uf).key
        async with self.db.transaction() as session:
            absence = await declare_absent(
                session, cycle_id=cycle_id, scope=scope, mandate_id=mandate_id
            )
            await self._audit(session, principal, key, "delegate.absent", mandate_id=mandate_id)
            return absence

    async def claim(
        self, *, cycle_id: str, uf: str, mandate_id: str, claim_code: str
    ) -> DeviceCredential:
        async with self.db.transaction() as session:
            token = await redeem_claim(
                session,
                cycle_id=cycle_id,
                scope=self.profile.scope(uf),
                mandate_id=mandate_id,
                code=claim_code,
            )
        return DeviceCredential(mandate_id=mandate_id, token=token)

    async def reissue_claim(
        self, principal: Principal, *, cycle_id: str, uf: str, mandate_id: str
    ) -> ClaimReissued:
        scope = self._desk(principal, uf)
        async with self.db.transaction() as session:
            code = await reissue_claim(
                session, cycle_id=cycle_id, scope=scope, mandate_id=mandate_id
            )
            await self._audit(
                session,
                principal,
                self.profile.conference(cycle_id, uf).key,
                "claim.reissue",
                mandate_id=mandate_id,
            )
        return ClaimReissued(mandate_id=mandate_id, claim_code=code)

    async def credentials(self, *, cycle_id: str, uf: str) -> list[CredentialView]:
        async with self.db.reading() as session:
            return await list_credentials(session, cycle_id=cycle_id, scope=self.profile.scope(uf))

    async def open_poll(
        self,
        principal: Principal,
        *,
        cycle_id: str,
        uf: str,
        kind: str,
        mode: str,
        subject: str,
        title: str,
        method: str,
        approvals: int,
        amended_text: str | None,
    ) -> PollView:
        self._desk(principal, uf)
        conference = self.profile.conference(cycle_id, uf)
        async with self.db.transaction() as session:
            head = await self._audit(
                session, principal, conference.key, "poll.open", poll_kind=kind, subject=subject
            )
            poll = await plenary.open_poll(
                session,
                conference,
                box=self.ballot_box,
                audit_head=head,
                kind=kind,
                mode=mode,
                subject=subject,
                title=title,
                method=method,
                approvals=approvals,
                amended_text=amended_text,
            )
            return poll_view(poll)

    async def cast(
        self,
        principal: Principal,
        *,
        cycle_id: str,
        uf: str,
        poll_id: uuid.UUID,
        ranking: Sequence[Sequence[str]],
    ) -> str:
        """A delegate's own ballot, for the mandate their device's credential holds."""
        conference = self.profile.conference(cycle_id, uf)
        grant = principal.require("delegate", territory=conference.uf)
        async with self.db.transaction() as session:
            return await plenary.cast(
                session,
                conference,
                poll_id=poll_id,
                mandate_id=grant.mandate_id,
                ranking=ranking,
                box=self.ballot_box,
            )

    async def record_counts(
        self,
        principal: Principal,
        *,
        cycle_id: str,
        uf: str,
        poll_id: uuid.UUID,
        entries: Sequence[tuple[Sequence[Sequence[str]], int]],
    ) -> int:
        self._desk(principal, uf)
        conference = self.profile.conference(cycle_id, uf)
        async with self.db.transaction() as session:
            added = await plenary.record_counts(
                session, conference, poll_id=poll_id, entries=entries
            )
            await self._audit(
                session,
                principal,
                conference.key,
                "poll.counts",
                poll_id=poll_id,
                entries=[[r, n] for r, n in entries],
                added=added,
            )
            return added

    async def close_poll(
        self, principal: Principal, *, cycle_id: str, uf: str, poll_id: uuid.UUID
    ) -> PollView:
        self._desk(principal, uf)
        conference = self.profile.conference(cycle_id, uf)
        async with self.db.transaction() as session:
            head = await self._audit(
                session, principal, conference.key, "poll.close", poll_id=poll_id
            )
            poll = await plenary.close(
                session,
                conference,
                poll_id=poll_id,
                box=self.ballot_box,
                audit_head=head,
                counted_by=principal.id,
            )
            return poll_view(poll)

    async def decide_en_bloc(
        self, principal: Principal, *, cycle_id: str, uf: str, decisions: Sequence[ItemCounts]
    ) -> list[PollView]:
        """A block vote's counts, each item its own decision poll waiting for another person
        of the desk to confirm it (:meth:`confirm_polls`), like counts typed one by one."""
        self._desk(principal, uf)
        conference = self.profile.conference(cycle_id, uf)
        async with self.db.transaction() as session:
            counted = await plenary.decide_en_bloc(
                session, conference, decisions, counted_by=principal.id
            )
            await self._audit(
                session,
                principal,
                conference.key,
                "poll.bloc",
                poll_ids=[str(p.id) for p in counted],
                entries=[[d.item_id, d.yes, d.no, d.abstain] for d in decisions],
            )
            return [poll_view(p) for p in counted]

    async def confirm_polls(
        self, principal: Principal, *, cycle_id: str, uf: str, poll_ids: Sequence[uuid.UUID]
    ) -> list[PollView]:
        """Another person of the desk — not who closed them — confirms counted polls."""
        self._desk(principal, uf)
        conference = self.profile.conference(cycle_id, uf)
        async with self.db.transaction() as session:
            head = await self._audit(
                session,
                principal,
                conference.key,
                "poll.confirm",
                poll_ids=[str(p) for p in poll_ids],
            )
            done = await plenary.confirm(
                session,
                conference,
                poll_ids=poll_ids,
                by=principal.id,
                box=self.ballot_box,
                audit_head=head,
            )
            return [poll_view(p) for p in done]

    async def send_back(
        self, principal: Principal, *, cycle_id: str, uf: str, poll_id: uuid.UUID
    ) -> PollView:
        self._desk(principal, uf)
        conference = self.profile.conference(cycle_id, uf)
        async with self.db.transaction() as session:
            await self._audit(session, principal, conference.key, "poll.send_back", poll_id=poll_id)
            return poll_view(await plenary.send_back(session, conference, poll_id=poll_id))

    async def stand(
        self, principal: Principal, *, cycle_id: str, uf: str, mandate_id: str | None
    ) -> Standing:
        """A delegate stands themselves; the desk may register a credentialed delegate."""
        conference = self.profile.conference(cycle_id, uf)
        if principal.kind == "delegate":
            own = principal.require("delegate", territory=conference.uf).mandate_id
            if mandate_id not in (None, own):
                raise Forbidden("a delegate stands only for their own mandate")
            mandate_id = own
        else:
            self._desk(principal, uf)
            if mandate_id is None:
                raise Invalid("say which credentialed delegate stands (mandate_id)")
        async with self.db.transaction() as session:
            return await plenary.stand(session, conference, mandate_id=mandate_id)

    async def elect(
        self, principal: Principal, *, cycle_id: str, uf: str, poll_id: uuid.UUID
    ) -> Elected:
        self._desk(principal, uf)
        async with self.db.transaction() as session:
            return await plenary.elect(
                session, self.profile.conference(cycle_id, uf), poll_id=poll_id
            )
