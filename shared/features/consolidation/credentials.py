"""Credentialing at a tier's plenary: delegates are admitted only on valid mandates received in
verified reports from below.

Rules: a mandate from a late assembly is not valid (late assemblies elect no delegates); each
mandate credentials once; the person presenting it (``holder``, whatever the desk records, e.g. a
hash of their document) may hold only one credential per plenary; a titular declared absent is
replaced by the best-ranked remaining alternate of the same assembly and segment.

The plenary's polls, motions and elections belong to the shared plenary code the local tier is
building; this module is the part of the tier plenary that is specific to receiving mandates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from sqlalchemy import String, any_, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.plenary import AbsenceView, CredentialView
from shared.core.access import Grant, Principal
from shared.core.errors import Conflict, DomainError, Invalid, NotFound, Unauthorized
from shared.core.vocabulary import NATION
from shared.features.consolidation import members
from shared.features.consolidation.model import (
    Absence,
    Credential,
    PlenaryMember,
    ReceivedMandate,
    ReceivedReport,
)
from shared.platform.secrets import code_digest, digest, new_code, new_token, same

log = structlog.get_logger(__name__)


async def _mandate(
    session: AsyncSession, *, cycle_id: str, scope: str, mandate_id: str
) -> ReceivedMandate:
    mandate = await session.get(ReceivedMandate, mandate_id, with_for_update=True)
    mandate = _check_mandate(mandate, cycle_id=cycle_id, scope=scope, mandate_id=mandate_id)
    late = await session.scalar(
        select(ReceivedReport.late).where(ReceivedReport.report_id == mandate.report_id)
    )
    if late:
        raise Conflict("the mandate comes from a late assembly, which elects no delegates")
    return mandate


def _check_mandate(
    mandate: ReceivedMandate | None, *, cycle_id: str, scope: str, mandate_id: str
) -> ReceivedMandate:
    if mandate is None or mandate.cycle_id != cycle_id:
        raise NotFound(f"no mandate {mandate_id} received for {cycle_id}")
    if scope != NATION and mandate.uf != scope:
        raise Invalid(f"mandate {mandate_id} is for {mandate.uf}, not {scope}")
    return mandate


@dataclass(frozen=True, slots=True)
class Admission:
    """One line of the desk's check-in list: who presents which mandate, at which plenary."""

    cycle_id: str
    scope: str
    mandate_id: str
    holder: str


async def credential(
    session: AsyncSession, *, cycle_id: str, scope: str, mandate_id: str, holder: str
) -> CredentialView:
    """Admit the holder of a mandate to this tier's plenary."""
    entry = Admission(cycle_id=cycle_id, scope=scope, mandate_id=mandate_id, holder=holder)
    return (await _admit(session, [entry], label=False))[0]


async def credential_many(session: AsyncSession, entries: list[Admission]) -> list[CredentialView]:
    """Admit a whole check-in list at once, or nobody.

    Every entry is checked as if the list were credentialed one by one in its order (earlier
    entries count as credentialed for later ones), before anything is written; the first entry
    refused fails the whole list with its error, naming the entry (``entry``, 0-based).
    """
    return await _admit(session, entries, label=True)


_IDS = postgresql.ARRAY(String)


