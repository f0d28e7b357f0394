"""Local-tier HTTP API: each handler parses, calls one use case of the assembly desk, and
returns its view.

Tokens: the operator's admin token creates assemblies; the secretary token (returned once at
creation) runs one assembly; a participant's voting token (returned once at registration)
votes, supports, signs and submits in that assembly only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

import msgspec
from litestar import Controller, Response, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody, QueryParameter

from services.local.desk import AssemblyDesk
from shared.contracts.http.local import (
    AllocationIn,
    Amendment,
    AssemblyClosed,
    AssemblyCreated,
    AssemblyView,
    BallotIn,
    BallotRecorded,
    BallotsAdded,
    BallotsVoided,
    CandidacyBatch,
    CandidacyIn,
    CardBinding,
    CardsToPrint,
    CountsIn,
    DecidedEnBloc,
    DecisionBatch,
    DeviceCard,
    ElectionView,
    MotionView,
    MotionVote,
    MunicipalityFollowUp,
    NewAssembly,
    NewMotion,
    NewParticipant,
    NewPoll,
    NewProposal,
    ParticipantBatch,
    ParticipantCorrection,
    ParticipantRegistered,
    ParticipantSelf,
    ParticipantsToConfirm,
    ParticipantView,
    PollsToConfirm,
    PrintedCard,
    ProposalBatch,
    ProposalJourney,
    ProposalsUploaded,
    ProposalView,
    Seats,
    TownMatch,
    WorkingGroupPlacement,
    WorkingGroupView,
)
from shared.contracts.http.plenary import (
    BallotBoxOpened,
    BallotBoxState,
    CandidacyView,
    PollView,
    SharesIn,
)
from shared.core.access import Principal
from shared.core.decide.ballot_files import guess_format
from shared.core.errors import Invalid
from shared.platform.web.auth import allow
from shared.platform.web.paging import MAX_OFFSET

Limit = Annotated[int, QueryParameter(ge=1, le=1000)]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)]
Caller = NamedDependency[Principal]
MAX_UPLOAD = 20 * 1024 * 1024


@dataclass
class BallotFileForm:
    """The multipart form of a ballot file: one file part named ``data``.

    A form, not a bare ``UploadFile``: Litestar's extractor for a bare file fails with a 500
    when the parts hold no file; a missing or non-file ``data`` part is a 400 this way.
    """

    data: UploadFile


class AssemblyController(Controller):
    path = "/api/v1/assemblies"
    tags = ["assemblies"]

    @post("/", status_code=201, **allow("organiser"))
    async def create(
        self, desk: NamedDependency[AssemblyDesk], principal: Caller, data: JSONBody[NewAssembly]
    ) -> AssemblyCreated:
        """Create an assembly of your territory (draft), appointing its secretary if named: their
        one-time sign-in code is in this answer only."""
        return await desk.create(principal, data)

    @get("/")
    async def index(
        self, desk: NamedDependency[AssemblyDesk], limit: Limit = 100, offset: Offset = 0
    ) -> list[AssemblyView]:
        """Assemblies held here (public)."""
        return await desk.index(limit=limit, offset=offset)

    @get("/{assembly_id:uuid}")
    async def show(
        self, desk: NamedDependency[AssemblyDesk], assembly_id: FromPath[uuid.UUID]
    ) -> AssemblyView:
        """One assembly (public)."""
        return await desk.show(assembly_id)

    @post("/{assembly_id:uuid}/open", **allow("secretary", "organiser"))
    async def open(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
    ) -> AssemblyView:
        """Open the assembly (draft → open)."""
        return await desk.advance(principal, assembly_id, "open")

    @post("/{assembly_id:uuid}/voting", **allow("secretary", "organiser"))
    async def start_voting(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
    ) -> AssemblyView:
        """Start the plenary's voting (draft or open → voting)."""
        return await desk.advance(principal, assembly_id, "voting")

    @post("/{assembly_id:uuid}/close", status_code=202, **allow("secretary", "organiser"))
    async def close(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
    ) -> AssemblyClosed:
        """Close the assembly; its signed report goes up as soon as NATS accepts it."""
        return await desk.close(principal, assembly_id)


class VotingCardController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/voting-cards"
    tags = ["participants"]

    @post("/device", status_code=201, security=[])
    async def for_device(
        self, desk: NamedDependency[AssemblyDesk], assembly_id: FromPath[uuid.UUID]
    ) -> DeviceCard:
        """A voting card for the participant's own phone, without signing in: its code — their
        voting credential — is in this answer only; show its pairing number to the desk, which
        binds it to you. It lapses if nobody binds it in time."""
        return await desk.card_for_device(assembly_id)

    @post("/printed", status_code=201, **allow("organiser"))
    async def printed(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[CardsToPrint],
    ) -> list[PrintedCard]:
        """A sheet of badges to print (an organiser; the desk hands them out, and whoever printed
        a badge may not): each has its pairing number outside and its code inside."""
        return await desk.print_cards(principal, assembly_id, data.count)


