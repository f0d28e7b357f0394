"""Motions (moções): a statement needs enough signatures before it may be put to a vote."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal

from shared.core.cycle import Motions

MotionKind = Literal["support", "repudiation", "recommendation", "appeal", "other"]


def signatures_needed(rule: Motions, credentialed: int) -> int:
    """Signatures that qualify a motion: the share of credentialed participants present (rounded
    up, at least one) **or** the absolute number, whichever is reached first (CNS: 20 % of the
    delegates present or 200 signatures); a share of 0 leaves only the absolute number."""
    by_share = max(1, math.ceil(Fraction(str(rule.signature_share)) * credentialed))
    if rule.signature_absolute is None:
        return by_share
    if rule.signature_share == 0:
        return rule.signature_absolute
    return min(by_share, rule.signature_absolute)


def motion_approved(rule: Motions, yes: int, no: int) -> bool:
    """Approved when yes exceeds the majority share of yes + no (abstentions do not count)."""
    valid = yes + no
    return valid > 0 and Fraction(yes, valid) > Fraction(str(rule.majority))