class _Desk:
    """What the plenary already holds about the mandates of a check-in list, loaded in a few
    statements, and updated in memory as the list is admitted in order."""

    def __init__(self) -> None:
        self.mandates: dict[str, ReceivedMandate] = {}
        self.late: set[str] = set()
        self.credentialed: set[str] = set()
        self.holders: dict[tuple[str, str, str], str] = {}
        self.absent: set[str] = set()
        self.seated: set[str] = set()
        self.replaced: set[str] = set()
        self.peers: dict[tuple[str, str], list[ReceivedMandate]] = {}
        #: Holders registered here as ex officio members, guests or observers.
        self.members: dict[tuple[str, str, str], str] = {}

    async def load(self, session: AsyncSession, entries: list[Admission]) -> None:
        ids = sorted({e.mandate_id for e in entries})
        # Lock in a stable order so concurrent lists cannot deadlock each other.
        found = await session.scalars(
            select(ReceivedMandate)
            .where(ReceivedMandate.mandate_id == any_(bindparam("ids", ids, type_=_IDS)))
            .order_by(ReceivedMandate.mandate_id)
            .with_for_update()
        )
        self.mandates = {m.mandate_id: m for m in found}
        reports = sorted({m.report_id for m in self.mandates.values()})
        self.late = set(
            await session.scalars(
                select(ReceivedReport.report_id).where(
                    ReceivedReport.report_id == any_(bindparam("reports", reports, type_=_IDS)),
                    ReceivedReport.late.is_(True),
                )
            )
        )
        self.credentialed = set(
            await session.scalars(
                select(Credential.mandate_id).where(
                    Credential.mandate_id == any_(bindparam("ids", ids, type_=_IDS))
                )
            )
        )
        wanted = {(e.cycle_id, e.scope, e.holder) for e in entries}
        holding = await session.execute(
            select(
                Credential.cycle_id, Credential.uf, Credential.holder, Credential.mandate_id
            ).where(
                Credential.cycle_id
                == any_(bindparam("cycles", sorted({k[0] for k in wanted}), type_=_IDS)),
                Credential.uf == any_(bindparam("ufs", sorted({k[1] for k in wanted}), type_=_IDS)),
                Credential.holder
                == any_(bindparam("holders", sorted({k[2] for k in wanted}), type_=_IDS)),
                Credential.revoked_at.is_(None),
            )
        )
        self.holders = {(c, u, h): m for c, u, h, m in holding if (c, u, h) in wanted}
        registered = await session.execute(
            select(
                PlenaryMember.cycle_id, PlenaryMember.uf, PlenaryMember.holder, PlenaryMember.id
            ).where(
                PlenaryMember.holder
                == any_(bindparam("holders", sorted({k[2] for k in wanted}), type_=_IDS)),
                PlenaryMember.revoked_at.is_(None),
            )
        )
        self.members = {(c, u, h): str(i) for c, u, h, i in registered if (c, u, h) in wanted}
        await self._load_peers(session)

    async def _load_peers(self, session: AsyncSession) -> None:
        """The assembly-and-segment peers of every alternate presented, with their seats."""
        groups = {(m.report_id, m.segment) for m in self.mandates.values() if m.role != "titular"}
        titulars = [m.mandate_id for m in self.mandates.values() if m.role == "titular"]
        peers: list[ReceivedMandate] = []
        if groups:
            reports = sorted({r for r, _ in groups})
            found = await session.scalars(
                select(ReceivedMandate)
                .where(ReceivedMandate.report_id == any_(bindparam("reports", reports, type_=_IDS)))
                .order_by(ReceivedMandate.rank)
            )
            peers = [m for m in found if (m.report_id, m.segment) in groups]
        for m in peers:
            self.peers.setdefault((m.report_id, m.segment), []).append(m)
        ids = sorted({m.mandate_id for m in peers} | set(titulars))
        if not ids:
            return
        self.absent = set(
            await session.scalars(
                select(Absence.mandate_id).where(
                    Absence.mandate_id == any_(bindparam("ids", ids, type_=_IDS))
                )
            )
        )
        seats = await session.execute(
            select(Credential.mandate_id, Credential.replaces_mandate_id).where(
                Credential.mandate_id == any_(bindparam("ids", ids, type_=_IDS)),
                Credential.revoked_at.is_(None),
            )
        )
        for mandate_id, replaces in seats:
            self.seated.add(mandate_id)
            if replaces:
                self.replaced.add(replaces)

    def admit(self, entry: Admission) -> tuple[ReceivedMandate, str | None]:
        """Check one entry as the one-by-one desk would; record it as credentialed."""
        if not entry.holder.strip():
            raise Invalid("say who presents the mandate (holder)")
        mandate = _check_mandate(
            self.mandates.get(entry.mandate_id),
            cycle_id=entry.cycle_id,
            scope=entry.scope,
            mandate_id=entry.mandate_id,
        )
        if mandate.report_id in self.late:
            raise Conflict("the mandate comes from a late assembly, which elects no delegates")
        if mandate.mandate_id in self.credentialed:
            raise Conflict("this mandate is already credentialed")
        key = (entry.cycle_id, entry.scope, entry.holder)
        if holding := self.holders.get(key):
            raise Conflict("this person already holds a mandate here", mandate_id=holding)
        if registered := self.members.get(key):
            raise Conflict("this person is already registered here", member_id=registered)
        replaces = None
        if mandate.role == "titular":
            if mandate.mandate_id in self.absent:
                raise Conflict("this titular was declared absent; an alternate holds the seat")
        else:
            replaces = self._seat_for_alternate(mandate)
            self.replaced.add(replaces)
        self.credentialed.add(mandate.mandate_id)
        self.seated.add(mandate.mandate_id)
        self.holders[key] = mandate.mandate_id
        return mandate, replaces

    def _seat_for_alternate(self, alternate: ReceivedMandate) -> str:
        """The absent titular this alternate replaces; alternates come in their ranked order."""
        peers = self.peers.get((alternate.report_id, alternate.segment), [])
        open_seats = [
            m.mandate_id
            for m in peers
            if m.role == "titular"
            and m.mandate_id in self.absent
            and m.mandate_id not in self.replaced
        ]
        if not open_seats:
            raise Conflict("no absent titular of this assembly and segment to replace")
        ahead = [
            m.mandate_id
            for m in peers
            if m.role != "titular"
            and m.rank < alternate.rank
            and m.mandate_id not in self.seated
            and m.mandate_id not in self.absent
        ]
        if ahead:
            raise Conflict("a better-ranked alternate comes first", mandate_id=ahead[0])
        return open_seats[0]


