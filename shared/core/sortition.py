"""A civic lottery inside a conference: who may be drawn, on which quotas, from which seed.

The draw itself is ``shared.core.decide.lottery`` (sortition-algorithms). What this module adds
is what makes a draw held by a conference checkable by anyone afterwards:

- the pool as published — pseudonymous ids (``V001``…) and only the features the quotas use —
  written in exactly the CSV ``plenaria lottery --pool`` reads, and its SHA-256 (the *pool
  digest*) fixed when the pool closes;
- the quotas as integer bounds for the panel's size, in the CSV ``--quotas`` reads;
- a seed nobody can choose: the organiser commits to a secret (publishing its SHA-256) while
  the pool is open, and reveals it once the pool is closed; the seed is derived from the
  secret, the pool digest and, when the cycle names a public source, the value it published.
  Whoever holds the published files re-runs the draw with the CLI and gets the same panel.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shared.core.cycle import Lottery
from shared.core.decide.lottery import PoolMember, Quota
from shared.core.errors import Invalid

#: The values each lottery feature can take (``shared.core.participants``' vocabulary; the
#: booleans as yes/no).
FEATURE_VALUES: Mapping[str, tuple[str, ...]] = {
    "gender": ("woman", "man", "non_binary", "other", "undeclared"),
    "race_colour": ("branca", "preta", "parda", "amarela", "indigena", "undeclared"),
    "age_band": ("under_18", "18_29", "30_59", "60_plus", "undeclared"),
    "disability": ("yes", "no"),
    "lgbtqia": ("yes", "no"),
    "traditional": ("yes", "no"),
}
#: The feature every pool has: all volunteers are of the lottery's segment, so its quota row
#: (the whole panel) always holds — and the CLI always has a quota file to read.
SEGMENT_FEATURE = "segment"
_SECRET = re.compile(r"^[\x21-\x7e]{16,200}$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_MAX_SEED = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Volunteer:
    """A volunteer as the draw sees them: a pseudonym and their self-declared attributes."""

    pseudonym: str
    segment: str
    gender: str = "undeclared"
    race_colour: str = "undeclared"
    age_band: str = "undeclared"
    disability: bool = False
    lgbtqia: bool = False
    traditional: bool = False

    def feature(self, name: str) -> str:
        if name == SEGMENT_FEATURE:
            return self.segment
        value = getattr(self, name)
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value) or "undeclared"


def pseudonym(number: int) -> str:
    """The public name of the ``number``-th volunteer of an assembly (V001, V002…)."""
    return f"V{number:03d}"


def quota_features(rules: Lottery) -> list[str]:
    """The features a draw balances, in the cycle's order, the segment first."""
    features = [SEGMENT_FEATURE]
    for quota in rules.quotas:
        if quota.feature not in features:
            features.append(quota.feature)
    return features


def panel_quotas(rules: Lottery, size: int) -> list[Quota]:
    """Integer bounds for a panel of ``size``: each share rounded outwards (a minimum down, a
    maximum up); every value of a balanced feature gets a row, unnamed ones 0 … size."""
    quotas = [Quota(SEGMENT_FEATURE, rules.segment, size, size)]
    for feature in quota_features(rules)[1:]:
        named = {q.value: q for q in rules.quotas if q.feature == feature}
        for value in FEATURE_VALUES[feature]:
            rule = named.get(value)
            low = math.floor(rule.min_share * size + 1e-9) if rule else 0
            high = math.ceil(rule.max_share * size - 1e-9) if rule else size
            quotas.append(Quota(feature, value, low, high))
    return quotas


def pool_members(rules: Lottery, volunteers: Sequence[Volunteer]) -> list[PoolMember]:
    features = quota_features(rules)
    return [
        PoolMember(v.pseudonym, {name: v.feature(name) for name in features}) for v in volunteers
    ]


def pool_csv(rules: Lottery, volunteers: Sequence[Volunteer]) -> str:
    """The pool as published and as ``plenaria lottery --pool`` reads it (sorted by id)."""
    features = quota_features(rules)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", *features])
    for member in sorted(pool_members(rules, volunteers), key=lambda m: m.id):
        writer.writerow([member.id, *(member.features[name] for name in features)])
    return out.getvalue()


def quotas_csv(quotas: Sequence[Quota]) -> str:
    """The quotas as ``plenaria lottery --quotas`` reads them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["feature", "value", "min", "max"])
    for quota in quotas:
        writer.writerow([quota.feature, quota.value, quota.min, quota.max])
    return out.getvalue()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def check_secret(secret: str) -> None:
    if not _SECRET.fullmatch(secret):
        raise Invalid("the secret must be 16 to 200 printable characters without spaces")


def check_commitment(commitment: str) -> str:
    value = commitment.strip().lower()
    if not _DIGEST.fullmatch(value):
        raise Invalid("the commitment must be the SHA-256 of the secret, 64 hexadecimal digits")
    return value


def derive_seed(secret: str, pool_digest: str, public_value: str = "") -> int:
    """The draw's seed (1 … 2³¹−1) from the revealed secret, the closed pool and the public
    source's value: ``sha256("secret|pool digest|public value")``'s first 8 bytes."""
    material = f"{secret}|{pool_digest}|{public_value.strip()}".encode()
    number = int.from_bytes(hashlib.sha256(material).digest()[:8], "big")
    return number % _MAX_SEED + 1
