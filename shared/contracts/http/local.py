"""HTTP contract of the local tier: assemblies, participants, proposals, the local plenary and
the delegate election (requests are validated before any use case runs)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from shared.contracts.fields import UF, CycleId, Id, MunicipalityCode, Title
from shared.contracts.http.plenary import DelegateClaim, MandateView, PollView
from shared.contracts.messages import Milestone
from shared.core.participants import AgeBand, Gender, RaceColour
from shared.core.polls import MAX_COUNT, CompositionFinding
from shared.core.vocabulary import Competence, LocalAssemblyKind, MotionKind, PollMode

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class Secretary(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The person who will run the assembly (an account, found by e-mail or created)."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    email: Annotated[str, msgspec.Meta(pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$")] | None = None


class NewAssembly(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    cycle_id: CycleId
    kind: LocalAssemblyKind
    #: IBGE 7-digit municipality code.
    territory: MunicipalityCode
    uf: UF
    title: Title
    #: An intermunicipal conference: the IBGE codes of every municipality it covers (all in
    #: ``uf``; ``territory``, its seat, is among them whether listed or not).
    covers: Annotated[list[MunicipalityCode], msgspec.Meta(max_length=200)] = msgspec.field(
        default_factory=list
    )
    deadline: datetime | None = None
    participants: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)] = 0
    population: Annotated[int, msgspec.Meta(ge=0, le=300_000_000)] = 0
    #: Appoint the secretary at once (the answer carries their one-time sign-in code).
    secretary: Secretary | None = None


class NewParticipant(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    public_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    segment: Id
    gender: Gender = "undeclared"
    race_colour: RaceColour = "undeclared"
    age_band: AgeBand = "undeclared"
    disability: bool = False
    lgbtqia: bool = False
    traditional_people: Annotated[str, msgspec.Meta(max_length=64)] = ""
    #: Credential at once (registration at the door).
    credential: bool = False
    #: A guest or observer with voice but no vote (on no roll; stands for nothing).
    voice_only: bool = False


class ParticipantCorrection(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What a participant corrects about themselves; fields left out stay as they are."""

    public_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    gender: Gender | msgspec.UnsetType = msgspec.UNSET
    race_colour: RaceColour | msgspec.UnsetType = msgspec.UNSET
    age_band: AgeBand | msgspec.UnsetType = msgspec.UNSET
    disability: bool | msgspec.UnsetType = msgspec.UNSET
    lgbtqia: bool | msgspec.UnsetType = msgspec.UNSET
    traditional_people: Annotated[str, msgspec.Meta(max_length=64)] | msgspec.UnsetType = (
        msgspec.UNSET
    )


class NewProposal(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    axis: Id
    competence: Competence
    title: Title
    text: Text
    #: Supports counted on paper (secretary only).
    support: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)] = 0


class ProposalBatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    proposals: Annotated[list[NewProposal], msgspec.Meta(min_length=1, max_length=10_000)]