async def _admit(
    session: AsyncSession, entries: list[Admission], *, label: bool
) -> list[CredentialView]:
    if not entries:
        return []
    desk = _Desk()
    await desk.load(session, entries)
    admitted: list[tuple[ReceivedMandate, str | None]] = []
    for n, entry in enumerate(entries):
        try:
            admitted.append(desk.admit(entry))
        except DomainError as error:
            if not label:
                raise
            raise type(error)(
                f"entry {n} ({entry.mandate_id}): {error.detail}",
                **{**error.extra, "entry": n},
            ) from None
    rows = [
        {
            "mandate_id": mandate.mandate_id,
            "cycle_id": entry.cycle_id,
            "uf": entry.scope,
            "holder": entry.holder,
            "replaces_mandate_id": replaces,
        }
        for entry, (mandate, replaces) in zip(entries, admitted, strict=True)
    ]
    created = (
        await session.scalars(
            insert(Credential).returning(Credential, sort_by_parameter_order=True), rows
        )
    ).all()
    if len(created) == 1:
        log.info(
            "delegate.credentialed",
            mandate=rows[0]["mandate_id"],
            replaces=rows[0]["replaces_mandate_id"],
        )
    else:
        log.info(
            "delegates.credentialed",
            count=len(created),
            replacing=sum(1 for r in rows if r["replaces_mandate_id"]),
        )
    return [
        credential_view(row, mandate) for row, (mandate, _) in zip(created, admitted, strict=True)
    ]


async def declare_absent(
    session: AsyncSession, *, cycle_id: str, scope: str, mandate_id: str
) -> AbsenceView:
    """Record that a delegate did not come, opening their seat to the next alternate."""
    await _mandate(session, cycle_id=cycle_id, scope=scope, mandate_id=mandate_id)
    if await session.scalar(select(Credential.id).where(Credential.mandate_id == mandate_id)):
        raise Conflict("a credentialed delegate cannot be declared absent")
    if await session.get(Absence, mandate_id) is None:
        session.add(Absence(mandate_id=mandate_id, declared_at=datetime.now(UTC)))
        await session.flush()
    return AbsenceView(mandate_id=mandate_id)


def credential_view(row: Credential, mandate: ReceivedMandate) -> CredentialView:
    return CredentialView(
        mandate_id=mandate.mandate_id,
        public_name=mandate.public_name,
        segment=mandate.segment,
        role=mandate.role,
        rank=mandate.rank,
        assembly_id=mandate.assembly_id,
        territory=mandate.territory,
        replaces_mandate_id=row.replaces_mandate_id,
        credentialed_at=row.created_at,
    )