class ParticipantController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/participants"
    tags = ["participants"]

    @post("/", status_code=201, **allow("secretary", "organiser"))
    async def register(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[NewParticipant],
    ) -> ParticipantRegistered:
        """Register a participant. Their voting credential is not in the answer: it reaches them
        on a voting card the desk binds to them (``…/participants/{id}/card``)."""
        return (await desk.register(principal, assembly_id, [data]))[0]

    @post("/bulk", status_code=201, **allow("secretary", "organiser"))
    async def register_many(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[ParticipantBatch],
    ) -> list[ParticipantRegistered]:
        """Register many participants in one transaction (in input order); their voting
        credentials come on voting cards."""
        return await desk.register(principal, assembly_id, data.participants)

    @get("/", **allow("secretary", "organiser"))
    async def index(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
    ) -> list[ParticipantView]:
        """The assembly's participants (secretary)."""
        return await desk.participants(principal, assembly_id)

    @post("/{participant_id:uuid}/credential", **allow("secretary", "organiser"))
    async def credential(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        participant_id: FromPath[uuid.UUID],
    ) -> ParticipantView:
        """Credential a registered participant at the door: from now on they may vote."""
        return await desk.credential(principal, assembly_id, participant_id)

    @post("/{participant_id:uuid}/card", **allow("secretary", "organiser"))
    async def bind_card(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        participant_id: FromPath[uuid.UUID],
        data: JSONBody[CardBinding],
    ) -> ParticipantView:
        """Hand a voting card to a registered participant by its pairing number (on their
        phone's screen, or outside their badge), checking them in. A credential they held before
        stops working. The desk never sees the credential itself."""
        return await desk.bind_card(principal, assembly_id, participant_id, data.pairing)

    @post("/{participant_id:uuid}/confirm", **allow("secretary", "organiser"))
    async def confirm(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        participant_id: FromPath[uuid.UUID],
    ) -> ParticipantView:
        """Once voting began, a check-in or a card handed out takes effect only when another
        person of the desk — not the one who did it — confirms it here."""
        return (await desk.confirm_participants(principal, assembly_id, [participant_id]))[0]

    @post("/confirm", status_code=201, **allow("secretary", "organiser"))
    async def confirm_many(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[ParticipantsToConfirm],
    ) -> list[ParticipantView]:
        """Confirm many late check-ins at once (each as ``…/{id}/confirm``)."""
        return await desk.confirm_participants(principal, assembly_id, data.participant_ids)

    @post("/{participant_id:uuid}/revoke", **allow("secretary", "organiser"))
    async def revoke(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        participant_id: FromPath[uuid.UUID],
    ) -> ParticipantView:
        """A lost or leaked badge: its credential stops working at once; bind a new card to
        give the participant another."""
        return await desk.revoke_credential(principal, assembly_id, participant_id)

    @get("/me", **allow("participant"))
    async def me(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
    ) -> ParticipantSelf:
        """Everything this tier holds about you, and what of it would ever leave it."""
        return await desk.me(principal, assembly_id)

    @patch("/me", **allow("participant"))
    async def correct_me(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[ParticipantCorrection],
    ) -> ParticipantSelf:
        """Correct what you declared about yourself (not your segment: ask the secretary)."""
        return await desk.correct_me(principal, assembly_id, data)


