"""Plenary polls as pure rules: a proposal's yes/no/abstain decision (threshold and optional
band rule), per-axis priority tallies, and the canonical public ballot export.

The export is the single source of truth of a result: the service tallies the very text it
publishes (parsed back with the shared ballot-file parser), so ``plenaria tally`` on the
downloaded file reproduces the published ranking by construction.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import msgspec

from shared.core.cycle import Decision
from shared.core.decide.ballot_files import BallotFormat, parse_ballot_file
from shared.core.decide.ballots import Profile, pairwise_matrix
from shared.core.decide.errors import DecisionError
from shared.core.decide.tally import TallyMethod, TallyResult, tally
from shared.core.errors import Invalid
from shared.core.vocabulary import DecisionOutcome

CHOICES: tuple[str, ...] = ("yes", "no", "abstain")


#: The most ballots one entry of counts may carry (bulk typing errors stop here; a poll's total
#: is bounded again by its roll and its integer columns).
MAX_COUNT = 10_000_000


class CompositionFinding(msgspec.Struct, frozen=True, kw_only=True):
    """Whether a delegation meets one composition rule (gender, a quota group), in words."""

    rule: str
    segment: str
    required: int
    actual: int
    satisfied: bool
    explanation: str


class PollResult(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What a closed poll published: the tally of its public ballot export.

    Every poll has the ranking (tie groups, best first), its winners, scores and ballot count;
    a decision or motion also its yes / no / abstain; a priority poll its pairwise counts (the
    additive evidence the tier above pools); an election the seats it filled, the composition
    findings and notes (how ties and quotas were settled).
    """

    method: str
    ranking: list[list[str]]
    winners: list[str]
    scores: dict[str, float]
    ballots: int
    yes: int = 0
    no: int = 0
    abstain: int = 0
    pairwise: list[list[int]] = msgspec.field(default_factory=list)
    pairwise_candidates: list[str] = msgspec.field(default_factory=list)
    seats: dict[str, int] = msgspec.field(default_factory=dict)
    findings: list[CompositionFinding] = msgspec.field(default_factory=list)
    notes: list[str] = msgspec.field(default_factory=list)


#: A ballot's content: tie groups of candidate ids, best first (``[["yes"]]`` for a decision).
Ranking = tuple[tuple[str, ...], ...]

#: The tally methods a plenary poll can be closed with (one winner ranking per poll).
TALLY_METHOD: dict[str, TallyMethod] = {
    "approval": TallyMethod.APPROVAL,
    "borda": TallyMethod.BORDA,
    "schulze": TallyMethod.SCHULZE,
    "copeland": TallyMethod.COPELAND,
    "ranked-pairs": TallyMethod.RANKED_PAIRS,
    "plurality": TallyMethod.PLURALITY,
}


def check_method(method: str) -> None:
    """Refuse, when a poll is opened, a method the tally cannot close it with."""
    if method not in TALLY_METHOD:
        raise Invalid(f"polls cannot be tallied by {method!r}; use one of {sorted(TALLY_METHOD)}")


@dataclass(frozen=True, slots=True)
class DecisionCount:
    yes: int
    no: int
    abstain: int

    @property
    def valid(self) -> int:
        return self.yes + self.no


def decide(count: DecisionCount, rule: Decision, *, amended: bool = False) -> DecisionOutcome:
    """Outcome of a decision poll. Without bands: approved when yes > threshold × valid votes.
    With bands: ≥ upper goes straight in, < lower is dropped, in between goes to the plenary."""
    valid = count.valid + (count.abstain if rule.abstentions_count else 0)
    share = Fraction(count.yes, valid) if valid else Fraction(0)
    if rule.bands is not None:
        if share >= Fraction(str(rule.bands.upper)):
            passed = True
        elif share < Fraction(str(rule.bands.lower)):
            passed = False
        else:
            return "plenary"
    else:
        passed = valid > 0 and share > Fraction(str(rule.threshold))
    if not passed:
        return "rejected"
    return "approved_in_part" if amended else "approved"


