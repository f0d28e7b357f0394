"""HTTP edge of a state or the national conference's plenary."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from shared.contracts.http.plenary import (
    AbsenceRequest,
    AbsenceView,
    BallotBoxOpened,
    BallotBoxState,
    BallotRecorded,
    ClaimReissue,
    ClaimReissued,
    ClaimRequest,
    CountsAdded,
    CredentialBatch,
    CredentialRequest,
    CredentialView,
    DelegateBallot,
    DeviceCredential,
    Elected,
    MemberList,
    MemberRegistered,
    MemberRequest,
    MemberView,
    NewTierPoll,
    PlenaryRef,
    PlenaryShares,
    PollRef,
    PollsConfirmed,
    PollView,
    Standing,
    TierCandidacy,
    TierCounts,
    TierDecisions,
)
from shared.core.access import Principal
from shared.features.consolidation.plenary import ItemCounts
from shared.features.consolidation.plenary_service import TierPlenary
from shared.platform.web.auth import allow, with_a_code

Caller = NamedDependency[Principal]


class PlenaryController(Controller):
    """Credentialing delegates at this tier's plenary, from mandates received in reports."""

    path = "/api/v1/plenary"
    tags = ["plenary"]

    @post("/credentials", status_code=201, **allow("commission", "convener"))
    async def admit(
        self,
        plenary: NamedDependency[TierPlenary],
        principal: Caller,
        data: JSONBody[CredentialRequest],
    ) -> CredentialView:
        """Admit the holder of a received mandate to this plenary."""
        return await plenary.admit(principal, data)

    @post("/credentials/bulk", status_code=201, **allow("commission", "convener"))
    async def admit_many(
        self,
        plenary: NamedDependency[TierPlenary],
        principal: Caller,
        data: JSONBody[CredentialBatch],
    ) -> list[CredentialView]:
        """Admit a check-in list with the single-entry rules, in its order; the first entry
        refused (named by ``entry``) refuses the whole list and nothing is written."""
        return await plenary.admit_many(principal, data.entries)

    @post("/members", status_code=201, **allow("commission", "convener"))
    async def register_member(
        self,
        plenary: NamedDependency[TierPlenary],
        principal: Caller,
        data: JSONBody[MemberRequest],
    ) -> MemberRegistered:
        """Register an ex officio member under one of the cycle's ``ex_officio`` entries of this
        stage (at most its ``seats``: 422 naming the entry beyond), who votes and counts in the
        roll; or a guest or observer, with voice only (on no roll, standing and signing for
        nothing). The answer holds the member's one-time claim code, redeemed on their own
        device at ``POST /api/v1/plenary/claims`` with ``mandate_id`` = their ``member_id``."""
        return await plenary.register_member(principal, data)

    @post("/members/{member_id:str}/revoke", status_code=200, **allow("commission", "convener"))
    async def revoke_member(
        self,
        plenary: NamedDependency[TierPlenary],
        principal: Caller,
        member_id: FromPath[str],
        data: JSONBody[PlenaryRef],
    ) -> MemberView:
        """End a member's registration: off the roll from the next poll, their device's
        credential no longer counts, and an ex officio seat is free again."""
        return await plenary.revoke_member(
            principal, cycle_id=data.cycle_id, uf=data.uf, member_id=member_id
        )

    @get("/members")
    async def members(
        self,
        plenary: NamedDependency[TierPlenary],
        cycle_id: FromQuery[str],
        uf: FromQuery[str] = "BR",
    ) -> MemberList:
        """Ex officio members, guests and observers of this plenary (public fields), with the
        counts of each and of who is on the roll."""
        return await plenary.members(cycle_id=cycle_id, uf=uf)

    @post("/absences", status_code=201, **allow("commission", "convener"))
    async def absent(
        self,
        plenary: NamedDependency[TierPlenary],
        principal: Caller,
        data: JSONBody[AbsenceRequest],
    ) -> AbsenceView:
        """Record that a titular did not come, so the next alternate may take the seat."""
        return await plenary.absent(
            principal, cycle_id=data.cycle_id, uf=data.uf, mandate_id=data.mandate_id
        )

    @post("/claims", status_code=201, **with_a_code())
    async def claim(
        self, plenary: NamedDependency[TierPlenary], data: JSONBody[ClaimRequest]
    ) -> DeviceCredential:
        """A delegate admitted at the desk redeems, on their own device, the claim code they were
        handed when elected: the answer is that device's credential (once; one device per
        mandate)."""
        return await plenary.claim(
            cycle_id=data.cycle_id,
            uf=data.uf,
            mandate_id=data.mandate_id,
            claim_code=data.claim_code,
        )

    @post("/claims/reissue", status_code=201, **allow("commission", "convener"))
    async def reissue_claim(
        self, plenary: NamedDependency[TierPlenary], principal: Caller, data: JSONBody[ClaimReissue]
    ) -> ClaimReissued:
        """The desk replaces a delegate's lost claim code (after checking who they are)."""
        return await plenary.reissue_claim(
            principal, cycle_id=data.cycle_id, uf=data.uf, mandate_id=data.mandate_id
        )

    @get("/credentials")
    async def credentials(
        self,
        plenary: NamedDependency[TierPlenary],
        cycle_id: FromQuery[str],
        uf: FromQuery[str] = "BR",
    ) -> list[CredentialView]:
        """The delegates credentialed at this plenary (public fields)."""
        return await plenary.credentials(cycle_id=cycle_id, uf=uf)


