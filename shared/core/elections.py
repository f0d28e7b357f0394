"""Delegate election inside the seats allocated from above (docs/spec.md §4 "Delegates").

Seats come from the allocation (or the free-conference formula); candidates are ranked by the
plenary's votes and then elected per segment by the shared delegation rule, which passes over a
candidate only when gender or quota rules could otherwise no longer be met, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from shared.core.cycle import CycleRules
from shared.core.decide.delegation import (
    Candidate,
    CompositionRule,
    DelegationResult,
    Finding,
    check_composition,
    elect_delegation,
    split_by_segment,
)

WOMAN = "woman"


@dataclass(frozen=True, slots=True)
class Elected:
    candidate_id: str
    segment: str
    role: str  # "titular" or "alternate"
    rank: int


@dataclass(frozen=True, slots=True)
class ElectionOutcome:
    seats: dict[str, int]
    elected: list[Elected]
    findings: list[Finding]
    notes: list[str]

    @property
    def complete(self) -> bool:
        return all(f.satisfied for f in self.findings)


def composition_rule(rules: CycleRules) -> CompositionRule:
    delegates = rules.delegates
    return CompositionRule(
        min_women=Fraction(str(delegates.min_women)),
        quota_groups=frozenset(delegates.quota_groups),
        min_quota=Fraction(str(delegates.min_quota)),
    )


def seats_by_segment(
    rules: CycleRules,
    *,
    seats: int | None,
    per_segment: Mapping[str, int] | None,
    assembly_kind: str,
    participants: int,
    late: bool,
) -> tuple[dict[str, int], list[str]]:
    """Seats per segment for this assembly and why: none when late (if the cycle says so); the
    allocation's split when given; else its total split by the cycle's shares; an assembly
    without an allocation whose kind has a participant formula (``[delegates.formulas.<kind>]``,
    or the free conferences' ``free_conference``) uses it."""
    notes: list[str] = []
    segments = rules.segment_ids()
    if late and not rules.late.elects_delegates:
        notes.append("closed after its deadline: the late policy elects no delegates")
        return dict.fromkeys(segments, 0), notes
    if per_segment:
        return {s: int(per_segment.get(s, 0)) for s in segments}, notes
    formula = rules.delegates.formula(assembly_kind) if seats is None else None
    if formula is not None:
        seats = formula.seats(participants)
        notes.append(
            f"{assembly_kind} conference formula: {participants} participants give {seats} seats"
        )
    if not seats:
        notes.append("no seats were allocated to this assembly")
        return dict.fromkeys(segments, 0), notes
    shares = rules.delegates.segment_shares()
    return split_by_segment(seats, shares, parity_segment=rules.delegates.parity_segment), notes


def elect(
    rules: CycleRules, ranked: Sequence[Candidate], seats: Mapping[str, int], notes: list[str]
) -> ElectionOutcome:
    """Titulars per segment, then up to ``alternates_per_segment`` ranked alternates each."""
    rule = composition_rule(rules)
    result = elect_delegation(ranked, seats, rule)
    elected: list[Elected] = []
    limit = rules.delegates.alternates_per_segment
    notes = list(notes)
    titulars: list[Candidate] = []
    for segment, size in seats.items():
        chosen = list(result.titulars.get(segment, []))
        waiting = list(result.alternates.get(segment, []))
        if len(chosen) < size and waiting:
            # The gender and quota rules could not both be met with those who stood: rather
            # than leave a seat empty, seat the best-ranked remaining candidates and say so.
            order = {c.id: i for i, c in enumerate(ranked)}
            filled = waiting[: size - len(chosen)]
            chosen = sorted(chosen + filled, key=lambda c: order[c.id])
            waiting = waiting[len(filled) :]
            notes.append(
                f"{segment}: the composition rules could not all be met by those who stood; "
                f"{len(filled)} seat(s) filled in vote order"
            )
        titulars.extend(chosen)
        for rank, person in enumerate(chosen, start=1):
            elected.append(Elected(person.id, segment, "titular", rank))
        for rank, person in enumerate(waiting[:limit], start=1):
            elected.append(Elected(person.id, segment, "alternate", rank))
    findings = check_composition(titulars, seats, rule, pool=ranked)
    findings += [
        Finding(
            "seats",
            s,
            n,
            sum(1 for c in titulars if c.segment == s),
            False,
            f"{s}: {n} seats but only {sum(1 for c in titulars if c.segment == s)} elected",
        )
        for s, n in seats.items()
        if sum(1 for c in titulars if c.segment == s) < n
    ]
    result = DelegationResult({}, {}, findings)
    for finding in result.findings:
        if not finding.satisfied or "as far as possible" in finding.explanation:
            notes.append(finding.explanation)
    return ElectionOutcome(dict(seats), elected, list(result.findings), notes)


def break_ties(
    ranking: Sequence[Sequence[str]],
    *,
    scores: Mapping[str, float],
    names: Mapping[str, str],
    standing_order: Sequence[str],
) -> tuple[list[str], list[str]]:
    """The ranking's candidates in one order, each tie group in the order the candidates
    stood (registered their candidacy), and a note for every tie saying who tied, on what
    score and how it was broken, so the result says it rather than hiding it."""
    position = {c: i for i, c in enumerate(standing_order)}
    order: list[str] = []
    notes: list[str] = []
    for group in ranking:
        members = sorted((c for c in group if c in names), key=lambda c: position.get(c, 0))
        if len(members) > 1:
            score = scores.get(members[0], 0.0)
            notes.append(
                f"tie: {', '.join(names[c] for c in members)} had {score:g} each; broken by the "
                "order in which they stood as candidates (first to stand ranks first)"
            )
        order.extend(members)
    return order, notes
