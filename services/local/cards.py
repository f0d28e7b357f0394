"""Voting cards: how a participant's voting credential reaches them without passing through the
desk.

A card is a credential (the badge code, an 80-bit bearer secret people can type) and a pairing
number (eight digits, not a secret). It is made in one of two places, and its code is shown only
there:

- on the participant's own phone, which asks for a card without signing in and shows its
  pairing number; the card lapses unless the desk binds it within ``device_card_minutes``;
- on a printed sheet of badges, made by an organiser before the assembly — the pairing number
  outside, the code and its QR inside the fold. Whoever printed a card may not hand it out.

The desk binds a card to a registered participant by the pairing number, which checks them in;
binding another card later replaces the credential (a lost badge), and revoking leaves them
without one. The secretary thus never holds a credential: to vote in someone's place they would
need the code on the person's phone or inside their badge.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.local.assemblies import get_participant, late, require_not_closed
from services.local.model import Assembly, Participant, VotingCard
from shared.core.errors import Conflict, Forbidden, NotFound
from shared.platform.secrets import CODE_ALPHABET, digest, normalise_code

#: Characters of a badge code (80 bits from a 32-letter alphabet), shown in groups of four.
CODE_LENGTH = 16
PAIRING_DIGITS = 8
#: Fresh pairing numbers tried before giving up (a collision among 10^8 is already rare).
PAIRING_ATTEMPTS = 8


def new_badge_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def canonical_code(typed: str) -> str:
    """A badge code as issued (``ABCD-EFGH-…``) from what someone typed or a QR carried: case,
    spaces and dashes do not matter. Anything else comes back as typed, and matches nothing."""
    letters = normalise_code(typed)
    if len(letters) != CODE_LENGTH:
        return typed.strip()
    return "-".join(letters[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def credential_digest(typed: str) -> str:
    """What the tier stores of a badge code, and looks a bearer token up by."""
    return digest(canonical_code(typed))


def canonical_pairing(typed: str) -> str:
    return "".join(ch for ch in typed if ch.isdigit())


def shown_pairing(pairing: str) -> str:
    return f"{pairing[:4]} {pairing[4:]}"


async def _pairing_for(session: AsyncSession, assembly: Assembly) -> str:
    for _ in range(PAIRING_ATTEMPTS):
        pairing = "".join(secrets.choice("0123456789") for _ in range(PAIRING_DIGITS))
        taken = await session.scalar(
            select(VotingCard.id).where(
                VotingCard.assembly_id == assembly.id, VotingCard.pairing == pairing
            )
        )
        if taken is None:
            return pairing
    raise Conflict("no pairing number is free; try again")


async def _lapse(session: AsyncSession, assembly: Assembly, now: datetime) -> None:
    """Forget phone cards nobody bound in time (their codes never worked)."""
    await session.execute(
        delete(VotingCard).where(
            VotingCard.assembly_id == assembly.id,
            VotingCard.participant_id.is_(None),
            VotingCard.expires_at < now,
        )
    )


async def card_for_device(
    session: AsyncSession, assembly: Assembly, *, minutes: int, waiting_at_most: int
) -> tuple[VotingCard, str]:
    """A card for the phone asking (no sign-in): its code, to be shown there only."""
    require_not_closed(assembly)
    now = datetime.now(UTC)
    await _lapse(session, assembly, now)
    waiting = await session.scalar(
        select(func.count())
        .select_from(VotingCard)
        .where(
            VotingCard.assembly_id == assembly.id,
            VotingCard.origin == "device",
            VotingCard.participant_id.is_(None),
        )
    )
    if (waiting or 0) >= waiting_at_most:
        raise Conflict(
            f"{waiting} phone cards already wait for the desk; ask again once it has bound some"
        )
    code = new_badge_code()
    card = VotingCard(
        assembly_id=assembly.id,
        origin="device",
        pairing=await _pairing_for(session, assembly),
        token_hash=digest(code),
        expires_at=now + timedelta(minutes=minutes),
    )
    session.add(card)
    await session.flush()
    return card, code


async def print_cards(
    session: AsyncSession, assembly: Assembly, count: int, printed_by: str
) -> list[tuple[VotingCard, str]]:
    """A sheet of ``count`` badges (pairing number outside, code inside), for an organiser."""
    require_not_closed(assembly)
    made: list[tuple[VotingCard, str]] = []
    for _ in range(count):
        code = new_badge_code()
        card = VotingCard(
            assembly_id=assembly.id,
            origin="printed",
            pairing=await _pairing_for(session, assembly),
            token_hash=digest(code),
            printed_by=printed_by,
        )
        session.add(card)
        await session.flush()
        made.append((card, code))
    return made


async def bind(
    session: AsyncSession,
    assembly: Assembly,
    participant_id: uuid.UUID,
    pairing: str,
    *,
    bound_by: str,
) -> tuple[Participant, VotingCard, bool]:
    """Hand the card numbered ``pairing`` to a registered participant, checking them in; any
    credential they held before stops working. Once voting began, a second person of the desk
    confirms it (:func:`services.local.assemblies.confirm_late`) before the card votes. Returns
    the participant, the card and whether a previous credential was replaced."""
    require_not_closed(assembly)
    now = datetime.now(UTC)
    participant = await get_participant(session, assembly, participant_id, lock=True)
    card = await session.scalar(
        select(VotingCard)
        .where(
            VotingCard.assembly_id == assembly.id,
            VotingCard.pairing == canonical_pairing(pairing),
        )
        .with_for_update()
    )
    if card is None or (card.expires_at is not None and card.expires_at < now):
        raise NotFound(f"no voting card {pairing} waits in this assembly (a phone's lapses)")
    if card.participant_id is not None:
        raise Conflict(f"card {shown_pairing(card.pairing)} was already handed out")
    if card.printed_by is not None and card.printed_by == bound_by:
        raise Forbidden("whoever printed a badge cannot also hand it out: ask another person")
    replaced = participant.token_hash is not None or participant.awaiting_token_hash is not None
    if not late(assembly):
        participant.token_hash = card.token_hash
        participant.awaiting_token_hash = None
        if participant.credentialed_at is None:
            participant.credentialed_at = now
    elif participant.credentialed_at is None:
        # Checked in once voting began: the card works, but votes only once a second person
        # confirms the check-in.
        participant.token_hash = card.token_hash
        participant.awaiting_by = bound_by
    else:
        # A replacement once voting began: the old credential stops now, the new one starts
        # when a second person confirms it — the desk alone cannot take over a voter.
        participant.token_hash = None
        participant.awaiting_token_hash = card.token_hash
        participant.awaiting_by = bound_by
    card.participant_id = participant.id
    card.bound_at = now
    card.expires_at = None
    await session.flush()
    return participant, card, replaced


async def revoke(
    session: AsyncSession, assembly: Assembly, participant_id: uuid.UUID
) -> Participant:
    """A lost or leaked badge: the credential stops working at once (ballots already cast with
    it still count, once); binding a new card gives the participant another."""
    require_not_closed(assembly)
    participant = await get_participant(session, assembly, participant_id, lock=True)
    participant.token_hash = None
    participant.awaiting_token_hash = None
    await session.flush()
    return participant


async def bindings_between(
    session: AsyncSession, assembly: Assembly, windows: list[tuple[datetime, datetime]]
) -> set[uuid.UUID]:
    """Participants given a card inside one of ``windows`` (while a poll was open)."""
    rows = await session.execute(
        select(VotingCard.participant_id, VotingCard.bound_at).where(
            VotingCard.assembly_id == assembly.id, VotingCard.bound_at.is_not(None)
        )
    )
    return {
        pid
        for pid, at in rows.all()
        if pid is not None and at is not None and any(a < at < b for a, b in windows)
    }
