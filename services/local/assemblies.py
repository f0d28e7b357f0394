"""Assemblies and their participants: create (with the assembly's own signing key and secretary
token), move through draft → open → voting → closed, register and credential participants."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.local.model import Assembly, Participant
from shared.contracts.messages import KeyIntroduction
from shared.contracts.subjects import direct_subject, up_subject
from shared.core.errors import Conflict, Forbidden, Invalid, NotFound
from shared.core.participants import quota_groups_of
from shared.core.territory import municipality, uf_of
from shared.core.vocabulary import LOCAL_KINDS
from shared.features.cycles.store import rules_for
from shared.features.plenary.model import Candidacy
from shared.features.plenary.model import Mandate as PlenaryMandate
from shared.platform.bus.outbox import Outbox

MAX_BULK = 10_000
NEXT_STATUS = {"open": ("draft",), "voting": ("draft", "open")}


async def create_assembly(
    session: AsyncSession, outbox: Outbox, sender_id: str, **fields: Any
) -> Assembly:
    """Create an assembly with its own Ed25519 key (derived from the instance's, never stored)
    and stage, in the same transaction, the instance-signed introduction of that key, so the
    regional tier trusts it before any report."""
    rules = await rules_for(session, fields["cycle_id"])
    if fields["kind"] not in LOCAL_KINDS:
        raise Invalid(f"a local assembly cannot be {fields['kind']!r}")
    if uf_of(fields["territory"]) != fields["uf"]:
        # Its key is introduced, and its report sent, for that UF: receivers refuse a
        # municipality of another state there (territory-mismatch).
        raise Invalid(f"municipality {fields['territory']} is not in {fields['uf']}")
    fields["covers"] = covered(
        fields["kind"], fields["territory"], fields["uf"], fields.get("covers")
    )
    if fields.get("deadline") is None and rules.calendar.local is not None:
        fields["deadline"] = rules.calendar.local.closes
    assembly_id = uuid.uuid4()
    signer = outbox.default_signer.derive(f"{sender_id}/assembly/{assembly_id}")
    key_id = signer.key_id
    assembly = Assembly(
        id=assembly_id,
        status="draft",
        key_id=key_id,
        **fields,
    )
    session.add(assembly)
    await session.flush()
    await introduce_key(session, outbox, assembly)
    return assembly


def covered(kind: str, territory: str, uf: str, listed: Sequence[str] | None) -> list[str]:
    """The municipalities an assembly covers: for an intermunicipal conference its seat and
    every listed IBGE code, each a real municipality of ``uf`` (from the IBGE list); none for
    any other kind, which meets in one municipality."""
    codes = list(dict.fromkeys([territory, *(listed or ())]))
    if kind != "intermunicipal":
        if listed:
            raise Invalid(
                f"only an intermunicipal conference covers several municipalities, not a {kind} one"
            )
        return []
    unknown = [code for code in codes if municipality(code) is None]
    if unknown:
        raise Invalid(f"not municipalities of the IBGE list: {', '.join(unknown)}", unknown=unknown)
    elsewhere = [code for code in codes if uf_of(code) != uf]
    if elsewhere:
        raise Invalid(
            f"an intermunicipal conference covers municipalities of one state: "
            f"{', '.join(elsewhere)} not in {uf}",
            outside=elsewhere,
        )
    return codes


async def introduce_key(session: AsyncSession, outbox: Outbox, assembly: Assembly) -> None:
    """Stage the instance-signed introduction of the assembly's derived key (and remember
    which public key that was), to the stage its report will go to: the state's, or the
    national tier's when the cycle routes the assembly's kind straight there."""
    assert assembly.key_id is not None
    assembly.public_key = outbox.default_signer.derive(assembly.key_id).public_key
    introduction = KeyIntroduction(
        key_id=assembly.key_id,
        public_key=assembly.public_key,
        assembly_id=str(assembly.id),
        territory=assembly.territory,
    )
    rules = await rules_for(session, assembly.cycle_id)
    if rules.reports_to(assembly.kind) == "national":
        subject = direct_subject("key.introduced", assembly.uf)
    else:
        subject = up_subject("local", "key.introduced", assembly.uf)
    await outbox.stage(session, introduction, subject)


async def get_assembly(
    session: AsyncSession, assembly_id: uuid.UUID, *, lock: bool = False
) -> Assembly:
    assembly = await session.get(Assembly, assembly_id, with_for_update=lock)
    if assembly is None:
        raise NotFound(f"no assembly {assembly_id}")
    return assembly


async def list_assemblies(session: AsyncSession, limit: int, offset: int) -> list[Assembly]:
    rows = await session.scalars(select(Assembly).order_by(Assembly.id).limit(limit).offset(offset))
    return list(rows.all())


async def advance(session: AsyncSession, assembly: Assembly, status: str) -> Assembly:
    """Move an assembly forward in its lifecycle (never back, never past closed)."""
    if assembly.status not in NEXT_STATUS[status]:
        raise Conflict(f"an assembly in {assembly.status} cannot move to {status}")
    assembly.status = status
    await session.flush()
    return assembly


def require_not_closed(assembly: Assembly) -> None:
    if assembly.status == "closed":
        raise Conflict("the assembly is closed")


def require_voting(assembly: Assembly) -> None:
    if assembly.status != "voting":
        raise Conflict(f"the assembly is {assembly.status}; start voting first")


async def register_participant(
    session: AsyncSession, assembly: Assembly, **attributes: Any
) -> Participant:
    """Register a person with a segment of the cycle (their voting card comes separately)."""
    return (await register_participants(session, assembly, [attributes]))[0]


async def register_participants(
    session: AsyncSession,
    assembly: Assembly,
    people: Sequence[Mapping[str, Any]],
    *,
    by: str = "",
) -> list[Participant]:
    """Register people (in input order) with one executemany insert; every entry is checked
    before anything is written. Nobody gets a voting credential here: that is a voting card
    (:mod:`services.local.cards`) the desk binds to them."""
    require_not_closed(assembly)
    if len(people) > MAX_BULK:
        raise Invalid(f"at most {MAX_BULK} participants per registration")
    rules = await rules_for(session, assembly.cycle_id)
    segments = rules.segment_ids()
    for person in people:
        if person["segment"] not in segments:
            raise Invalid(f"unknown segment {person['segment']!r}; the cycle has {segments}")
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for person in people:
        attributes = dict(person)
        credential = bool(attributes.pop("credential", False))
        checked_in = credential and not late(assembly)
        rows.append(
            {
                **attributes,
                "assembly_id": assembly.id,
                "credentialed_at": now if checked_in else None,
                "awaiting_by": by if credential and not checked_in else None,
            }
        )
    created = await session.scalars(
        insert(Participant).returning(Participant, sort_by_parameter_order=True), rows
    )
    return list(created.all())


def late(assembly: Assembly) -> bool:
    """Once voting began, checking someone in or handing them a card takes a second person."""
    return assembly.status == "voting"


async def credential(
    session: AsyncSession, assembly: Assembly, participant_id: uuid.UUID, *, by: str
) -> Participant:
    """Credential a registered participant (checked in): from now on they may vote — once
    another person of the desk confirms it, if voting has begun (:func:`confirm_late`)."""
    require_not_closed(assembly)
    participant = await get_participant(session, assembly, participant_id, lock=True)
    if participant.credentialed_at is None:
        if late(assembly):
            participant.awaiting_by = by
        else:
            participant.credentialed_at = datetime.now(UTC)
    await session.flush()
    return participant


async def confirm_late(
    session: AsyncSession, assembly: Assembly, participant_id: uuid.UUID, *, by: str
) -> Participant:
    """A second person of the desk confirms a check-in or card given once voting began."""
    require_not_closed(assembly)
    participant = await get_participant(session, assembly, participant_id, lock=True)
    if participant.awaiting_by is None:
        raise Conflict("nothing about this participant awaits confirmation")
    if participant.awaiting_by == by:
        raise Forbidden("whoever checked someone in late cannot also confirm it")
    if participant.credentialed_at is None:
        participant.credentialed_at = datetime.now(UTC)
    if participant.awaiting_token_hash is not None:
        participant.token_hash = participant.awaiting_token_hash
    participant.awaiting_by = None
    participant.awaiting_token_hash = None
    await session.flush()
    return participant


#: What a participant may correct about themselves (their segment is the registration's).
SELF_DECLARED = (
    "public_name",
    "gender",
    "race_colour",
    "age_band",
    "disability",
    "lgbtqia",
    "traditional_people",
)


async def correct_participant(
    session: AsyncSession, assembly: Assembly, participant: Participant, changes: Mapping[str, Any]
) -> Participant:
    """A participant corrects what they declared about themselves (while the assembly is open:
    after the report the mandates have gone up as they were)."""
    require_not_closed(assembly)
    for name, value in changes.items():
        if name not in SELF_DECLARED:
            raise Invalid(f"{name} is not yours to change here; ask the secretary")
        setattr(participant, name, value)
    # A candidacy (and a mandate not yet reported) carries copies of the public fields.
    public = {
        "public_name": participant.public_name,
        "gender": participant.gender,
        "quota_groups": quota_groups(participant),
    }
    person = {"assembly_id": str(assembly.id), "person_id": str(participant.id)}
    await session.execute(update(Candidacy).filter_by(**person).values(**public))
    candidacies = select(Candidacy.id).filter_by(**person)
    await session.execute(
        update(PlenaryMandate).where(PlenaryMandate.candidacy_id.in_(candidacies)).values(**public)
    )
    await session.flush()
    return participant


async def get_participant(
    session: AsyncSession, assembly: Assembly, participant_id: uuid.UUID, *, lock: bool = False
) -> Participant:
    participant = await session.get(Participant, participant_id, with_for_update=lock)
    if participant is None or participant.assembly_id != assembly.id:
        raise NotFound(f"no participant {participant_id} in this assembly")
    return participant


async def list_participants(session: AsyncSession, assembly: Assembly) -> list[Participant]:
    rows = await session.scalars(
        select(Participant).where(Participant.assembly_id == assembly.id).order_by(Participant.id)
    )
    return list(rows.all())


async def credentialed_count(
    session: AsyncSession, assembly: Assembly, *, voters_only: bool = False
) -> int:
    """Participants checked in (attendance), or only those with a vote."""
    query = (
        select(func.count())
        .select_from(Participant)
        .where(Participant.assembly_id == assembly.id, Participant.credentialed_at.is_not(None))
    )
    if voters_only:
        query = query.where(Participant.voice_only.is_(False))
    return int(await session.scalar(query) or 0)


def require_a_vote(participant: Participant, action: str) -> None:
    """Voice-only guests and observers speak; they do not ``action``."""
    if participant.voice_only:
        raise Forbidden(f"a participant with voice only does not {action}")


def quota_groups(participant: Participant) -> list[str]:
    return quota_groups_of(
        race_colour=participant.race_colour,
        age_band=participant.age_band,
        disability=participant.disability,
        lgbtqia=participant.lgbtqia,
        traditional_people=participant.traditional_people,
    )


async def participant_counts(
    session: AsyncSession, assembly_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, int]]:
    """Assembly id → (participants registered, credentialed), for those that have any."""
    if not assembly_ids:
        return {}
    rows = await session.execute(
        select(Participant.assembly_id, func.count(), func.count(Participant.credentialed_at))
        .where(Participant.assembly_id.in_(assembly_ids))
        .group_by(Participant.assembly_id)
    )
    return {a: (int(n), int(c)) for a, n, c in rows}