class TierPlenaryController(Controller):
    """Polls and the delegate election of this tier's plenary (the shared plenary code)."""

    path = "/api/v1/plenary"
    tags = ["plenary"]

    @post("/polls", status_code=201, **allow("commission", "convener"))
    async def open_poll(
        self, plenary: NamedDependency[TierPlenary], principal: Caller, data: JSONBody[NewTierPoll]
    ) -> PollView:
        """Open a decision poll on an item, a priority poll on an axis, or the election."""
        return await plenary.open_poll(
            principal,
            cycle_id=data.cycle_id,
            uf=data.uf,
            kind=data.kind,
            mode=data.mode,
            subject=data.subject,
            title=data.title,
            method=data.method,
            approvals=data.approvals,
            amended_text=data.amended_text,
        )

    @post("/polls/{poll_id:uuid}/ballots", status_code=201, **allow("delegate"))
    async def vote(
        self,
        plenary: NamedDependency[TierPlenary],
        principal: Caller,
        poll_id: FromPath[uuid.UUID],
        data: JSONBody[DelegateBallot],
    ) -> BallotRecorded:
        """A delegate's own ballot (one per poll), from the credential their device holds."""
        receipt = await plenary.cast(
            principal,
            cycle_id=data.cycle_id,
            uf=data.uf,
            poll_id=poll_id,
            ranking=data.ranking,
        )
        return BallotRecorded(receipt=receipt)

    @post("/ballot-box", status_code=201, **allow("commission", "convener"))
    async def open_ballot_box(
        self, plenary: NamedDependency[TierPlenary], principal: Caller, data: JSONBody[PlenaryRef]
    ) -> BallotBoxOpened:
        """The key ceremony, before the first electronic poll: the ballot box key's private
        half stays in this service's memory; its three shares (any two restore it) are in
        this answer only, one for each member of the presiding board."""
        return await plenary.open_ballot_box(principal, cycle_id=data.cycle_id, uf=data.uf)

    @post("/ballot-box/shares", status_code=201, **allow("commission", "convener"))
    async def restore_ballot_box(
        self,
        plenary: NamedDependency[TierPlenary],
        principal: Caller,
        data: JSONBody[PlenaryShares],
    ) -> BallotBoxState:
        """After a restart, two members of the board enter their shares (key rebuilt in
        memory, never written)."""
        return await plenary.restore_ballot_box(
            principal, cycle_id=data.cycle_id, uf=data.uf, shares=data.shares
        )

    @post("/polls/{poll_id:uuid}/counts", status_code=201, **allow("commission", "convener"))
    async def counts(
        self,
        plenary: NamedDependency[TierPlenary],
        principal: Caller,
        poll_id: FromPath[uuid.UUID],
        data: JSONBody[TierCounts],
    ) -> CountsAdded:
        """Counts from paper or hands, added to earlier entries."""
        added = await plenary.record_counts(
            principal,
            cycle_id=data.cycle_id,
            uf=data.uf,
            poll_id=poll_id,
            entries=[(e.ranking, e.count) for e in data.entries],
        )
        return CountsAdded(ballots=added)

    @post("/decisions", status_code=201, **allow("commission", "convener"))
    async def decide_en_bloc(
        self,
        plenary: NamedDependency[TierPlenary],
        principal: Caller,
        data: JSONBody[TierDecisions],
    ) -> list[PollView]:
        """A block vote counted from paper: each item of the bloc (the *destaques* left out,
        voted one by one) gets its decision poll, counted at once with its counts; all are
        checked first (an item twice, inactive, of another conference or already being voted:
        nothing written). They wait ``counted`` until another person of the desk confirms them
        (``POST …/polls/confirm``), like any counts the desk types."""
        return await plenary.decide_en_bloc(
            principal,
            cycle_id=data.cycle_id,
            uf=data.uf,
            decisions=[
                ItemCounts(item_id=d.item_id, yes=d.yes, no=d.no, abstain=d.abstain)
                for d in data.decisions
            ],
        )

    @post("/polls/{poll_id:uuid}/close", status_code=200, **allow("commission", "convener"))
    async def close_poll(
        self,
        plenary: NamedDependency[TierPlenary],
        principal: Caller,
        poll_id: FromPath[uuid.UUID],
        data: JSONBody[PollRef],
    ) -> PollView:
        """Close a poll; a decision's outcome applies to its item. A poll whose ballots the desk
        entered is only ``counted``: another person of the desk confirms it
        (``POST …/polls/confirm``) before it decides anything."""
        return await plenary.close_poll(
            principal, cycle_id=data.cycle_id, uf=data.uf, poll_id=poll_id
        )

    @post("/polls/confirm", status_code=200, **allow("commission", "convener"))
    async def confirm_polls(
        self,
        plenary: NamedDependency[TierPlenary],
        principal: Caller,
        data: JSONBody[PollsConfirmed],
    ) -> list[PollView]:
        """Confirm counted polls (not by whoever closed them): each closes and applies."""
        return await plenary.confirm_polls(
            principal, cycle_id=data.cycle_id, uf=data.uf, poll_ids=data.poll_ids
        )

    @post("/polls/{poll_id:uuid}/send-back", status_code=200, **allow("commission", "convener"))
    async def send_back(
        self,
        plenary: NamedDependency[TierPlenary],
        principal: Caller,
        poll_id: FromPath[uuid.UUID],
        data: JSONBody[PollRef],
    ) -> PollView:
        """A counted poll is not confirmed: open again, its entries kept, to be corrected."""
        return await plenary.send_back(
            principal, cycle_id=data.cycle_id, uf=data.uf, poll_id=poll_id
        )

    @post("/candidacies", status_code=201, **allow("delegate", "commission", "convener"))
    async def stand(
        self,
        plenary: NamedDependency[TierPlenary],
        principal: Caller,
        data: JSONBody[TierCandidacy],
    ) -> Standing:
        """A credentialed delegate stands for the next tier's delegation."""
        return await plenary.stand(
            principal, cycle_id=data.cycle_id, uf=data.uf, mandate_id=data.mandate_id
        )

    @post("/polls/{poll_id:uuid}/elect", status_code=200, **allow("commission", "convener"))
    async def elect(
        self,
        plenary: NamedDependency[TierPlenary],
        principal: Caller,
        poll_id: FromPath[uuid.UUID],
        data: JSONBody[PollRef],
    ) -> Elected:
        """Elect the delegation within the seats allocated from above."""
        return await plenary.elect(principal, cycle_id=data.cycle_id, uf=data.uf, poll_id=poll_id)