class ProposalController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/proposals"
    tags = ["proposals"]

    @post("/", status_code=201, **allow("secretary", "organiser", "participant"))
    async def submit(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[NewProposal],
    ) -> ProposalView:
        """Submit a proposal; ``possible_duplicates`` lists near-identical ones already here."""
        return await desk.submit(principal, assembly_id, data)

    @post("/bulk", status_code=201, **allow("secretary", "organiser"))
    async def submit_many(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[ProposalBatch],
    ) -> ProposalsUploaded:
        """Upload many proposals at once (a secretary's spreadsheet): one transaction."""
        return await desk.upload(principal, assembly_id, data.proposals)

    @get("/")
    async def index(
        self,
        desk: NamedDependency[AssemblyDesk],
        assembly_id: FromPath[uuid.UUID],
        axis: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1000,
        offset: Offset = 0,
    ) -> list[ProposalView]:
        """The assembly's proposals (public)."""
        return await desk.proposals(assembly_id, axis=axis, limit=limit, offset=offset)

    @post("/{proposal_id:uuid}/amend", **allow("secretary", "organiser", "participant"))
    async def amend(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        proposal_id: FromPath[uuid.UUID],
        data: JSONBody[Amendment],
    ) -> ProposalView:
        """A new text version (the author or the secretary); earlier versions stay."""
        return await desk.amend(
            principal,
            assembly_id,
            proposal_id,
            title=data.title,
            text=data.text,
            reason=data.reason,
        )

    @post("/{proposal_id:uuid}/withdraw", **allow("secretary", "organiser", "participant"))
    async def withdraw(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        proposal_id: FromPath[uuid.UUID],
    ) -> ProposalView:
        """Withdraw a submitted proposal (the author or the secretary)."""
        return await desk.withdraw(principal, assembly_id, proposal_id)

    @post("/{proposal_id:uuid}/supports", status_code=201, **allow("participant"))
    async def support(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        proposal_id: FromPath[uuid.UUID],
    ) -> ProposalView:
        """An online support (digital assemblies, up to the cycle's limit per participant)."""
        return await desk.support(principal, assembly_id, proposal_id)


class JourneyController(Controller):
    path = "/api/v1/proposals"
    tags = ["proposals"]

    @get("/{proposal_id:uuid}/journey")
    async def journey(
        self, desk: NamedDependency[AssemblyDesk], proposal_id: FromPath[uuid.UUID]
    ) -> ProposalJourney:
        """Where the proposal went: decision, report and rank, upstream item, council answers."""
        return await desk.journey(proposal_id)


