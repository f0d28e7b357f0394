"""Request bodies of the local API (msgspec Structs: validated before any use case runs)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from shared.core.participants import AgeBand, Gender, RaceColour

AssemblyKind = Literal["neighbourhood", "municipal", "intermunicipal", "free", "digital"]
Competence = Literal["municipal", "state", "national"]
PollMode = Literal["electronic", "counts", "file"]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class NewAssembly(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    cycle_id: Id
    kind: AssemblyKind
    #: IBGE 7-digit municipality code.
    territory: Annotated[str, msgspec.Meta(pattern=r"^\d{7}$")]
    uf: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")]
    title: Title
    deadline: datetime | None = None
    participants: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)] = 0
    population: Annotated[int, msgspec.Meta(ge=0, le=300_000_000)] = 0


class CycleText(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    rules_toml: Annotated[str, msgspec.Meta(min_length=1, max_length=200_000)]


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
    count: Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]


class CountsIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Decision counts (``yes``/``no``/``abstain``) or ranked ``entries`` with counts."""

    yes: Annotated[int, msgspec.Meta(ge=0)] = 0
    no: Annotated[int, msgspec.Meta(ge=0)] = 0
    abstain: Annotated[int, msgspec.Meta(ge=0)] = 0
    entries: Annotated[list[CountEntry], msgspec.Meta(max_length=100_000)] = msgspec.field(
        default_factory=list
    )


class DecisionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One proposal's counts in an en-bloc vote; negative counts are refused by the use case
    (422 naming the entry), not by the decoder."""

    proposal_id: uuid.UUID
    yes: Annotated[int, msgspec.Meta(le=100_000_000)] = 0
    no: Annotated[int, msgspec.Meta(le=100_000_000)] = 0
    abstain: Annotated[int, msgspec.Meta(le=100_000_000)] = 0
    amended_text: Text | None = None


class DecisionBatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    decisions: Annotated[list[DecisionIn], msgspec.Meta(min_length=1, max_length=10_000)]


class NewMotion(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kind: Literal["support", "repudiation", "recommendation", "appeal", "other"]
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
