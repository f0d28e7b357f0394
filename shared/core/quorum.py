"""Quorum (quórum): how many credentialed voice-and-vote participants a local assembly needs
before its desk opens a vote. SPEC is silent; the rule is the cycle's ``[quorum]`` (a share of
the participants registered with a vote, or a count), and without it there is no quorum."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from shared.core.cycle import Quorum


@dataclass(frozen=True, slots=True)
class QuorumState:
    """Credentialed voters present, and how many the rule needs (``None``: no rule)."""

    present: int
    needed: int | None

    @property
    def reached(self) -> bool:
        return self.needed is None or self.present >= self.needed


def quorum_needed(rule: Quorum | None, registered_voters: int) -> int | None:
    """Credentialed voters the rule needs: its ``count``, or its ``share`` of the participants
    registered with a vote, rounded up (at least one); ``None`` without a rule."""
    if rule is None:
        return None
    if rule.count is not None:
        return rule.count
    if rule.share is None:
        return None
    return max(1, math.ceil(Fraction(str(rule.share)) * registered_voters))


def quorum_of(rule: Quorum | None, *, present: int, registered_voters: int) -> QuorumState:
    return QuorumState(present=present, needed=quorum_needed(rule, registered_voters))