class FollowUpController(Controller):
    """The public follow-up: a citizen finds their municipality, its assemblies and what became
    of each proposal."""

    path = "/api/v1/municipalities"
    tags = ["follow-up"]

    @get("/")
    async def search(
        self,
        desk: NamedDependency[AssemblyDesk],
        q: Annotated[str, QueryParameter(min_length=2, max_length=100)],
        uf: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> list[TownMatch]:
        """Municipalities of the IBGE list whose name contains ``q`` (accents, case and hyphens
        ignored; exact names first) or whose IBGE code it is."""
        return desk.find_towns(q, uf=uf, limit=limit)

    @get("/{ibge_code:str}/follow-up")
    async def follow_up(
        self,
        desk: NamedDependency[AssemblyDesk],
        ibge_code: FromPath[str],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        offset: Offset = 0,
    ) -> MunicipalityFollowUp:
        """The municipality's assemblies held here, newest first, with each proposal and the
        council's latest decision on what it became (public)."""
        return await desk.follow_up(ibge_code, limit=limit, offset=offset)


class PollController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/polls"
    tags = ["plenary"]

    @post("/", status_code=201, **allow("secretary", "organiser"))
    async def open_poll(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[NewPoll],
    ) -> PollView:
        """Open a decision poll on a proposal, a priority poll on an axis, or the election."""
        return await desk.open_poll(
            principal,
            assembly_id,
            kind=data.kind,
            mode=data.mode,
            proposal_id=data.proposal_id,
            axis=data.axis,
            amended_text=data.amended_text,
        )

    @get("/")
    async def index(
        self, desk: NamedDependency[AssemblyDesk], assembly_id: FromPath[uuid.UUID]
    ) -> list[PollView]:
        """The assembly's polls (public)."""
        return await desk.polls(assembly_id)

    @get("/{poll_id:uuid}")
    async def show(
        self,
        desk: NamedDependency[AssemblyDesk],
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
    ) -> PollView:
        """One poll, with its result once closed (public)."""
        return await desk.poll(assembly_id, poll_id)

    @post("/{poll_id:uuid}/ballots", status_code=201, **allow("participant"))
    async def cast(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
        data: JSONBody[BallotIn],
    ) -> BallotRecorded:
        """A credentialed participant's secret ballot: one per participant and poll."""
        given = [x for x in (data.choice, data.approve, data.ranking) if x is not None]
        if len(given) != 1:
            raise Invalid("give exactly one of choice, approve, ranking")
        if data.choice is not None:
            ranking: list[list[str]] = [[data.choice]]
        elif data.approve is not None:
            ranking = [list(data.approve)]
        else:
            ranking = [list(g) for g in data.ranking or []]
        return BallotRecorded(receipt=await desk.cast(principal, assembly_id, poll_id, ranking))

    @post("/{poll_id:uuid}/counts", status_code=201, **allow("secretary", "organiser"))
    async def counts(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
        data: JSONBody[CountsIn],
    ) -> BallotsAdded:
        """Counts from paper or hands, entered by the secretary (added to earlier entries)."""
        entries: list[tuple[list[list[str]], int]] = [(e.ranking, e.count) for e in data.entries]
        entries += [
            ([[c]], n)
            for c, n in (("yes", data.yes), ("no", data.no), ("abstain", data.abstain))
            if n
        ]
        return BallotsAdded(added=await desk.enter_counts(principal, assembly_id, poll_id, entries))

    @post("/{poll_id:uuid}/ballot-file", status_code=201, **allow("secretary", "organiser"))
    async def upload(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
        data: MultipartBody[BallotFileForm],
    ) -> BallotsAdded:
        """Paper ballots as a PrefLib (.soc/.soi/.toc) or CSV file (named by its extension)."""
        upload = data.data
        raw = await upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise Invalid("the ballot file is too large")
        try:
            text = raw.decode("utf-8")
            file_format = guess_format(upload.filename or "")
        except (UnicodeDecodeError, ValueError) as exc:
            raise Invalid(f"malformed ballot file: {exc}") from exc
        if file_format.value == "blt":
            raise Invalid("BLT files are for STV elections, not plenary polls")
        added = await desk.upload_ballots(principal, assembly_id, poll_id, text, file_format.value)
        return BallotsAdded(added=added)

    @post("/{poll_id:uuid}/close", **allow("secretary", "organiser"))
    async def close(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
    ) -> PollView:
        """Close a poll and apply what it decided. A poll whose ballots the desk entered (counts,
        a ballot file) is only ``counted``: another person of the desk confirms it
        (``POST …/polls/confirm``) before it decides anything."""
        return await desk.close_poll(principal, assembly_id, poll_id)

    @post("/confirm", status_code=201, **allow("secretary", "organiser"))
    async def confirm(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[PollsToConfirm],
    ) -> list[PollView]:
        """A second person of the desk — not who closed them — confirms counted polls: each is
        closed, its signed record names both people, and what it decided is applied."""
        return await desk.confirm_polls(principal, assembly_id, data.poll_ids)

    @post("/{poll_id:uuid}/send-back", status_code=201, **allow("secretary", "organiser"))
    async def send_back(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
    ) -> PollView:
        """The counted tally is not confirmed: the poll is open again, its entries kept, to be
        voided, corrected and closed again."""
        return await desk.send_back(principal, assembly_id, poll_id)

    @post("/{poll_id:uuid}/counts/void", status_code=201, **allow("secretary", "organiser"))
    async def void_counts(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
    ) -> BallotsVoided:
        """Withdraw every count and ballot file entered into an open poll (a mistyped or refused
        entry), recorded in the audit log, so the poll can be counted again and closed."""
        return BallotsVoided(withdrawn=await desk.void_counts(principal, assembly_id, poll_id))

    @get("/{poll_id:uuid}/export", media_type="text/plain")
    async def export(
        self,
        desk: NamedDependency[AssemblyDesk],
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
    ) -> Response[str]:
        """The public ballot export (PrefLib .toc) whose SHA-256 is in the tally manifest."""
        text = await desk.export(assembly_id, poll_id)
        return Response(
            text,
            media_type="text/plain; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="poll-{poll_id}.toc"'},
        )


class DecisionController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/decisions"
    tags = ["plenary"]

    @post("/", status_code=201, **allow("secretary", "organiser"))
    async def en_bloc(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[DecisionBatch],
    ) -> DecidedEnBloc:
        """Decide many proposals from entered yes/no/abstain counts in one transaction: the
        same decision polls as one by one (opened, counted, closed); any bad entry, nothing."""
        return await desk.decide_en_bloc(
            principal, assembly_id, [msgspec.structs.asdict(d) for d in data.decisions]
        )


class MotionController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/motions"
    tags = ["plenary"]

    @post("/", status_code=201, **allow("secretary", "organiser", "participant"))
    async def propose(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[NewMotion],
    ) -> MotionView:
        """Propose a motion; it collects signatures before it goes to a vote."""
        return await desk.propose_motion(
            principal, assembly_id, kind=data.kind, title=data.title, text=data.text
        )

    @get("/")
    async def index(
        self, desk: NamedDependency[AssemblyDesk], assembly_id: FromPath[uuid.UUID]
    ) -> list[MotionView]:
        """The assembly's motions (public)."""
        return await desk.motions(assembly_id)

    @post("/{motion_id:uuid}/signatures", status_code=201, **allow("participant"))
    async def sign(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        motion_id: FromPath[uuid.UUID],
    ) -> MotionView:
        """Sign a motion (a credentialed participant, once)."""
        return await desk.sign_motion(principal, assembly_id, motion_id)

    @post("/{motion_id:uuid}/vote", status_code=201, **allow("secretary", "organiser"))
    async def vote(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        motion_id: FromPath[uuid.UUID],
        data: JSONBody[MotionVote],
    ) -> PollView:
        """Put a motion with enough signatures to a yes/no/abstain poll."""
        return await desk.vote_motion(principal, assembly_id, motion_id, data.mode)


class ElectionController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}"
    tags = ["delegates"]

    @put("/allocation", **allow("secretary", "organiser"))
    async def allocation(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[AllocationIn],
    ) -> Seats:
        """Enter the seat allocation when none arrived from above."""
        return await desk.enter_allocation(
            principal, assembly_id, seats=data.seats, per_segment=dict(data.per_segment)
        )

    @get("/allocation")
    async def seats(
        self, desk: NamedDependency[AssemblyDesk], assembly_id: FromPath[uuid.UUID]
    ) -> Seats:
        """Seats per segment this assembly elects (public)."""
        return await desk.seats(assembly_id)

    @post("/candidacies", status_code=201, **allow("secretary", "organiser", "participant"))
    async def stand(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[CandidacyIn],
    ) -> CandidacyView:
        """A credentialed participant stands (or the secretary registers them) as delegate."""
        return await desk.stand(principal, assembly_id, data.participant_id)

    @post("/candidacies/bulk", status_code=201, **allow("secretary", "organiser"))
    async def stand_many(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[CandidacyBatch],
    ) -> list[CandidacyView]:
        """The secretary registers many candidacies at once (input order)."""
        return await desk.stand_many(principal, assembly_id, data.participant_ids)

    @get("/candidacies")
    async def candidacies(
        self, desk: NamedDependency[AssemblyDesk], assembly_id: FromPath[uuid.UUID]
    ) -> list[CandidacyView]:
        """Candidates standing (public fields)."""
        return await desk.candidacies(assembly_id)

    @get("/election")
    async def election(
        self, desk: NamedDependency[AssemblyDesk], assembly_id: FromPath[uuid.UUID]
    ) -> ElectionView:
        """Elected titulars and ranked alternates (public fields), with the election's notes."""
        return await desk.election(assembly_id)


