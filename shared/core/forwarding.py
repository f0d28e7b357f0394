"""What a closing conference sends up — one rule for every tier (docs/spec.md §4 "Competence
routing", "Caps", "Calendar"): **rank → route → cap**.

1. *Rank*: within each axis, the plenary's priority poll decides first (tied items share the
   better rank); items the poll did not rank follow in the tier's own order (supports at a local
   assembly, the consolidated score at a state or national conference).
2. *Route*: only the competences the cycle forwards from this tier go (``[routing]``).
3. *Cap*: the cycle's caps for this kind of assembly (``[caps.<kind>]``) keep the best items
   per competence — per axis when ``per_axis``, else across axes, filled **round-robin by rank**:
   every axis's first priority before any axis's second, ties to the cycle's axis order, so no
   axis is crowded out by an alphabetically earlier one. A late assembly then keeps at most
   ``late.max_per_axis`` per axis.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TypeVar

from shared.core.cycle import CycleRules
from shared.core.vocabulary import Tier


class Rankable(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def axis(self) -> str: ...

    @property
    def competence(self) -> str: ...


class Forwardable(Rankable, Protocol):
    @property
    def rank(self) -> int: ...


R = TypeVar("R", bound=Rankable)
F = TypeVar("F", bound=Forwardable)


def rank_within_axes(
    items: Sequence[R],
    positions: Mapping[str, Mapping[str, int]],
    fallback: Callable[[R], tuple[object, ...]],
) -> list[tuple[R, int]]:
    """Each item with its rank in its axis (1 = first priority).

    ``positions`` is ``{axis: {item id: tie group index}}`` from the axis's closed priority poll;
    items in it come first, a tie group sharing the better rank; the rest follow sorted by
    ``fallback``.
    """
    by_axis: dict[str, list[R]] = defaultdict(list)
    for item in items:
        by_axis[item.axis].append(item)
    ranked: list[tuple[R, int]] = []
    for axis, members in by_axis.items():
        voted = positions.get(axis, {})
        in_poll = sorted((i for i in members if i.id in voted), key=lambda i: (voted[i.id], i.id))
        group_rank: dict[int, int] = {}
        for place, item in enumerate(in_poll, start=1):
            group_rank.setdefault(voted[item.id], place)
            ranked.append((item, group_rank[voted[item.id]]))
        rest = sorted((i for i in members if i.id not in voted), key=fallback)
        ranked.extend((item, len(in_poll) + n) for n, item in enumerate(rest, start=1))
    return ranked


def forward(
    items: Sequence[F], rules: CycleRules, *, tier: Tier, assembly_kind: str, late: bool
) -> list[F]:
    """The items a conference of ``tier`` and ``assembly_kind`` sends up, in the cycle's axis
    order then rank (see the module docstring)."""
    routed = rules.forwarded(tier)
    if tier == "local" and rules.reports_to(assembly_kind) == "national":
        # Straight to the national stage (``[routing.reports_to]``): no state conference
        # receives its state items, so only national ones travel.
        routed = [c for c in routed if c == "national"]
    caps = rules.caps.get(assembly_kind)
    axis_order = {axis.id: i for i, axis in enumerate(rules.axes)}

    def by_rank(item: F) -> tuple[int, int, str]:
        return (item.rank, axis_order.get(item.axis, len(axis_order)), item.id)

    chosen: list[F] = []
    for competence in routed:
        pool = sorted((i for i in items if i.competence == competence), key=by_rank)
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
        for item in sorted(chosen, key=by_rank):
            if per_axis[item.axis] < rules.late.max_per_axis:
                per_axis[item.axis] += 1
                kept.append(item)
        chosen = kept
    return sorted(chosen, key=lambda i: (axis_order.get(i.axis, len(axis_order)), i.rank, i.id))
