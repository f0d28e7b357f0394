"""Use cases of a state or the national conference's plenary: credentialing delegates from the
mandates received, polls over the conference's items, and the election for the next tier."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from shared.contracts.http.plenary import (
    AbsenceView,
    CredentialRequest,
    CredentialView,
    Elected,
    PollView,
    Standing,
)
from shared.features.consolidation import plenary
from shared.features.consolidation.credentials import (
    Admission,
    credential,
    credential_many,
    declare_absent,
    list_credentials,
)
from shared.features.consolidation.profile import ConsolidationProfile
from shared.features.plenary.views import poll_view
from shared.platform.db.database import Database


class TierPlenary:
    def __init__(self, db: Database, profile: ConsolidationProfile) -> None:
        self.db = db
        self.profile = profile

    async def admit(self, entry: CredentialRequest) -> CredentialView:
        async with self.db.transaction() as session:
            return await credential(
                session,
                cycle_id=entry.cycle_id,
                scope=self.profile.scope(entry.uf),
                mandate_id=entry.mandate_id,
                holder=entry.holder,
            )

    async def admit_many(self, entries: Sequence[CredentialRequest]) -> list[CredentialView]:
        """A check-in list admitted in its order, all or nothing."""
        admissions = [
            Admission(
                cycle_id=e.cycle_id,
                scope=self.profile.scope(e.uf),
                mandate_id=e.mandate_id,
                holder=e.holder,
            )
            for e in entries
        ]
        async with self.db.transaction() as session:
            return await credential_many(session, admissions)

    async def absent(self, *, cycle_id: str, uf: str, mandate_id: str) -> AbsenceView:
        async with self.db.transaction() as session:
            return await declare_absent(
                session, cycle_id=cycle_id, scope=self.profile.scope(uf), mandate_id=mandate_id
            )

    async def credentials(self, *, cycle_id: str, uf: str) -> list[CredentialView]:
        async with self.db.reading() as session:
            return await list_credentials(session, cycle_id=cycle_id, scope=self.profile.scope(uf))

    async def open_poll(
        self,
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
        async with self.db.transaction() as session:
            poll = await plenary.open_poll(
                session,
                self.profile.conference(cycle_id, uf),
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
        *,
        cycle_id: str,
        uf: str,
        poll_id: uuid.UUID,
        mandate_id: str,
        ranking: Sequence[Sequence[str]],
    ) -> None:
        async with self.db.transaction() as session:
            await plenary.cast(
                session,
                self.profile.conference(cycle_id, uf),
                poll_id=poll_id,
                mandate_id=mandate_id,
                ranking=ranking,
            )

    async def record_counts(
        self,
        *,
        cycle_id: str,
        uf: str,
        poll_id: uuid.UUID,
        entries: Sequence[tuple[Sequence[Sequence[str]], int]],
    ) -> int:
        async with self.db.transaction() as session:
            return await plenary.record_counts(
                session, self.profile.conference(cycle_id, uf), poll_id=poll_id, entries=entries
            )

    async def close_poll(self, *, cycle_id: str, uf: str, poll_id: uuid.UUID) -> PollView:
        async with self.db.transaction() as session:
            poll = await plenary.close(
                session, self.profile.conference(cycle_id, uf), poll_id=poll_id
            )
            return poll_view(poll)

    async def stand(self, *, cycle_id: str, uf: str, mandate_id: str) -> Standing:
        async with self.db.transaction() as session:
            return await plenary.stand(
                session, self.profile.conference(cycle_id, uf), mandate_id=mandate_id
            )

    async def elect(self, *, cycle_id: str, uf: str, poll_id: uuid.UUID) -> Elected:
        async with self.db.transaction() as session:
            return await plenary.elect(
                session, self.profile.conference(cycle_id, uf), poll_id=poll_id
            )