class BallotBoxController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/ballot-box"
    tags = ["plenary"]

    @post("/", status_code=201, **allow("secretary", "organiser"))
    async def open_box(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
    ) -> BallotBoxOpened:
        """The key ceremony, before the first electronic poll: a new ballot box key whose
        private half stays in this service's memory; its three shares (any two restore it)
        are in this answer only, one for each member of the presiding board."""
        return await desk.open_ballot_box(principal, assembly_id)

    @get("/")
    async def state(
        self, desk: NamedDependency[AssemblyDesk], assembly_id: FromPath[uuid.UUID]
    ) -> BallotBoxState:
        """The key's fingerprint, and whether this service holds it (public)."""
        return await desk.ballot_box_state(assembly_id)

    @post("/shares", status_code=201, **allow("secretary", "organiser"))
    async def restore(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[SharesIn],
    ) -> BallotBoxState:
        """After a restart, two members of the board enter their shares: the key is rebuilt
        in memory (never written) and electronic polls can be closed again."""
        return await desk.restore_ballot_box(principal, assembly_id, data.shares)


class WorkingGroupController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/working-groups"
    tags = ["participants"]

    @post("/", status_code=201, **allow("secretary", "organiser"))
    async def place(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
        data: JSONBody[WorkingGroupPlacement],
    ) -> WorkingGroupView:
        """Place a participant in a working group of an axis (the cycle's
        ``[working_groups]``): 409 naming the segment and the figures when the group is full
        for the participant's segment; one in another group moves (that place is freed)."""
        return await desk.place_in_working_group(
            principal,
            assembly_id,
            participant_id=data.participant_id,
            axis=data.axis,
            number=data.number,
        )

    @get("/", **allow("secretary", "organiser"))
    async def groups(
        self,
        desk: NamedDependency[AssemblyDesk],
        principal: Caller,
        assembly_id: FromPath[uuid.UUID],
    ) -> list[WorkingGroupView]:
        """Every working group of the assembly with its places per segment and its members."""
        return await desk.list_working_groups(principal, assembly_id)


ROUTES = (
    AssemblyController,
    BallotBoxController,
    ParticipantController,
    VotingCardController,
    ProposalController,
    JourneyController,
    FollowUpController,
    PollController,
    DecisionController,
    MotionController,
    ElectionController,
    WorkingGroupController,
)
