"""Views of local rows: only public fields (no token hashes, seeds or personal data beyond what
the caller's role may see)."""

from __future__ import annotations

from typing import Any

import msgspec

from services.local.model import Assembly, Participant, Proposal
from shared.contracts.http.local import (
    AssemblyView,
    MotionView,
    ParticipantView,
    PossibleDuplicate,
    ProposalView,
)
from shared.features.plenary.model import Motion


def assembly_view(a: Assembly, counts: tuple[int, int] | None = None) -> AssemblyView:
    """``counts``: the participants registered and credentialed (none given: both zero)."""
    registered, credentialed = counts or (0, 0)
    return AssemblyView(
        id=str(a.id),
        cycle_id=a.cycle_id,
        kind=a.kind,
        territory=a.territory,
        uf=a.uf,
        title=a.title,
        status=a.status,
        deadline=a.deadline,
        participants=max(a.participants, credentialed),
        registered=registered,
        credentialed=credentialed,
        closed_at=a.closed_at,
        late=a.late,
        report_id=a.report_id,
        key_id=a.key_id,
        covers=list(a.covers or []),
    )


def participant_view(p: Participant) -> ParticipantView:
    return ParticipantView(
        id=str(p.id),
        public_name=p.public_name,
        segment=p.segment,
        gender=p.gender,
        race_colour=p.race_colour,
        age_band=p.age_band,
        disability=p.disability,
        lgbtqia=p.lgbtqia,
        traditional_people=p.traditional_people,
        credentialed=p.credentialed_at is not None,
        voice_only=p.voice_only,
        awaiting_confirmation=p.awaiting_by is not None,
    )


def proposal_view(p: Proposal | dict[str, Any]) -> ProposalView:
    """A stored proposal, or a row just inserted in bulk (whose rank is not set yet)."""
    row: dict[str, Any] = p if isinstance(p, dict) else {c: getattr(p, c) for c in _COLUMNS}
    return ProposalView(
        id=str(row["id"]),
        assembly_id=str(row["assembly_id"]),
        axis=row["axis"],
        competence=row["competence"],
        title=row["title"],
        text=row["text"],
        status=row["status"],
        support=row["support"],
        version=row["version"],
        rank=row.get("rank"),
        possible_duplicates=msgspec.convert(
            row.get("possible_duplicates") or [], list[PossibleDuplicate]
        ),
    )


_COLUMNS = (
    "id", "assembly_id", "axis", "competence", "title", "text", "status", "support", "version",
    "rank", "possible_duplicates",
)  # fmt: skip


def motion_view(m: Motion) -> MotionView:
    return MotionView(
        id=str(m.id),
        kind=m.kind,
        title=m.title,
        text=m.text,
        status=m.status,
        signatures=m.signatures,
        needed=m.needed,
        poll_id=str(m.poll_id) if m.poll_id else None,
    )
