"""Local-tier HTTP API (thin: parse, authorise, call one use case, map the result).

Tokens: the operator's admin token creates assemblies and can do anything; the secretary token
(returned once at creation) runs one assembly; a participant's voting token (returned once at
registration) votes, supports, signs and submits in that assembly only.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from services.local import assemblies, closing, cycles, journey, plenary, proposals
from services.local.auth import Actor, Role, authorise
from services.local.model import Assembly
from services.local.schemas import (
    AllocationIn,
    Amendment,
    BallotIn,
    CandidacyBatch,
    CandidacyIn,
    CountsIn,
    CycleText,
    DecisionBatch,
    MotionVote,
    NewAssembly,
    NewMotion,
    NewParticipant,
    NewPoll,
    NewProposal,
    ParticipantBatch,
    ProposalBatch,
)
from services.local.views import (
    assembly_view,
    candidacy_view,
    mandate_view,
    motion_view,
    participant_view,
    poll_view,
    proposal_view,
)
from shared.core.decide.ballot_files import guess_format
from shared.core.errors import Invalid
from shared.features.plenary import elections, motions, polls
from shared.platform.web.auth import admin_guard
from shared.platform.web.paging import MAX_OFFSET

Req = Request[Any, Any, Any]
Limit = Annotated[int, QueryParameter(ge=1, le=1000)]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)]
MAX_UPLOAD = 20 * 1024 * 1024


@dataclass
class BallotFileForm:
    """The multipart form of a ballot file: one file part named ``data``.

    A form, not a bare ``UploadFile``: Litestar's extractor for a bare file fails with a 500
    when the parts hold no file; a missing or non-file ``data`` part is a 400 this way.
    """

    data: UploadFile


def _token(request: Req) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@dataclass
class Scope:
    session: AsyncSession
    assembly: Assembly
    actor: Actor


@asynccontextmanager
async def acting(
    request: Req, assembly_id: uuid.UUID, *roles: Role, lock: bool = False
) -> AsyncIterator[Scope]:
    """One transaction, the assembly, and the caller checked against it."""
    node = request.app.state.node
    async with node.sessions() as session, session.begin():
        assembly = await assemblies.get_assembly(session, assembly_id, lock=lock)
        actor = await authorise(
            session, _token(request), node.settings.admin_token, assembly, *roles
        )
        yield Scope(session, assembly, actor)


@asynccontextmanager
async def reading(request: Req, assembly_id: uuid.UUID) -> AsyncIterator[Scope]:
    async with request.app.state.node.sessions() as session:
        assembly = await assemblies.get_assembly(session, assembly_id)
        yield Scope(session, assembly, Actor("participant"))


class CycleController(Controller):
    path = "/api/v1/cycles"
    tags = ["cycles"]

    @post("/", guards=[admin_guard], status_code=201)
    async def load(self, request: Req, data: JSONBody[CycleText]) -> dict[str, Any]:
        """Store a cycle's TOML rules (normally they arrive from the national tier)."""
        async with request.app.state.node.sessions() as session, session.begin():
            rules = await cycles.store_cycle(session, data.rules_toml, source="admin")
        return msgspec.to_builtins(rules)  # type: ignore[no-any-return]

    @post("/presets/{name:str}", guards=[admin_guard], status_code=201)
    async def load_preset(self, request: Req, name: FromPath[str]) -> dict[str, Any]:
        async with request.app.state.node.sessions() as session, session.begin():
            rules = await cycles.load_preset(session, name)
        return msgspec.to_builtins(rules)  # type: ignore[no-any-return]

    @get("/{cycle_id:str}")
    async def show(self, request: Req, cycle_id: FromPath[str]) -> dict[str, Any]:
        async with request.app.state.node.sessions() as session:
            rules = await cycles.rules_for(session, cycle_id)
        return msgspec.to_builtins(rules)  # type: ignore[no-any-return]


