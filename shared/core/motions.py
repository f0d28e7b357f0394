"""Motions (moções): a statement needs enough signatures before it may be put to a vote."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal

from shared.core.cycle import Motions

MotionKind = Literal["support", "repudiation", "recommendation", "appeal", "other"]


def signatures_needed(rule: Motions, credentialed: int) -> int:
    """The absolute number when the cycle sets one, else the share of credentialed participants
    (rounded up, at least one)."""
    if rule.signature_absolute is not None:
        return rule.signature_absolute
    return max(1, math.ceil(Fraction(str(rule.signature_share)) * credentialed))


def motion_approved(rule: Motions, yes: int, no: int) -> bool:
    """Approved when yes exceeds the majority share of yes + no (abstentions do not count)."""
    valid = yes + no
    return valid > 0 and Fraction(yes, valid) > Fraction(str(rule.majority))