class Amendment(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: Text
    title: Title | None = None
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class NewPoll(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kind: Literal["decision", "priority", "election"]
    mode: PollMode = "electronic"
    proposal_id: uuid.UUID | None = None
    axis: Id | None = None
    #: Text the plenary votes on instead of the proposal's (approval makes it "approved in part").
    amended_text: Text | None = None


Group = Annotated[list[Id], msgspec.Meta(min_length=1, max_length=500)]


class BallotIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One of: ``choice`` (yes/no/abstain), ``approve`` (approval), ``ranking`` (tie groups)."""

    choice: Literal["yes", "no", "abstain"] | None = None
    approve: Group | None = None
    ranking: Annotated[list[Group], msgspec.Meta(min_length=1, max_length=500)] | None = None


class CountEntry(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    ranking: Annotated[list[Group], msgspec.Meta(min_length=1, max_length=500)]
    count: Annotated[int, msgspec.Meta(ge=0, le=MAX_COUNT)]


class CountsIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Decision counts (``yes``/``no``/``abstain``) or ranked ``entries`` with counts."""

    yes: Annotated[int, msgspec.Meta(ge=0, le=MAX_COUNT)] = 0
    no: Annotated[int, msgspec.Meta(ge=0, le=MAX_COUNT)] = 0
    abstain: Annotated[int, msgspec.Meta(ge=0, le=MAX_COUNT)] = 0
    entries: Annotated[list[CountEntry], msgspec.Meta(max_length=100_000)] = msgspec.field(
        default_factory=list
    )


class DecisionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One proposal's counts in an en-bloc vote; negative counts are refused by the use case
    (422 naming the entry), not by the decoder."""

    proposal_id: uuid.UUID
    yes: Annotated[int, msgspec.Meta(le=MAX_COUNT)] = 0
    no: Annotated[int, msgspec.Meta(le=MAX_COUNT)] = 0
    abstain: Annotated[int, msgspec.Meta(le=MAX_COUNT)] = 0
    amended_text: Text | None = None


class DecisionBatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    decisions: Annotated[list[DecisionIn], msgspec.Meta(min_length=1, max_length=10_000)]


class NewMotion(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kind: MotionKind
    title: Title
    text: Text


class MotionVote(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    mode: PollMode = "electronic"


class AllocationIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    seats: Annotated[int, msgspec.Meta(ge=0, le=100_000)]
    per_segment: dict[Id, Annotated[int, msgspec.Meta(ge=0)]] = msgspec.field(default_factory=dict)


class CandidacyIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    participant_id: uuid.UUID


class ParticipantBatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    participants: Annotated[list[NewParticipant], msgspec.Meta(min_length=1, max_length=10_000)]


class CandidacyBatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    participant_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=10_000)]


# --- views -------------------------------------------------------------------------------------


class AssemblyView(msgspec.Struct, kw_only=True):
    id: str
    cycle_id: str
    kind: str
    territory: str
    uf: str
    title: str
    status: str
    deadline: datetime | None
    #: The participants the report counts: the larger of those declared at creation and those
    #: credentialed.
    participants: int
    closed_at: datetime | None
    late: bool
    report_id: str | None
    key_id: str | None
    #: The municipalities an intermunicipal conference covers (IBGE codes, its seat first).
    covers: list[str] = msgspec.field(default_factory=list)
    #: Participants registered here, and how many of them are credentialed.
    registered: int = 0
    credentialed: int = 0


class AssemblyCreated(AssemblyView, kw_only=True):
    #: The appointed secretary's one-time sign-in code (in this answer only), if one was named.
    secretary_sign_in_code: str | None = None


class ParticipantView(msgspec.Struct, kw_only=True):
    id: str
    public_name: str
    segment: str
    gender: str
    race_colour: str
    age_band: str
    disability: bool
    lgbtqia: bool
    traditional_people: str
    credentialed: bool
    voice_only: bool = False
    #: Checked in or handed a card once voting began: another person of the desk must confirm
    #: it (``POST …/participants/{id}/confirm``) before they vote.
    awaiting_confirmation: bool = False


class ParticipantRegistered(ParticipantView, kw_only=True):
    """A participant just registered. Their voting credential is not here: it reaches them on a
    voting card (:class:`DeviceCard`, :class:`PrintedCard`) the desk binds by its pairing number."""


#: A voting card's pairing number as people type it: eight digits, spaces or a dash allowed.
Pairing = Annotated[str, msgspec.Meta(pattern=r"^\s*\d{4}[\s-]?\d{4}\s*$")]


class DeviceCard(msgspec.Struct, kw_only=True):
    """A voting card made for the phone that asked: its credential is shown there only."""

    #: The voting credential (``ABCD-EFGH-JKLM-NPQR``): the participant's bearer token.
    code: str
    #: What the participant shows the desk, which binds the card to them.
    pairing: str
    #: The card lapses if the desk has not bound it by then.
    expires_at: datetime


class CardsToPrint(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    count: Annotated[int, msgspec.Meta(ge=1, le=2_000)]


class PrintedCard(msgspec.Struct, kw_only=True):
    """One badge of a printed sheet: the pairing number outside, the credential (code and QR)
    inside the fold."""

    pairing: str
    code: str


class CardBinding(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The desk hands a card to a registered participant: the number on their phone's screen or
    on the outside of the badge."""

    pairing: Pairing


class ParticipantSelf(msgspec.Struct, kw_only=True):
    """Everything the local tier holds about a participant, for them to see and correct."""

    assembly_id: str
    participant: ParticipantView
    #: The proposals they submitted.
    proposals: list[str]
    candidate: bool
    elected: bool
    #: What leaves the local tier about them: only if elected, only these fields (the rest is
    #: reported in aggregate counts alone).
    reported_if_elected: list[str]


class PossibleDuplicate(msgspec.Struct, kw_only=True):
    proposal_id: str
    score: float


class ProposalView(msgspec.Struct, kw_only=True):
    id: str
    assembly_id: str
    axis: str
    competence: str
    title: str
    text: str
    status: str
    support: int
    version: int
    rank: int | None
    possible_duplicates: list[PossibleDuplicate]


class ProposalsUploaded(msgspec.Struct, kw_only=True):
    created: int
    ids: list[str]
    #: Proposals that resemble one already here (or earlier in the upload).
    flagged: list[str]


class MotionView(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    title: str
    text: str
    status: str
    signatures: int
    needed: int
    poll_id: str | None


class BallotRecorded(msgspec.Struct, kw_only=True):
    recorded: bool = True
    #: The first hex digits of the sealed ballot's SHA-256, to find it in the published list.
    receipt: str = ""


class BallotsAdded(msgspec.Struct, kw_only=True):
    added: int


class BallotsVoided(msgspec.Struct, kw_only=True):
    withdrawn: int


class DecidedEnBloc(msgspec.Struct, kw_only=True):
    #: Polls closed now (none: counts the desk entered wait for a second person)…
    decided: int
    #: …and polls counted, waiting for another person of the desk to confirm them.
    counted: int = 0
    polls: list[PollView]


class ParticipantsToConfirm(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    participant_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=10_000)]


class PollsToConfirm(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    poll_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=2_000)]


class Seats(msgspec.Struct, kw_only=True):
    """Seats per segment this assembly elects, and how they were arrived at."""

    seats: dict[str, int]
    notes: list[str]


class ElectionView(msgspec.Struct, kw_only=True):
    """Elected titulars and ranked alternates (public fields), with the election's findings."""

    seats: dict[str, int]
    mandates: list[MandateView]
    findings: list[CompositionFinding]
    notes: list[str]
    complete: bool | None


class AssemblyClosed(msgspec.Struct, kw_only=True):
    report_id: str
    items: int
    late: bool
    mandates: int
    motions: int
    manifests: int
    delegation_notes: list[str]
    #: In this answer only (the report carries their digests).
    delegate_claims: list[DelegateClaim] = msgspec.field(default_factory=list)


class JourneyProposal(msgspec.Struct, kw_only=True):
    id: str
    title: str
    text: str
    axis: str
    competence: str
    status: str
    version: int


class JourneyVersion(msgspec.Struct, kw_only=True):
    version: int
    title: str
    text: str
    reason: str
    created_at: datetime | None = None


class JourneyAssembly(msgspec.Struct, kw_only=True):
    id: str
    title: str
    territory: str
    status: str


class JourneyPlenary(msgspec.Struct, kw_only=True):
    poll_id: str
    outcome: str | None
    yes: int
    no: int
    abstain: int


class JourneyReport(msgspec.Struct, kw_only=True):
    report_id: str | None
    forwarded: bool
    rank: int | None
    stayed_local: bool


class JourneyStateItem(msgspec.Struct, kw_only=True):
    """The state conference's item that carried the proposal up (what it was merged into)."""

    item_id: str
    uf: str
    text: str
    rank: int | None = None


class JourneyUpstream(msgspec.Struct, kw_only=True):
    national_item_id: str
    title: str
    text: str
    #: The state item(s) of the proposal's UF the national item was made from: the one that
    #: carried this proposal when the council's answer says so, else every one of that UF.
    state_items: list[JourneyStateItem] = msgspec.field(default_factory=list)


class JourneyResponse(msgspec.Struct, kw_only=True):
    response_id: str
    version: int
    national_item_id: str
    decision: str
    justification: str
    responsible_body: str
    instrument: str
    milestones: list[Milestone]
    answered_at: datetime
    current: bool


class ProposalJourney(msgspec.Struct, kw_only=True):
    """Where a local proposal went: its texts, the plenary's decision, the report that carried
    it, what it became upstream and every council answer that came back."""

    proposal: JourneyProposal
    versions: list[JourneyVersion]
    assembly: JourneyAssembly
    plenary: JourneyPlenary | None
    report: JourneyReport
    upstream: list[JourneyUpstream]
    responses: list[JourneyResponse]


class TownMatch(msgspec.Struct, kw_only=True):
    """A municipality of the IBGE list whose name matches a search."""

    ibge_code: str
    name: str
    uf: str


class FollowUpProposal(msgspec.Struct, kw_only=True):
    id: str
    title: str
    axis: str
    competence: str
    status: str
    forwarded: bool
    rank: int | None
    #: The council's latest decision on the national item it reached, if answered.
    decision: str | None = None


class FollowUpAssembly(msgspec.Struct, kw_only=True):
    id: str
    title: str
    kind: str
    status: str
    closed_at: datetime | None
    proposals: list[FollowUpProposal]


class MunicipalityFollowUp(msgspec.Struct, kw_only=True):
    """A municipality's assemblies at this tier and what became of each of their proposals
    (public: the citizen's starting point)."""

    ibge_code: str
    name: str
    uf: str
    population_2022: int
    #: Assemblies of the municipality held here, in all; ``assemblies`` is one page of them.
    total: int
    limit: int
    offset: int
    assemblies: list[FollowUpAssembly]


class WorkingGroupPlacement(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Place a participant in group ``number`` of ``axis`` (the cycle's ``[working_groups]``);
    one already in another group moves, freeing that place."""

    participant_id: uuid.UUID
    axis: Id
    number: Annotated[int, msgspec.Meta(ge=1, le=100)] = 1


class SegmentPlaces(msgspec.Struct, kw_only=True):
    taken: int
    places: int


class WorkingGroupSeat(msgspec.Struct, kw_only=True):
    participant_id: str
    public_name: str
    segment: str


class WorkingGroupView(msgspec.Struct, kw_only=True):
    """One working group: its places per segment (taken of the cycle's figure) and members."""

    axis: str
    number: int
    places: dict[str, SegmentPlaces]
    members: list[WorkingGroupSeat]
