"""Who a state or the national plenary admits without a mandate from below.

- **Ex officio members** (*membros natos*, e.g. CNAS's 36 council members at the national
  conference): registered by the desk under one of the cycle's ``[[seats.<stage>.ex_officio]]``
  entries of this plenary's stage, at most the entry's ``seats``. They claim a device credential
  like a delegate, vote, and count in the roll and quorum; they stand for the next stage's
  delegation only when their entry says ``eligible = true`` (default: not — a member by office
  carries no mandate from below).
- **Guests and observers** (*convidados*, *observadores*): voice only, as at the local tier
  (``voice_only``): on no roll, voting, standing and signing for nothing. Their device
  credential identifies them and grants no role.

A person (``holder``) is admitted once per plenary, as a delegate or a member, not both, while
the registration stands; a revoked registration is kept (with its audit events) and does not stop
the person being registered again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.plenary import MemberCounts, MemberList, MemberView
from shared.core.access import Grant, Principal
from shared.core.cycle import CycleRules, ExOfficio
from shared.core.errors import Conflict, Invalid, NotFound
from shared.core.participants import QUOTA_GROUPS
from shared.features.consolidation.model import Credential, PlenaryMember
from shared.platform.secrets import code_digest, new_code

log = structlog.get_logger(__name__)

EX_OFFICIO = "ex_officio"
VOICE_ONLY = frozenset({"guest", "observer"})


def stage_of(nationwide: bool) -> str:
    """The cycle's ``[seats.<stage>]`` whose ex officio members sit at this plenary."""
    return "national" if nationwide else "state"


def _entry(rules: CycleRules, stage: str, entry_id: str) -> ExOfficio:
    entries = rules.stage_seats(stage).ex_officio
    for entry in entries:
        if entry.id == entry_id:
            return entry
    known = ", ".join(e.id for e in entries) or "none"
    raise Invalid(
        f"no ex officio entry {entry_id!r} in seats.{stage} of {rules.cycle_id} (entries: {known})",
        entry=entry_id,
    )


@dataclass(frozen=True, slots=True)
class Registration:
    cycle_id: str
    scope: str
    category: str
    public_name: str
    holder: str
    entry: str = ""
    segment: str = ""
    gender: str = ""
    quota_groups: tuple[str, ...] = ()


async def register(
    session: AsyncSession, rules: CycleRules, stage: str, reg: Registration
) -> tuple[MemberView, str]:
    """Admit a member; returns their view and the one-time claim code for their device."""
    if not reg.holder.strip():
        raise Invalid("say who is registered (holder)")
    unknown = sorted(set(reg.quota_groups) - set(QUOTA_GROUPS))
    if unknown:
        raise Invalid(
            f"unknown quota groups {', '.join(unknown)}; known: {', '.join(QUOTA_GROUPS)}",
            quota_groups=unknown,
        )
    # One registration at a time per plenary, so an entry's seats cannot be overrun.
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"plenary-member:{reg.cycle_id}:{reg.scope}"},
    )
    segment = reg.segment
    eligible = False
    if reg.category == EX_OFFICIO:
        entry = _entry(rules, stage, reg.entry)
        if reg.segment and entry.segment and reg.segment != entry.segment:
            raise Invalid(f"entry {entry.id!r} seats members of segment {entry.segment!r}")
        segment = entry.segment or reg.segment
        eligible = entry.eligible
        seated = await session.scalar(
            select(func.count()).where(
                PlenaryMember.cycle_id == reg.cycle_id,
                PlenaryMember.uf == reg.scope,
                PlenaryMember.category == EX_OFFICIO,
                PlenaryMember.entry == entry.id,
                PlenaryMember.revoked_at.is_(None),
            )
        )
        if (seated or 0) >= entry.seats:
            raise Invalid(
                f"ex officio entry {entry.id!r} ({entry.title_pt}) has {entry.seats} seats, "
                "all taken",
                entry=entry.id,
                seats=entry.seats,
            )
    elif reg.entry:
        raise Invalid(f"a {reg.category} is registered under no ex officio entry")
    await _holder_free(session, reg.cycle_id, reg.scope, reg.holder)
    code = new_code()
    member = PlenaryMember(
        cycle_id=reg.cycle_id,
        uf=reg.scope,
        category=reg.category,
        entry=reg.entry if reg.category == EX_OFFICIO else "",
        public_name=reg.public_name,
        segment=segment,
        gender=reg.gender,
        quota_groups=sorted(set(reg.quota_groups)),
        holder=reg.holder,
        claim_sha256=code_digest(code),
    )
    session.add(member)
    await session.flush()
    log.info("plenary.member_registered", member=str(member.id), category=reg.category)
    return member_view(member, eligible=eligible), code


async def _holder_free(session: AsyncSession, cycle_id: str, scope: str, holder: str) -> None:
    delegate = await session.scalar(
        select(Credential.mandate_id).where(
            Credential.cycle_id == cycle_id,
            Credential.uf == scope,
            Credential.holder == holder,
            Credential.revoked_at.is_(None),
        )
    )
    if delegate is not None:
        raise Conflict("this person already holds a mandate here", mandate_id=delegate)
    member = await session.scalar(
        select(PlenaryMember.id).where(
            PlenaryMember.cycle_id == cycle_id,
            PlenaryMember.uf == scope,
            PlenaryMember.holder == holder,
            PlenaryMember.revoked_at.is_(None),
        )
    )
    if member is not None:
        raise Conflict("this person is already registered here", member_id=str(member))


