"""The one view of each plenary row, for every tier."""

from __future__ import annotations

import msgspec

from shared.contracts.http.plenary import CandidacyView, MandateView, PollView, SignedRecord
from shared.features.plenary.model import Candidacy, Mandate, Poll
from shared.features.plenary.polls import result_of


def poll_view(p: Poll) -> PollView:
    return PollView(
        id=str(p.id),
        kind=p.kind,
        mode=p.mode,
        subject=p.subject,
        title=p.title,
        method=p.method,
        candidates=list(p.candidates),
        approvals=p.approvals,
        status=p.status,
        amended_text=p.amended_text,
        outcome=p.outcome,
        result=result_of(p),
        ballots=p.ballots_total,
        ballots_sha256=p.export_sha256,
        electorate=p.electorate,
        roll_sha256=p.roll_sha256,
        key_fingerprint=p.key_fingerprint,
        opening=msgspec.convert(p.opening, SignedRecord) if p.opening else None,
        closing=msgspec.convert(p.closing, SignedRecord) if p.closing else None,
    )


def candidacy_view(c: Candidacy) -> CandidacyView:
    return CandidacyView(
        id=str(c.id),
        public_name=c.public_name,
        segment=c.segment,
        gender=c.gender,
        quota_groups=list(c.quota_groups),
    )


def mandate_view(m: Mandate) -> MandateView:
    return MandateView(
        id=str(m.id),
        candidacy_id=str(m.candidacy_id) if m.candidacy_id else "",
        public_name=m.public_name,
        segment=m.segment,
        role=m.role,
        rank=m.rank,
        gender=m.gender,
        quota_groups=list(m.quota_groups),
        selection=m.selection,
        probability=m.probability,
    )