class AssemblyController(Controller):
    path = "/api/v1/assemblies"
    tags = ["assemblies"]

    @post("/", guards=[admin_guard], status_code=201)
    async def create(self, request: Req, data: JSONBody[NewAssembly]) -> dict[str, Any]:
        """Create an assembly (draft); the secretary token is in this answer only."""
        node = request.app.state.node
        async with node.sessions() as session, session.begin():
            created = await assemblies.create_assembly(
                session, node.outbox, node.settings.sender_id, **msgspec.structs.asdict(data)
            )
            view = assembly_view(created.assembly)
        node.announce()
        return {**view, "secretary_token": created.secretary_token}

    @get("/")
    async def index(
        self, request: Req, limit: Limit = 100, offset: Offset = 0
    ) -> list[dict[str, Any]]:
        async with request.app.state.node.sessions() as session:
            rows = await assemblies.list_assemblies(session, limit, offset)
        return [assembly_view(a) for a in rows]

    @get("/{assembly_id:uuid}")
    async def show(self, request: Req, assembly_id: FromPath[uuid.UUID]) -> dict[str, Any]:
        async with reading(request, assembly_id) as s:
            return assembly_view(s.assembly)

    @post("/{assembly_id:uuid}/open")
    async def open(self, request: Req, assembly_id: FromPath[uuid.UUID]) -> dict[str, Any]:
        async with acting(request, assembly_id, "secretary", lock=True) as s:
            return assembly_view(await assemblies.advance(s.session, s.assembly, "open"))

    @post("/{assembly_id:uuid}/voting")
    async def start_voting(self, request: Req, assembly_id: FromPath[uuid.UUID]) -> dict[str, Any]:
        async with acting(request, assembly_id, "secretary", lock=True) as s:
            return assembly_view(await assemblies.advance(s.session, s.assembly, "voting"))

    @post("/{assembly_id:uuid}/close", status_code=202)
    async def close(self, request: Req, assembly_id: FromPath[uuid.UUID]) -> dict[str, Any]:
        """Close the assembly; its signed report goes up as soon as NATS accepts it."""
        node = request.app.state.node
        async with acting(request, assembly_id, "secretary") as s:
            report = await closing.close_assembly(s.session, node.outbox, assembly_id)
        node.announce()
        return {
            "report_id": report.report_id,
            "items": len(report.items),
            "late": report.late,
            "mandates": len(report.mandates),
            "motions": len(report.motions),
            "manifests": len(report.manifests),
            "delegation_notes": report.delegation_notes,
        }