def normalise_ranking(
    raw: Sequence[Sequence[str]], candidates: Sequence[str], *, method: str, approvals: int
) -> Ranking:
    """Check one electronic ballot against the poll's candidates and method."""
    known = set(candidates)
    seen: set[str] = set()
    groups: list[tuple[str, ...]] = []
    for group in raw:
        members = tuple(sorted(set(group)))
        if not members:
            raise Invalid("a ballot cannot hold an empty group")
        unknown = [m for m in members if m not in known]
        if unknown:
            raise Invalid(f"unknown choice {unknown[0]!r}")
        if seen & set(members):
            raise Invalid("a choice appears twice on the ballot")
        seen |= set(members)
        groups.append(members)
    if not groups:
        raise Invalid("an empty ballot")
    if method == "approval":
        if len(seen) > approvals:
            raise Invalid(f"at most {approvals} approvals per ballot")
        return (tuple(sorted(seen)),)
    if method == "plurality" and (len(groups) != 1 or len(groups[0]) != 1):
        raise Invalid("choose exactly one option")
    return tuple(groups)


def export_preflib(
    candidates: Sequence[str], ballots: Iterable[tuple[Ranking, int]], *, title: str
) -> str:
    """Canonical PrefLib ``.toc`` text: identical ballots merged, sorted by count then order,
    so the same ballots always give the same bytes (and the same SHA-256)."""
    index = {c: i for i, c in enumerate(candidates, start=1)}
    merged: Counter[Ranking] = Counter()
    for ranking, count in ballots:
        if count > 0 and ranking:
            merged[ranking] += count
    lines = []
    for ranking, count in merged.items():
        parts = []
        for group in ranking:
            numbers = sorted(index[c] for c in group)
            parts.append(
                str(numbers[0]) if len(numbers) == 1 else "{" + ",".join(map(str, numbers)) + "}"
            )
        lines.append((count, ",".join(parts)))
    lines.sort(key=lambda line: (-line[0], line[1]))
    total = sum(count for count, _ in lines)
    header = [
        "# FILE NAME: ballots.toc",
        f"# TITLE: {title}",
        "# DATA TYPE: toc",
        f"# NUMBER ALTERNATIVES: {len(candidates)}",
        f"# NUMBER VOTERS: {total}",
        f"# NUMBER UNIQUE ORDERS: {len(lines)}",
    ]
    header += [f"# ALTERNATIVE NAME {i}: {c}" for c, i in index.items()]
    return "\n".join(header + [f"{count}: {order}" for count, order in lines]) + "\n"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def profile_of(export: str) -> Profile:
    """The profile of a published export, read by the same parser ``plenaria tally`` uses
    (an export with no ballot yet still names its candidates)."""
    if "# NUMBER VOTERS: 0\n" in export:
        prefix = "# ALTERNATIVE NAME "
        names = [
            line.split(":", 1)[1].strip() for line in export.splitlines() if line.startswith(prefix)
        ]
        return Profile(tuple(names), ())
    return parse_ballot_file(export, BallotFormat.TOC).profile


def recount(export: str, method: str, *, approvals: int | None = None) -> TallyResult:
    """Tally a published export (approval ballots list exactly the approved candidates)."""
    profile = profile_of(export)
    if not profile.candidates:
        raise Invalid("a poll needs at least one candidate")
    try:
        return tally(
            profile, TALLY_METHOD[method], approvals=None if method == "approval" else approvals
        )
    except DecisionError as exc:
        raise Invalid(str(exc)) from exc


def decision_count(profile: Profile) -> DecisionCount:
    counts = dict.fromkeys(CHOICES, 0)
    for ballot in profile.ballots:
        for choice in ballot.ranking[0] if ballot.ranking else ():
            counts[choice] += ballot.count
    return DecisionCount(counts["yes"], counts["no"], counts["abstain"])


def pairwise_counts(profile: Profile) -> list[list[int]]:
    """``matrix[i][j]``: ballots preferring candidate i to j, in the profile's candidate order."""
    matrix = pairwise_matrix(profile)
    return [[int(matrix[x, y]) for y in profile.candidates] for x in profile.candidates]


def ranking_lists(result: TallyResult) -> list[list[str]]:
    return [list(group) for group in result.ranking]
