"""Which approved proposals a closing assembly forwards: competence routing, caps per kind of
assembly, and the late policy (docs/spec.md §4 "Competence routing", "Caps", "Calendar")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from shared.core.cycle import CycleRules


@dataclass(frozen=True, slots=True)
class Ranked:
    """An approved proposal with its rank within its axis (1 = first priority)."""

    id: str
    axis: str
    competence: str
    rank: int


def forwarded(
    items: Sequence[Ranked],
    rules: CycleRules,
    *,
    assembly_kind: str,
    late: bool,
    tier: str = "local",
) -> list[Ranked]:
    """Items that go up, in axis order then rank.

    A cap across axes (``per_axis = false``) is filled round-robin by rank: every axis's first
    priority before any axis's second, so no axis is crowded out; ties go to the axis order of
    the cycle. A late assembly also keeps at most ``late.max_per_axis`` per axis.
    """
    routed = rules.forwarded("regional" if tier == "regional" else "local")
    caps = rules.caps.get(assembly_kind)
    axis_order = {axis.id: i for i, axis in enumerate(rules.axes)}
    chosen: list[Ranked] = []
    for competence in routed:
        pool = [i for i in items if i.competence == competence]
        pool.sort(key=lambda i: (i.rank, axis_order.get(i.axis, 99), i.id))
        limit = caps.limit(competence) if caps else None
        taken: dict[str, int] = defaultdict(int)
        total = 0
        for item in pool:
            if limit is not None and caps is not None:
                if caps.per_axis and taken[item.axis] >= limit:
                    continue
                if not caps.per_axis and total >= limit:
                    continue
            taken[item.axis] += 1
            total += 1
            chosen.append(item)
    if late:
        per_axis: dict[str, int] = defaultdict(int)
        kept = []
        for item in sorted(chosen, key=lambda i: (i.rank, axis_order.get(i.axis, 99), i.id)):
            if per_axis[item.axis] < rules.late.max_per_axis:
                per_axis[item.axis] += 1
                kept.append(item)
        chosen = kept
    return sorted(chosen, key=lambda i: (axis_order.get(i.axis, 99), i.rank, i.id))
