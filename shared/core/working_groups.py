"""Working groups with places per segment (the cycle's ``[working_groups]``), pure.

A local assembly debates each axis in ``per_axis`` working groups; each group takes at most
``per_segment[s]`` participants of segment ``s`` (a conference's "4/4/2"). The desk places a
participant in one group at a time; a group full for the participant's segment refuses them with
the figures, so the desk can offer another group.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.core.cycle import CycleRules, WorkingGroups
from shared.core.errors import Conflict, Invalid


def rule_of(rules: CycleRules) -> WorkingGroups:
    """The cycle's working-group rule; a cycle without one has no working groups."""
    if rules.working_groups is None:
        raise Invalid(f"cycle {rules.cycle_id} sets no working groups ([working_groups])")
    return rules.working_groups


def check_group(rules: CycleRules, axis: str, number: int) -> None:
    """``axis`` is one of the cycle's axes and ``number`` one of its groups (1 … per_axis)."""
    rule = rule_of(rules)
    rules.axis(axis)
    if not 1 <= number <= rule.per_axis:
        raise Invalid(
            f"axis {axis!r} has {rule.per_axis} working group(s): number 1 to {rule.per_axis}",
            number=number,
        )


def check_place(
    rules: CycleRules, axis: str, number: int, segment: str, taken: Mapping[str, int]
) -> None:
    """Whether group ``number`` of ``axis`` has a place for one more of ``segment``, given the
    places ``taken`` per segment (not counting the participant being placed)."""
    check_group(rules, axis, number)
    places = rule_of(rules).places(segment)
    used = taken.get(segment, 0)
    if places == 0:
        raise Conflict(
            f"working groups take no participants of segment {segment!r}",
            segment=segment,
            places=0,
        )
    if used >= places:
        raise Conflict(
            f"working group {number} of axis {axis!r} is full for segment {segment!r} "
            f"({used} of {places} places taken)",
            segment=segment,
            places=places,
            taken=used,
        )
