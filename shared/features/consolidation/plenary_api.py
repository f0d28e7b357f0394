"""HTTP edge of a state or the national conference's plenary."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from shared.contracts.http.plenary import (
    AbsenceRequest,
    AbsenceView,
    BallotRecorded,
    CountsAdded,
    CredentialBatch,
    CredentialRequest,
    CredentialView,
    DelegateBallot,
    Elected,
    NewTierPoll,
    PollRef,
    PollView,
    Standing,
    TierCandidacy,
    TierCounts,
)
from shared.features.consolidation.plenary_service import TierPlenary
from shared.platform.web.auth import admin_guard


class PlenaryController(Controller):
    """Credentialing delegates at this tier's plenary, from mandates received in reports."""

    path = "/api/v1/plenary"
    tags = ["plenary"]

    @post("/credentials", guards=[admin_guard], status_code=201)
    async def admit(
        self, plenary: NamedDependency[TierPlenary], data: JSONBody[CredentialRequest]
    ) -> CredentialView:
        """Admit the holder of a received mandate to this plenary."""
        return await plenary.admit(data)

    @post("/credentials/bulk", guards=[admin_guard], status_code=201)
    async def admit_many(
        self, plenary: NamedDependency[TierPlenary], data: JSONBody[CredentialBatch]
    ) -> list[CredentialView]:
        """Admit a check-in list with the single-entry rules, in its order; the first entry
        refused (named by ``entry``) refuses the whole list and nothing is written."""
        return await plenary.admit_many(data.entries)

    @post("/absences", guards=[admin_guard], status_code=201)
    async def absent(
        self, plenary: NamedDependency[TierPlenary], data: JSONBody[AbsenceRequest]
    ) -> AbsenceView:
        """Record that a titular did not come, so the next alternate may take the seat."""
        return await plenary.absent(cycle_id=data.cycle_id, uf=data.uf, mandate_id=data.mandate_id)

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

    @post("/polls", guards=[admin_guard], status_code=201)
    async def open_poll(
        self, plenary: NamedDependency[TierPlenary], data: JSONBody[NewTierPoll]
    ) -> PollView:
        """Open a decision poll on an item, a priority poll on an axis, or the election."""
        return await plenary.open_poll(
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

    @post("/polls/{poll_id:uuid}/ballots", guards=[admin_guard], status_code=201)
    async def vote(
        self,
        plenary: NamedDependency[TierPlenary],
        poll_id: FromPath[uuid.UUID],
        data: JSONBody[DelegateBallot],
    ) -> BallotRecorded:
        """A credentialed delegate's ballot, cast at the plenary's voting desk."""
        await plenary.cast(
            cycle_id=data.cycle_id,
            uf=data.uf,
            poll_id=poll_id,
            mandate_id=data.mandate_id,
            ranking=data.ranking,
        )
        return BallotRecorded()

    @post("/polls/{poll_id:uuid}/counts", guards=[admin_guard], status_code=201)
    async def counts(
        self,
        plenary: NamedDependency[TierPlenary],
        poll_id: FromPath[uuid.UUID],
        data: JSONBody[TierCounts],
    ) -> CountsAdded:
        """Counts from paper or hands, added to earlier entries."""
        added = await plenary.record_counts(
            cycle_id=data.cycle_id,
            uf=data.uf,
            poll_id=poll_id,
            entries=[(e.ranking, e.count) for e in data.entries],
        )
        return CountsAdded(ballots=added)

    @post("/polls/{poll_id:uuid}/close", guards=[admin_guard], status_code=200)
    async def close_poll(
        self,
        plenary: NamedDependency[TierPlenary],
        poll_id: FromPath[uuid.UUID],
        data: JSONBody[PollRef],
    ) -> PollView:
        """Close a poll; a decision's outcome applies to its item."""
        return await plenary.close_poll(cycle_id=data.cycle_id, uf=data.uf, poll_id=poll_id)

    @post("/candidacies", guards=[admin_guard], status_code=201)
    async def stand(
        self, plenary: NamedDependency[TierPlenary], data: JSONBody[TierCandidacy]
    ) -> Standing:
        """A credentialed delegate stands for the next tier's delegation."""
        return await plenary.stand(cycle_id=data.cycle_id, uf=data.uf, mandate_id=data.mandate_id)

    @post("/polls/{poll_id:uuid}/elect", guards=[admin_guard], status_code=200)
    async def elect(
        self,
        plenary: NamedDependency[TierPlenary],
        poll_id: FromPath[uuid.UUID],
        data: JSONBody[PollRef],
    ) -> Elected:
        """Elect the delegation within the seats allocated from above."""
        return await plenary.elect(cycle_id=data.cycle_id, uf=data.uf, poll_id=poll_id)