async def list_credentials(
    session: AsyncSession, *, cycle_id: str, scope: str
) -> list[CredentialView]:
    rows = await session.execute(
        select(Credential, ReceivedMandate)
        .join(ReceivedMandate, ReceivedMandate.mandate_id == Credential.mandate_id)
        .where(
            Credential.cycle_id == cycle_id,
            Credential.uf == scope,
            Credential.revoked_at.is_(None),
        )
        .order_by(ReceivedMandate.assembly_id, ReceivedMandate.segment, ReceivedMandate.rank)
    )
    return [credential_view(c, m) for c, m in rows]


async def delegate_principal(session: AsyncSession, token_digest: str) -> Principal | None:
    """The delegate a device credential belongs to (a resolver of the identity feature): they
    act only for their own mandate, at the plenary it was credentialed for."""
    row = (
        await session.execute(
            select(Credential.mandate_id, Credential.uf, ReceivedMandate.public_name)
            .join(ReceivedMandate, ReceivedMandate.mandate_id == Credential.mandate_id)
            .where(Credential.device_token_sha256 == token_digest, Credential.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        return await members.member_principal(session, token_digest)
    mandate_id, scope, name = row
    return Principal(
        kind="delegate",
        id=mandate_id,
        name=name,
        grants=(Grant("delegate", territory=scope, mandate_id=mandate_id),),
    )


async def redeem_claim(
    session: AsyncSession, *, cycle_id: str, scope: str, mandate_id: str, code: str
) -> str:
    """The delegate, admitted at the desk, binds their own device with the claim code they were
    handed when elected: the device's credential, shown once. One mandate, one device."""
    credential = await session.scalar(
        select(Credential)
        .where(
            Credential.mandate_id == mandate_id,
            Credential.cycle_id == cycle_id,
            Credential.uf == scope,
            Credential.revoked_at.is_(None),
        )
        .with_for_update()
    )
    if credential is None:
        registered = await members.member(
            session, cycle_id=cycle_id, scope=scope, member_id=mandate_id, lock=True
        )
        if registered is not None:
            return _redeem_member(registered, code)
    mandate = await session.get(ReceivedMandate, mandate_id)
    if credential is None or mandate is None:
        raise Unauthorized("this mandate was not admitted at this plenary's desk")
    if not mandate.claim_sha256 or not same(code_digest(code), mandate.claim_sha256):
        raise Unauthorized("this claim code does not match the mandate")
    if credential.claimed_at is not None:
        raise Conflict("this mandate's credential is already bound to a device")
    token = new_token()
    credential.device_token_sha256 = digest(token)
    credential.claimed_at = datetime.now(UTC)
    await session.flush()
    log.info("delegate.claimed", mandate=mandate_id)
    return token


def _redeem_member(registered: PlenaryMember, code: str) -> str:
    """An ex officio member, guest or observer binds their device with the code the desk
    handed them when registering them."""
    if not same(code_digest(code), registered.claim_sha256):
        raise Unauthorized("this claim code does not match the registration")
    token = new_token()
    members.bind_device(registered, digest(token))
    log.info("plenary.member_claimed", member=str(registered.id))
    return token


async def reissue_claim(
    session: AsyncSession, *, cycle_id: str, scope: str, mandate_id: str
) -> str:
    """The desk replaces a lost claim code (after checking the person): a new one-time code;
    the device bound before, if any, no longer counts. The same for a member's code."""
    registered = await members.member(
        session, cycle_id=cycle_id, scope=scope, member_id=mandate_id, lock=True
    )
    if registered is not None:
        code = new_code()
        registered.claim_sha256 = code_digest(code)
        registered.device_token_sha256 = None
        registered.claimed_at = None
        log.info("plenary.member_claim_reissued", member=mandate_id)
        return code
    mandate = await _mandate(session, cycle_id=cycle_id, scope=scope, mandate_id=mandate_id)
    code = new_code()
    mandate.claim_sha256 = code_digest(code)
    await session.execute(
        update(Credential)
        .where(Credential.mandate_id == mandate_id)
        .values(device_token_sha256=None, claimed_at=None)
    )
    log.info("delegate.claim_reissued", mandate=mandate_id)
    return code
