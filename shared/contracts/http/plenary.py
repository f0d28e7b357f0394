"""HTTP contract of a plenary at any tier: polls and their results, candidacies and mandates;
and, at the regional and national tiers, credentialing delegates from received mandates."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from shared.contracts.fields import UF, CycleId, Id, OptionalTitle
from shared.core.participants import Gender
from shared.core.polls import MAX_COUNT, PollResult

#: The tally methods a plenary poll may use (each is refused at creation unless the tally runs it).
PollMethod = Literal["approval", "borda", "schulze", "copeland", "plurality"]
Group = Annotated[list[Id], msgspec.Meta(min_length=1, max_length=500)]
Ranking = Annotated[list[Group], msgspec.Meta(min_length=1, max_length=500)]


class SignedRecord(msgspec.Struct, kw_only=True):
    """A record signed with the tier's Ed25519 key: ``record`` is the exact canonical JSON text
    that was signed."""

    record: str
    signer: str
    public_key: str
    signature: str


class PollView(msgspec.Struct, kw_only=True):
    """A poll: what it decides, how, and — once closed — its published result."""

    id: str
    kind: str
    mode: str
    subject: str
    title: str
    method: str
    candidates: list[str]
    approvals: int
    status: str
    amended_text: str | None
    outcome: str | None
    result: PollResult | None
    ballots: int
    ballots_sha256: str | None
    #: Voters on the roll frozen when the poll opened (None for polls opened before rolls froze).
    electorate: int | None = None
    roll_sha256: str | None = None
    #: The ballot box key electronic ballots are sealed to.
    key_fingerprint: str | None = None
    #: The signed opening record (zerésima) and, once closed, closing record (boletim de urna).
    opening: SignedRecord | None = None
    closing: SignedRecord | None = None


class BallotBoxOpened(msgspec.Struct, kw_only=True):
    """The key ceremony's answer, given once: each member of the board keeps one share; any
    ``threshold`` of them restore the key after a restart. Nothing here is stored."""

    fingerprint: str
    threshold: int
    shares: list[str]


class BallotBoxState(msgspec.Struct, kw_only=True):
    fingerprint: str | None
    #: Whether this service process holds the private key (closing electronic polls needs it).
    unlocked: bool


class SharesIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    shares: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=1000)]],
        msgspec.Meta(min_length=2, max_length=3),
    ]


class BallotCast(msgspec.Struct, kw_only=True):
    """The voter's receipt: the first hex digits of their sealed ballot's SHA-256."""

    receipt: str


class CandidacyView(msgspec.Struct, kw_only=True):
    id: str
    public_name: str
    segment: str
    gender: str
    quota_groups: list[str]


class MandateView(msgspec.Struct, kw_only=True):
    id: str
    #: Empty for a seat drawn by civic lottery.
    candidacy_id: str
    public_name: str
    segment: str
    role: str
    rank: int
    gender: str
    quota_groups: list[str]
    #: ``elected`` or ``drawn`` (with the lottery's selection probability).
    selection: str = "elected"
    probability: float | None = None


# --- the regional and national plenary -----------------------------------------------------------


class CredentialRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    cycle_id: CycleId
    mandate_id: Id
    #: What the desk records about the person (e.g. a hash of their document).
    holder: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    uf: UF = "BR"


class CredentialBatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A credentialing desk's check-in list: admitted all together, or not at all."""

    entries: Annotated[list[CredentialRequest], msgspec.Meta(min_length=1, max_length=5000)]


class AbsenceRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    cycle_id: CycleId
    mandate_id: Id
    uf: UF = "BR"


class CredentialView(msgspec.Struct, kw_only=True):
    mandate_id: str
    public_name: str
    segment: str
    role: str
    rank: int
    assembly_id: str
    territory: str
    replaces_mandate_id: str | None
    credentialed_at: datetime | None


class AbsenceView(msgspec.Struct, kw_only=True):
    mandate_id: str
    status: Literal["absent"] = "absent"


#: Who a plenary admits without a mandate from below: members by office, who vote; guests and
#: observers, who have voice only.
MemberCategory = Literal["ex_officio", "guest", "observer"]


class MemberRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The desk registers an ex officio member (under one of the cycle's ``ex_officio``
    entries of this stage, ``entry``), a guest or an observer."""

    cycle_id: CycleId
    category: MemberCategory
    public_name: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    #: What the desk records about the person (e.g. a hash of their document).
    holder: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    #: The ``ex_officio`` entry's id (ex officio members only).
    entry: Annotated[str, msgspec.Meta(max_length=32)] = ""
    #: A guest's or observer's segment, if any (an ex officio member's comes from the entry).
    segment: Annotated[str, msgspec.Meta(max_length=64)] = ""
    #: Self-declared and public like a delegate's: the equity tables count ex officio members
    #: by gender and by the cycle's quota groups (``shared.core.participants.QUOTA_GROUPS``).
    gender: Gender = "undeclared"
    quota_groups: Annotated[list[str], msgspec.Meta(max_length=8)] = msgspec.field(
        default_factory=list
    )
    uf: UF = "BR"


class MemberView(msgspec.Struct, kw_only=True):
    #: The member's id: what they claim their device with, and (ex officio) their voter id.
    member_id: str
    category: MemberCategory
    public_name: str
    entry: str
    segment: str
    gender: str
    quota_groups: list[str]
    #: Whether they vote (ex officio) or have voice only (guests and observers).
    votes: bool
    #: Whether they may stand for the next tier's delegation (their entry's ``eligible``).
    eligible: bool
    registered_at: datetime | None


class MemberRegistered(msgspec.Struct, kw_only=True):
    member: MemberView
    #: The one-time code to hand the member, for their own device (in this answer only).
    claim_code: str


class MemberCounts(msgspec.Struct, kw_only=True):
    delegates: int
    ex_officio: int
    guests: int
    observers: int
    #: Who is on the roll: credentialed delegates and ex officio members.
    voters: int


class MemberList(msgspec.Struct, kw_only=True):
    """Who is admitted at a plenary besides the delegates, by category, with the counts."""

    ex_officio: list[MemberView]
    guests: list[MemberView]
    observers: list[MemberView]
    counts: MemberCounts


class NewTierPoll(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``decision`` on one item (subject = item id), ``priority`` on an axis (subject = axis),
    or the ``election`` of delegates for the next tier (over the candidacies)."""

    cycle_id: CycleId
    kind: Literal["decision", "priority", "election"]
    subject: Id
    mode: Literal["electronic", "counts"] = "counts"
    method: PollMethod = "borda"
    approvals: Annotated[int, msgspec.Meta(ge=1, le=500)] = 1
    title: OptionalTitle = ""
    amended_text: Annotated[str, msgspec.Meta(max_length=20_000)] | None = None
    uf: UF = "BR"


class DelegateBallot(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A delegate's own ballot: it counts for the mandate of the credential presenting it."""

    cycle_id: CycleId
    ranking: Ranking
    uf: UF = "BR"


class CountEntry(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    ranking: Ranking
    count: Annotated[int, msgspec.Meta(ge=0, le=MAX_COUNT)]


class TierCounts(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    cycle_id: CycleId
    entries: Annotated[list[CountEntry], msgspec.Meta(min_length=1, max_length=10_000)]
    uf: UF = "BR"


class TierDecisionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One item's counts in a block vote (negative counts are refused by the use case, 422
    naming the item)."""

    item_id: Id
    yes: Annotated[int, msgspec.Meta(le=MAX_COUNT)] = 0
    no: Annotated[int, msgspec.Meta(le=MAX_COUNT)] = 0
    abstain: Annotated[int, msgspec.Meta(le=MAX_COUNT)] = 0


class TierDecisions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A block vote counted from paper: the items of the bloc (the *destaques* left out, to be
    voted one by one), each with the counts the room gave the bloc."""

    cycle_id: CycleId
    decisions: Annotated[list[TierDecisionIn], msgspec.Meta(min_length=1, max_length=2_000)]
    uf: UF = "BR"


class PollRef(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    cycle_id: CycleId
    uf: UF = "BR"


class PollsConfirmed(PollRef, kw_only=True, forbid_unknown_fields=True):
    poll_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=2_000)]


class TierCandidacy(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A delegate stands themselves (``mandate_id`` is theirs), or the commission registers a
    credentialed delegate's candidacy (``mandate_id`` required)."""

    cycle_id: CycleId
    mandate_id: Id | None = None
    uf: UF = "BR"


class ClaimRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The claim code a delegate was handed when elected, redeemed on their own device."""

    cycle_id: CycleId
    mandate_id: Id
    claim_code: Annotated[str, msgspec.Meta(min_length=4, max_length=40)]
    uf: UF = "BR"


class DeviceCredential(msgspec.Struct, kw_only=True):
    mandate_id: str
    #: The device's bearer credential: in this answer only.
    token: str


class ClaimReissue(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    cycle_id: CycleId
    mandate_id: Id
    uf: UF = "BR"


class ClaimReissued(msgspec.Struct, kw_only=True):
    mandate_id: str
    #: The new one-time claim code to hand the delegate (in this answer only).
    claim_code: str


class BallotRecorded(msgspec.Struct, kw_only=True):
    status: Literal["recorded"] = "recorded"
    #: The first hex digits of the sealed ballot's SHA-256.
    receipt: str = ""


class PlenaryRef(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    cycle_id: CycleId
    uf: UF = "BR"


class PlenaryShares(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    cycle_id: CycleId
    uf: UF = "BR"
    shares: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=1000)]],
        msgspec.Meta(min_length=2, max_length=3),
    ]


class CountsAdded(msgspec.Struct, kw_only=True):
    ballots: int


class Standing(msgspec.Struct, kw_only=True):
    candidacy_id: str
    mandate_id: str


class Elected(msgspec.Struct, kw_only=True):
    complete: bool
    elected: int
    notes: list[str]


class DelegateClaim(msgspec.Struct, kw_only=True):
    """What to hand an elected delegate: at the plenary above they redeem the code, once, on
    their own device, to vote and stand themselves."""

    mandate_id: str
    public_name: str
    segment: str
    role: str
    rank: int
    claim_code: str
