"""JSON views of local rows: only public fields (no token hashes, seeds or personal data
beyond what the caller's role may see)."""

from __future__ import annotations

from typing import Any

from services.local.model import Assembly, Participant, Proposal
from shared.features.plenary.model import Candidacy, Mandate, Motion, Poll


def assembly_view(a: Assembly) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "cycle_id": a.cycle_id,
        "kind": a.kind,
        "territory": a.territory,
        "uf": a.uf,
        "title": a.title,
        "status": a.status,
        "deadline": a.deadline.isoformat() if a.deadline else None,
        "participants": a.participants,
        "closed_at": a.closed_at.isoformat() if a.closed_at else None,
        "late": a.late,
        "report_id": a.report_id,
        "key_id": a.key_id,
    }


def participant_view(p: Participant) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "public_name": p.public_name,
        "segment": p.segment,
        "gender": p.gender,
        "race_colour": p.race_colour,
        "age_band": p.age_band,
        "disability": p.disability,
        "lgbtqia": p.lgbtqia,
        "traditional_people": p.traditional_people,
        "credentialed": p.credentialed_at is not None,
    }


def proposal_view(p: Proposal | dict[str, Any]) -> dict[str, Any]:
    get = p.get if isinstance(p, dict) else (lambda k: getattr(p, k))
    return {
        "id": str(get("id")),
        "assembly_id": str(get("assembly_id")),
        "axis": get("axis"),
        "competence": get("competence"),
        "title": get("title"),
        "text": get("text"),
        "status": get("status"),
        "support": get("support"),
        "version": get("version"),
        "rank": get("rank") if not isinstance(p, dict) else None,
        "possible_duplicates": get("possible_duplicates") or [],
    }


def poll_view(p: Poll) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "kind": p.kind,
        "mode": p.mode,
        "subject": p.subject,
        "title": p.title,
        "method": p.method,
        "candidates": p.candidates,
        "approvals": p.approvals,
        "status": p.status,
        "amended_text": p.amended_text,
        "outcome": p.outcome,
        "result": p.result,
        "ballots": p.ballots_total,
        "ballots_sha256": p.export_sha256,
    }


def motion_view(m: Motion) -> dict[str, Any]:
    return {
        "id": str(m.id),
        "kind": m.kind,
        "title": m.title,
        "text": m.text,
        "status": m.status,
        "signatures": m.signatures,
        "needed": m.needed,
        "poll_id": str(m.poll_id) if m.poll_id else None,
    }


def candidacy_view(c: Candidacy) -> dict[str, Any]:
    return {
        "id": str(c.id),
        "public_name": c.public_name,
        "segment": c.segment,
        "gender": c.gender,
        "quota_groups": c.quota_groups,
    }


def mandate_view(m: Mandate) -> dict[str, Any]:
    return {
        "id": str(m.id),
        "candidacy_id": str(m.candidacy_id),
        "public_name": m.public_name,
        "segment": m.segment,
        "role": m.role,
        "rank": m.rank,
        "gender": m.gender,
        "quota_groups": m.quota_groups,
    }
