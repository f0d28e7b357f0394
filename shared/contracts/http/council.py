"""HTTP contract of the national councils: publication, assignment, rapporteurs, drafts and
answers (devolutivas); members are people appointed with a ``council`` role (the identity
feature)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from shared.contracts.fields import CycleId, Short
from shared.contracts.http.consolidation import AnswerView
from shared.contracts.messages import Milestone
from shared.core.vocabulary import CouncilDecision

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]


class Publish(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The national result becomes the consolidated mandates, each assigned to ``council``
    (the sector's council; reassign items one by one afterwards)."""

    cycle_id: CycleId
    council: Name


class Assign(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    council: Name


class Assigned(msgspec.Struct, kw_only=True):
    item_id: str
    council: str


class Published(msgspec.Struct, kw_only=True):
    cycle_id: str
    published: int


class Answer(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    decision: CouncilDecision
    justification: Annotated[str, msgspec.Meta(max_length=20_000)] = ""
    responsible_body: Short = ""
    instrument: Short = ""
    milestones: Annotated[list[Milestone], msgspec.Meta(max_length=200)] = msgspec.field(
        default_factory=list
    )


class AnswerSent(AnswerView, kw_only=True):
    """The answer recorded, with how many local proposals it is on its way to."""

    origins: int


class DraftSave(Answer, kw_only=True, forbid_unknown_fields=True):
    """A draft of the item's answer (never published): the same body as an answer, checked the
    same way, plus the draft ``version`` this edit replaces (0: there is none yet), so an edit
    made on a stale copy is refused with 409."""

    version: Annotated[int, msgspec.Meta(ge=0)] = 0


class DraftView(msgspec.Struct, kw_only=True):
    """An item's draft answer, as its council (and the commission) see it; never public."""

    item_id: str
    council: str
    version: int
    decision: str
    justification: str
    responsible_body: str
    instrument: str
    milestones: list[Milestone]
    updated_by: str
    updated_by_name: str
    updated_at: datetime


class PublishDrafts(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Publish the drafts of these items at once: all of them, or none."""

    item_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=500)]


class DraftsPublished(msgspec.Struct, kw_only=True):
    """Every draft published, as the answer (version) it became."""

    published: list[AnswerSent]


class NameRapporteur(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The council member (an account holding the item's council grant) who drafts its answer."""

    account_id: uuid.UUID


class RapporteurView(msgspec.Struct, kw_only=True):
    item_id: str
    council: str
    account_id: str
    name: str
    assigned_by: str
    assigned_at: datetime


class MandateWeight(msgspec.Struct, kw_only=True):
    """A published national item with the weight of what stands behind it: the states whose
    reports carried it, the municipalities of its local origins, the local proposals, and the
    participants of the state conferences it came through."""

    item_id: str
    cycle_id: str
    axis: str
    title: str
    text: str
    rank: int | None
    score: float
    council: str
    states: int
    municipalities: int
    proposals: int
    participants: int
    #: The latest answer's decision and version (empty and 0 until the council answers).
    decision: str = ""
    answer_version: int = 0
    #: The item's rapporteur (an account of its council), if one was named.
    rapporteur_id: str = ""
    rapporteur: str = ""
    #: The version of the item's unpublished draft (0: none); only for its council's desk.
    draft_version: int = 0