class ParticipantController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/participants"
    tags = ["participants"]

    @post("/", status_code=201)
    async def register(
        self, request: Req, assembly_id: FromPath[uuid.UUID], data: JSONBody[NewParticipant]
    ) -> dict[str, Any]:
        """Register a participant; the voting token is in this answer only."""
        async with acting(request, assembly_id, "secretary") as s:
            done = await assemblies.register_participant(
                s.session, s.assembly, **msgspec.structs.asdict(data)
            )
            return {**participant_view(done.participant), "voting_token": done.voting_token}

    @post("/bulk", status_code=201)
    async def register_many(
        self, request: Req, assembly_id: FromPath[uuid.UUID], data: JSONBody[ParticipantBatch]
    ) -> list[dict[str, Any]]:
        """Register many participants in one transaction; the voting tokens, in input order,
        are in this answer only."""
        async with acting(request, assembly_id, "secretary") as s:
            done = await assemblies.register_participants(
                s.session, s.assembly, [msgspec.structs.asdict(p) for p in data.participants]
            )
            return [
                {**participant_view(d.participant), "voting_token": d.voting_token} for d in done
            ]

    @get("/")
    async def index(self, request: Req, assembly_id: FromPath[uuid.UUID]) -> list[dict[str, Any]]:
        async with acting(request, assembly_id, "secretary") as s:
            return [
                participant_view(p)
                for p in await assemblies.list_participants(s.session, s.assembly)
            ]

    @post("/{participant_id:uuid}/credential")
    async def credential(
        self, request: Req, assembly_id: FromPath[uuid.UUID], participant_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        async with acting(request, assembly_id, "secretary") as s:
            return participant_view(
                await assemblies.credential(s.session, s.assembly, participant_id)
            )


class ProposalController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/proposals"
    tags = ["proposals"]

    @post("/", status_code=201)
    async def submit(
        self, request: Req, assembly_id: FromPath[uuid.UUID], data: JSONBody[NewProposal]
    ) -> dict[str, Any]:
        """Submit a proposal; ``possible_duplicates`` lists near-identical ones already here."""
        async with acting(request, assembly_id, "secretary", "participant") as s:
            rows = await proposals.submit_many(
                s.session, s.assembly, s.actor, [msgspec.structs.asdict(data)]
            )
            return proposal_view(rows[0])

    @post("/bulk", status_code=201)
    async def submit_many(
        self, request: Req, assembly_id: FromPath[uuid.UUID], data: JSONBody[ProposalBatch]
    ) -> dict[str, Any]:
        """Upload many proposals at once (a convener's spreadsheet): one transaction."""
        async with acting(request, assembly_id, "secretary") as s:
            rows = await proposals.submit_many(
                s.session, s.assembly, s.actor, [msgspec.structs.asdict(p) for p in data.proposals]
            )
            flagged = [str(r["id"]) for r in rows if r["possible_duplicates"]]
            return {"created": len(rows), "ids": [str(r["id"]) for r in rows], "flagged": flagged}

    @get("/")
    async def index(
        self,
        request: Req,
        assembly_id: FromPath[uuid.UUID],
        axis: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1000,
        offset: Offset = 0,
    ) -> list[dict[str, Any]]:
        async with reading(request, assembly_id) as s:
            rows = await proposals.list_proposals(
                s.session, s.assembly, axis=axis, limit=limit, offset=offset
            )
            return [proposal_view(p) for p in rows]

    @post("/{proposal_id:uuid}/amend")
    async def amend(
        self,
        request: Req,
        assembly_id: FromPath[uuid.UUID],
        proposal_id: FromPath[uuid.UUID],
        data: JSONBody[Amendment],
    ) -> dict[str, Any]:
        async with acting(request, assembly_id, "secretary", "participant") as s:
            return proposal_view(
                await proposals.amend(
                    s.session,
                    s.assembly,
                    s.actor,
                    proposal_id,
                    title=data.title,
                    text=data.text,
                    reason=data.reason,
                )
            )

    @post("/{proposal_id:uuid}/withdraw")
    async def withdraw(
        self, request: Req, assembly_id: FromPath[uuid.UUID], proposal_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        async with acting(request, assembly_id, "secretary", "participant") as s:
            return proposal_view(
                await proposals.withdraw(s.session, s.assembly, s.actor, proposal_id)
            )

    @post("/{proposal_id:uuid}/supports", status_code=201)
    async def support(
        self, request: Req, assembly_id: FromPath[uuid.UUID], proposal_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        async with acting(request, assembly_id, "participant") as s:
            return proposal_view(
                await proposals.support(s.session, s.assembly, s.actor, proposal_id)
            )


class JourneyController(Controller):
    path = "/api/v1/proposals"
    tags = ["proposals"]

    @get("/{proposal_id:uuid}/journey")
    async def journey(self, request: Req, proposal_id: FromPath[uuid.UUID]) -> dict[str, Any]:
        """Where the proposal went: decision, report and rank, upstream item, council answers."""
        async with request.app.state.node.sessions() as session:
            return await journey.journey(session, proposal_id)


class PollController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/polls"
    tags = ["plenary"]

    @post("/", status_code=201)
    async def open_poll(
        self, request: Req, assembly_id: FromPath[uuid.UUID], data: JSONBody[NewPoll]
    ) -> dict[str, Any]:
        async with acting(request, assembly_id, "secretary") as s:
            poll = await plenary.open_poll(
                s.session,
                s.assembly,
                kind=data.kind,
                mode=data.mode,
                proposal_id=data.proposal_id,
                axis=data.axis,
                amended_text=data.amended_text,
            )
            return poll_view(poll)

    @get("/")
    async def index(self, request: Req, assembly_id: FromPath[uuid.UUID]) -> list[dict[str, Any]]:
        async with reading(request, assembly_id) as s:
            return [poll_view(p) for p in await polls.list_polls(s.session, str(assembly_id))]

    @get("/{poll_id:uuid}")
    async def show(
        self, request: Req, assembly_id: FromPath[uuid.UUID], poll_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        async with reading(request, assembly_id) as s:
            return poll_view(await plenary.poll_of(s.session, s.assembly, poll_id))

    @post("/{poll_id:uuid}/ballots", status_code=201)
    async def cast(
        self,
        request: Req,
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
        data: JSONBody[BallotIn],
    ) -> dict[str, Any]:
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
        async with acting(request, assembly_id, "participant") as s:
            await plenary.cast(s.session, s.assembly, s.actor, poll_id, ranking)
        return {"recorded": True}

    @post("/{poll_id:uuid}/counts", status_code=201)
    async def counts(
        self,
        request: Req,
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
        data: JSONBody[CountsIn],
    ) -> dict[str, Any]:
        """Counts from paper or hands, entered by the secretary (added to earlier entries)."""
        entries: list[tuple[Any, int]] = [(e.ranking, e.count) for e in data.entries]
        entries += [
            ([[c]], n)
            for c, n in (("yes", data.yes), ("no", data.no), ("abstain", data.abstain))
            if n
        ]
        async with acting(request, assembly_id, "secretary") as s:
            added = await plenary.enter_counts(s.session, s.assembly, poll_id, entries)
        return {"added": added}

    @post("/{poll_id:uuid}/ballot-file", status_code=201)
    async def upload(
        self,
        request: Req,
        assembly_id: FromPath[uuid.UUID],
        poll_id: FromPath[uuid.UUID],
        data: MultipartBody[BallotFileForm],
    ) -> dict[str, Any]:
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
        async with acting(request, assembly_id, "secretary") as s:
            added = await plenary.upload(s.session, s.assembly, poll_id, text, file_format.value)
        return {"added": added}

    @post("/{poll_id:uuid}/close")
    async def close(
        self, request: Req, assembly_id: FromPath[uuid.UUID], poll_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        async with acting(request, assembly_id, "secretary") as s:
            return poll_view(await plenary.close(s.session, s.assembly, poll_id))

    @get("/{poll_id:uuid}/export", media_type="text/plain")
    async def export(
        self, request: Req, assembly_id: FromPath[uuid.UUID], poll_id: FromPath[uuid.UUID]
    ) -> Response[str]:
        """The public ballot export (PrefLib .toc) whose SHA-256 is in the tally manifest."""
        async with reading(request, assembly_id) as s:
            poll = await plenary.poll_of(s.session, s.assembly, poll_id)
            text = await polls.export_text(s.session, poll)
        return Response(
            text,
            media_type="text/plain; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="poll-{poll_id}.toc"'},
        )


class DecisionController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/decisions"
    tags = ["plenary"]

    @post("/", status_code=201)
    async def en_bloc(
        self, request: Req, assembly_id: FromPath[uuid.UUID], data: JSONBody[DecisionBatch]
    ) -> dict[str, Any]:
        """Decide many proposals from entered yes/no/abstain counts in one transaction: the
        same decision polls as one by one (opened, counted, closed); any bad entry, nothing."""
        entries = [plenary.DecisionCounts(**msgspec.structs.asdict(d)) for d in data.decisions]
        async with acting(request, assembly_id, "secretary") as s:
            closed = await plenary.decide_en_bloc(s.session, s.assembly, entries)
            return {"decided": len(closed), "polls": [poll_view(p) for p in closed]}


class MotionController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}/motions"
    tags = ["plenary"]

    @post("/", status_code=201)
    async def propose(
        self, request: Req, assembly_id: FromPath[uuid.UUID], data: JSONBody[NewMotion]
    ) -> dict[str, Any]:
        async with acting(request, assembly_id, "secretary", "participant") as s:
            motion = await plenary.propose_motion(
                s.session, s.assembly, kind=data.kind, title=data.title, text=data.text
            )
            return motion_view(motion)

    @get("/")
    async def index(self, request: Req, assembly_id: FromPath[uuid.UUID]) -> list[dict[str, Any]]:
        async with reading(request, assembly_id) as s:
            return [motion_view(m) for m in await motions.list_motions(s.session, str(assembly_id))]

    @post("/{motion_id:uuid}/signatures", status_code=201)
    async def sign(
        self, request: Req, assembly_id: FromPath[uuid.UUID], motion_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        async with acting(request, assembly_id, "participant") as s:
            return motion_view(await plenary.sign_motion(s.session, s.assembly, s.actor, motion_id))

    @post("/{motion_id:uuid}/vote", status_code=201)
    async def vote(
        self,
        request: Req,
        assembly_id: FromPath[uuid.UUID],
        motion_id: FromPath[uuid.UUID],
        data: JSONBody[MotionVote],
    ) -> dict[str, Any]:
        """Put a motion with enough signatures to a yes/no/abstain poll."""
        async with acting(request, assembly_id, "secretary") as s:
            return poll_view(await plenary.vote_motion(s.session, s.assembly, motion_id, data.mode))


class ElectionController(Controller):
    path = "/api/v1/assemblies/{assembly_id:uuid}"
    tags = ["delegates"]

    @put("/allocation")
    async def allocation(
        self, request: Req, assembly_id: FromPath[uuid.UUID], data: JSONBody[AllocationIn]
    ) -> dict[str, Any]:
        """Enter the seat allocation when none arrived from above."""
        async with acting(request, assembly_id, "secretary") as s:
            return await plenary.enter_allocation(
                s.session, s.assembly, seats=data.seats, per_segment=dict(data.per_segment)
            )

    @get("/allocation")
    async def seats(self, request: Req, assembly_id: FromPath[uuid.UUID]) -> dict[str, Any]:
        async with reading(request, assembly_id) as s:
            seats, notes = await plenary.election_seats(s.session, s.assembly)
        return {"seats": seats, "notes": notes}

    @post("/candidacies", status_code=201)
    async def stand(
        self, request: Req, assembly_id: FromPath[uuid.UUID], data: JSONBody[CandidacyIn]
    ) -> dict[str, Any]:
        async with acting(request, assembly_id, "secretary", "participant") as s:
            return candidacy_view(
                await plenary.stand(s.session, s.assembly, s.actor, data.participant_id)
            )

    @post("/candidacies/bulk", status_code=201)
    async def stand_many(
        self, request: Req, assembly_id: FromPath[uuid.UUID], data: JSONBody[CandidacyBatch]
    ) -> list[dict[str, Any]]:
        """The secretary registers many candidacies at once (input order)."""
        async with acting(request, assembly_id, "secretary") as s:
            rows = await plenary.stand_many(s.session, s.assembly, data.participant_ids)
            return [candidacy_view(c) for c in rows]

    @get("/candidacies")
    async def candidacies(
        self, request: Req, assembly_id: FromPath[uuid.UUID]
    ) -> list[dict[str, Any]]:
        async with reading(request, assembly_id) as s:
            return [
                candidacy_view(c) for c in await elections.candidacies(s.session, str(assembly_id))
            ]

    @get("/election")
    async def election(self, request: Req, assembly_id: FromPath[uuid.UUID]) -> dict[str, Any]:
        """Elected titulars and ranked alternates (public fields), with the election's notes."""
        async with reading(request, assembly_id) as s:
            rows = await elections.mandates(s.session, str(assembly_id))
            election = await elections.closed_election(s.session, str(assembly_id))
            result = (election.result or {}) if election else {}
            if "seats" in result and "notes" in result:  # the closed election's own
                seats, notes = result["seats"], result["notes"]
            else:
                seats, notes = await plenary.election_seats(s.session, s.assembly)
        return {
            "seats": result.get("seats", seats),
            "mandates": [mandate_view(m) for m in rows],
            "findings": result.get("findings", []),
            "notes": result.get("notes", notes),
            "complete": election.outcome == "complete" if election else None,
        }


ROUTES = [
    CycleController,
    AssemblyController,
    ParticipantController,
    ProposalController,
    JourneyController,
    PollController,
    DecisionController,
    MotionController,
    ElectionController,
]