def member_view(member: PlenaryMember, *, eligible: bool) -> MemberView:
    return MemberView(
        member_id=str(member.id),
        category=member.category,  # type: ignore[arg-type]
        public_name=member.public_name,
        entry=member.entry,
        segment=member.segment,
        gender=member.gender,
        quota_groups=list(member.quota_groups or []),
        votes=member.category == EX_OFFICIO,
        eligible=eligible,
        registered_at=member.created_at,
    )


def eligible(rules: CycleRules, stage: str, member: PlenaryMember) -> bool:
    if member.category != EX_OFFICIO:
        return False
    return any(e.id == member.entry and e.eligible for e in rules.stage_seats(stage).ex_officio)


async def list_members(
    session: AsyncSession, rules: CycleRules, stage: str, *, cycle_id: str, scope: str
) -> MemberList:
    rows = (
        await session.scalars(
            select(PlenaryMember)
            .where(
                PlenaryMember.cycle_id == cycle_id,
                PlenaryMember.uf == scope,
                PlenaryMember.revoked_at.is_(None),
            )
            .order_by(PlenaryMember.category, PlenaryMember.entry, PlenaryMember.id)
        )
    ).all()
    views = {
        category: [
            member_view(m, eligible=eligible(rules, stage, m))
            for m in rows
            if m.category == category
        ]
        for category in (EX_OFFICIO, "guest", "observer")
    }
    delegates = int(
        await session.scalar(
            select(func.count()).where(
                Credential.cycle_id == cycle_id,
                Credential.uf == scope,
                Credential.revoked_at.is_(None),
            )
        )
        or 0
    )
    return MemberList(
        ex_officio=views[EX_OFFICIO],
        guests=views["guest"],
        observers=views["observer"],
        counts=MemberCounts(
            delegates=delegates,
            ex_officio=len(views[EX_OFFICIO]),
            guests=len(views["guest"]),
            observers=len(views["observer"]),
            voters=delegates + len(views[EX_OFFICIO]),
        ),
    )


async def ex_officio_people(
    session: AsyncSession, *, cycle_id: str, scope: str
) -> list[tuple[str, str, list[str]]]:
    """``(segment, gender, quota groups)`` of each ex officio member registered here (and not
    revoked): what the equity tables count of them."""
    rows = await session.execute(
        select(PlenaryMember.segment, PlenaryMember.gender, PlenaryMember.quota_groups).where(
            PlenaryMember.cycle_id == cycle_id,
            PlenaryMember.uf == scope,
            PlenaryMember.category == EX_OFFICIO,
            PlenaryMember.revoked_at.is_(None),
        )
    )
    return [(segment, gender, list(groups or [])) for segment, gender, groups in rows]


async def ex_officio_voters(session: AsyncSession, *, cycle_id: str, scope: str) -> list[str]:
    """The ex officio members registered (and not revoked): on the roll beside the delegates."""
    return [
        str(i)
        for i in await session.scalars(
            select(PlenaryMember.id).where(
                PlenaryMember.cycle_id == cycle_id,
                PlenaryMember.uf == scope,
                PlenaryMember.category == EX_OFFICIO,
                PlenaryMember.revoked_at.is_(None),
            )
        )
    ]


async def member(
    session: AsyncSession, *, cycle_id: str, scope: str, member_id: str, lock: bool = False
) -> PlenaryMember | None:
    """The member of this plenary with ``member_id`` (None when the id names no member)."""
    try:
        key = uuid.UUID(member_id)
    except ValueError:
        return None
    found = await session.get(PlenaryMember, key, with_for_update=lock)
    if found is None or found.cycle_id != cycle_id or found.uf != scope:
        return None
    if found.revoked_at is not None:
        return None
    return found


async def revoke(
    session: AsyncSession, *, cycle_id: str, scope: str, member_id: str
) -> PlenaryMember:
    """End a registration: off the roll, their device's credential no longer counts, and an ex
    officio seat is free again. The row stays, revoked, as the audit trail; the same person may
    be registered again (a new member id and claim code) or admitted with a mandate."""
    found = await member(session, cycle_id=cycle_id, scope=scope, member_id=member_id, lock=True)
    if found is None:
        raise NotFound(f"no member {member_id} registered at this plenary")
    found.revoked_at = datetime.now(UTC)
    found.device_token_sha256 = None
    await session.flush()
    log.info("plenary.member_revoked", member=member_id, category=found.category)
    return found


def require_a_vote(found: PlenaryMember, action: str) -> None:
    """Guests and observers speak; they do not ``action``."""
    if found.category in VOICE_ONLY:
        raise Conflict(
            f"{found.public_name} is a {found.category}, with voice only, and does not {action}"
        )


def bind_device(found: PlenaryMember, token_digest: str) -> None:
    if found.claimed_at is not None:
        raise Conflict("this member's credential is already bound to a device")
    found.device_token_sha256 = token_digest
    found.claimed_at = datetime.now(UTC)


async def member_principal(session: AsyncSession, token_digest: str) -> Principal | None:
    """Whom a member's device credential belongs to: an ex officio member votes as a delegate
    does, for their own member id, at their own plenary; a guest or observer holds no role."""
    found = await session.scalar(
        select(PlenaryMember).where(
            PlenaryMember.device_token_sha256 == token_digest,
            PlenaryMember.revoked_at.is_(None),
        )
    )
    if found is None:
        return None
    member_id = str(found.id)
    details = {"category": found.category}
    if found.category != EX_OFFICIO:
        return Principal(kind="guest", id=member_id, name=found.public_name, details=details)
    return Principal(
        kind="delegate",
        id=member_id,
        name=found.public_name,
        grants=(Grant("delegate", territory=found.uf, mandate_id=member_id),),
        details=details,
    )
