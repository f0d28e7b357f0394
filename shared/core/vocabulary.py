"""The conference's vocabulary, named once (docs/spec.md §2): tiers, competences, kinds of
assembly, statuses and decisions. Every other module imports these instead of spelling its own.
"""

from __future__ import annotations

from typing import Final, Literal

#: The three tiers of the pyramid, bottom up.
Tier = Literal["local", "regional", "national"]
TIERS: Final[tuple[Tier, ...]] = ("local", "regional", "national")
#: Which tier a tier reports to, and which tier reports to it.
PARENT: Final[dict[Tier, Tier | None]] = {
    "local": "regional",
    "regional": "national",
    "national": None,
}
CHILD: Final[dict[Tier, Tier | None]] = {"local": None, "regional": "local", "national": "regional"}

#: The whole country, as a territory.
NATION: Final = "BR"

#: Which government must act on a proposal.
Competence = Literal["municipal", "state", "national"]
COMPETENCES: Final[tuple[Competence, ...]] = ("municipal", "state", "national")

#: Kinds of assembly; the first five meet at the local tier.
AssemblyKind = Literal[
    "neighbourhood", "municipal", "intermunicipal", "free", "digital", "state", "national"
]
LocalAssemblyKind = Literal["neighbourhood", "municipal", "intermunicipal", "free", "digital"]
LOCAL_KINDS: Final[tuple[LocalAssemblyKind, ...]] = (
    "neighbourhood",
    "municipal",
    "intermunicipal",
    "free",
    "digital",
)
#: The kind of assembly a tier's own conference is (local tiers hold many kinds).
TIER_ASSEMBLY_KIND: Final[dict[Tier, AssemblyKind | None]] = {
    "local": None,
    "regional": "state",
    "national": "national",
}

#: A local assembly's lifecycle.
AssemblyStatus = Literal["draft", "open", "voting", "closed"]
#: A local proposal's status.
ProposalStatus = Literal[
    "submitted", "plenary", "approved", "approved_in_part", "rejected", "withdrawn"
]
#: A consolidated item's status at the regional and national tiers.
ItemStatus = Literal["active", "merged", "split", "undone", "rejected"]
ACTIVE: Final = "active"

#: Polls.
PollKind = Literal["decision", "priority", "motion", "election"]
PollMode = Literal["electronic", "counts", "file"]
PollStatus = Literal["open", "closed"]
DecisionOutcome = Literal["approved", "approved_in_part", "rejected", "plenary"]
MotionKind = Literal["support", "repudiation", "recommendation", "appeal", "other"]
MotionStatus = Literal["collecting", "qualified", "voting", "approved", "rejected"]

#: Delegates.
MandateRole = Literal["titular", "alternate"]

#: A council's answer to a consolidated item, and the status of one implementation milestone.
CouncilDecision = Literal["adopted", "adopted_in_part", "under_study", "rejected"]
MilestoneStatus = Literal["planned", "in_progress", "done", "delayed", "cancelled"]
