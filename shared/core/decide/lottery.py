"""Civic lottery (sorteio cívico) with quotas, through the maintained ``sortition-algorithms`` library.

The library computes a fair distribution over quota-satisfying panels (LEXIMIN needs its Gurobi
backend; without it we run MAXIMIN on HiGHS and say so). We publish every pool member's selection
probability and draw one panel from the distribution with ``random.Random(seed)``, so anyone can
reproduce the draw from the published seed. The legacy algorithm has no distribution: its
probabilities are estimated from repeated draws and flagged as such.

The fair algorithms take minutes for pools of ~1,000 on two cores: services run this as a
background job. Feasibility is checked first so that an impossible quota names its feature.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from shared.core.decide.errors import LotteryError

_MAX_SEED = 2**31 - 1


class LotteryMethod(StrEnum):
    LEXIMIN = "leximin"
    MAXIMIN = "maximin"
    NASH = "nash"
    LEGACY = "legacy"


@dataclass(frozen=True, slots=True)
class Quota:
    """Between ``min`` and ``max`` panel members must have ``value`` for ``feature``."""

    feature: str
    value: str
    min: int
    max: int


@dataclass(frozen=True, slots=True)
class PoolMember:
    id: str
    features: Mapping[str, str]


@dataclass(frozen=True)
class LotteryResult:
    selected: tuple[str, ...]
    probabilities: dict[str, float]
    seed: int
    method: str  # the algorithm that actually ran
    requested_method: str
    probabilities_estimated: bool = False
    panels: int = 0  # panels in the distribution the draw was made from


def leximin_available() -> bool:
    """LEXIMIN needs the Gurobi backend of sortition-algorithms (not installed by default)."""
    from sortition_algorithms.committee_generation import GUROBI_AVAILABLE

    return bool(GUROBI_AVAILABLE)


def new_seed() -> int:
    """A fresh seed to publish with the draw (1 … 2³¹−1; the library treats 0 as 'no seed')."""
    return secrets.randbelow(_MAX_SEED) + 1


def check_quotas(size: int, quotas: Sequence[Quota], pool: Sequence[PoolMember]) -> None:
    """Raise ``LotteryError`` naming the feature when the quotas cannot be met on their face."""
    if size < 1:
        raise LotteryError(f"the panel size must be positive, got {size}")
    if size > len(pool):
        raise LotteryError(f"a panel of {size} cannot be drawn from a pool of {len(pool)}")
    ids = [member.id for member in pool]
    duplicate = (
        next((i for n, i in enumerate(ids) if i in ids[:n]), None)
        if len(set(ids)) < len(ids)
        else None
    )
    if duplicate is not None:
        raise LotteryError(f"pool id {duplicate!r} appears twice")
    by_feature: dict[str, list[Quota]] = {}
    for quota in quotas:
        if quota.min < 0 or quota.max < quota.min:
            raise LotteryError(
                f"feature {quota.feature!r} value {quota.value!r}: need 0 <= min <= max, "
                f"got {quota.min}..{quota.max}",
                quota.feature,
            )
        by_feature.setdefault(quota.feature, []).append(quota)
    for feature, values in by_feature.items():
        known = {q.value.lower() for q in values}
        for member in pool:
            value = member.features.get(feature)
            if value is None:
                raise LotteryError(f"pool member {member.id!r} has no {feature!r} column", feature)
            if value.strip().lower() not in known:
                raise LotteryError(
                    f"feature {feature!r}: pool member {member.id!r} has value {value!r}, "
                    "which has no quota row",
                    feature,
                )
        low = sum(q.min for q in values)
        high = sum(q.max for q in values)
        if low > size:
            raise LotteryError(
                f"feature {feature!r}: the minimums add up to {low}, more than the panel of {size}",
                feature,
            )
        if high < size:
            raise LotteryError(
                f"feature {feature!r}: the maximums add up to {high}, less than the panel of {size}",
                feature,
            )
        for quota in values:
            present = sum(
                1 for m in pool if m.features[feature].strip().lower() == quota.value.lower()
            )
            if present < quota.min:
                raise LotteryError(
                    f"feature {feature!r}: value {quota.value!r} needs at least {quota.min} "
                    f"but the pool has {present}",
                    feature,
                )


def draw_panel(
    size: int,
    quotas: Sequence[Quota],
    pool: Sequence[PoolMember],
    *,
    seed: int | None = None,
    method: LotteryMethod | str = LotteryMethod.LEXIMIN,
    legacy_samples: int = 200,
) -> LotteryResult:
    """Draw a panel of ``size`` meeting ``quotas`` from ``pool``; see the module docstring."""
    from sortition_algorithms import errors as sortition_errors
    from sortition_algorithms.utils import set_random_provider

    requested = LotteryMethod(method)
    if seed is None:
        seed = new_seed()
    if not 1 <= seed <= _MAX_SEED:
        raise LotteryError(f"the seed must be between 1 and {_MAX_SEED}, got {seed}")
    check_quotas(size, quotas, pool)
    used = requested
    if requested is LotteryMethod.LEXIMIN and not leximin_available():
        used = LotteryMethod.MAXIMIN
    features, people = _library_inputs(quotas, pool)
    set_random_provider(seed)  # the library draws its own randomness from this provider
    try:
        if used is LotteryMethod.LEGACY:
            return _draw_legacy(size, features, people, seed, requested, legacy_samples)
        committees, weights = _distribution(used, size, features, people)
    except sortition_errors.InfeasibleQuotasError as error:
        culprits = _relaxed_features(quotas, error.features)
        named = ", ".join(repr(f) for f in culprits) or "the quotas"
        detail = "; ".join(error.all_lines[1:])
        raise LotteryError(
            f"no panel meets the quotas of feature {named}: {detail}",
            culprits[0] if culprits else None,
        ) from None
    except (sortition_errors.SortitionBaseError, RuntimeError) as error:
        raise LotteryError(f"the lottery could not be drawn: {error}") from None
    panels = sorted(
        (tuple(sorted(c)), p) for c, p in zip(committees, weights, strict=True) if p > 0
    )
    total = sum(p for _, p in panels)
    probabilities = {member.id: 0.0 for member in pool}
    for panel, weight in panels:
        for person in panel:
            probabilities[person] += weight / total
    rng = random.Random(seed)
    chosen = rng.choices([panel for panel, _ in panels], weights=[p for _, p in panels])[0]
    return LotteryResult(
        selected=chosen,
        probabilities={k: round(v, 6) for k, v in probabilities.items()},
        seed=seed,
        method=used.value,
        requested_method=requested.value,
        panels=len(panels),
    )


def _distribution(
    method: LotteryMethod, size: int, features: object, people: object
) -> tuple[list[frozenset[str]], list[float]]:
    from sortition_algorithms.committee_generation import (
        find_distribution_leximin,
        find_distribution_maximin,
        find_distribution_nash,
    )

    finder = {
        LotteryMethod.LEXIMIN: find_distribution_leximin,
        LotteryMethod.MAXIMIN: find_distribution_maximin,
        LotteryMethod.NASH: find_distribution_nash,
    }[method]
    committees, probabilities, _report = finder(features, people, size, [])  # type: ignore[arg-type]
    return list(committees), [float(p) for p in probabilities]


def _draw_legacy(
    size: int,
    features: object,
    people: object,
    seed: int,
    requested: LotteryMethod,
    samples: int,
) -> LotteryResult:
    from sortition_algorithms.committee_generation import find_random_sample_legacy

    def once() -> frozenset[str]:
        committees, _ = find_random_sample_legacy(people, features, size, [], max_attempts=10)  # type: ignore[arg-type]
        return committees[0]

    selected = once()
    counts: dict[str, int] = dict.fromkeys(people, 0)  # type: ignore[call-overload]
    for _ in range(samples):
        for person in once():
            counts[person] += 1
    return LotteryResult(
        selected=tuple(sorted(selected)),
        probabilities={k: round(v / samples, 6) for k, v in counts.items()},
        seed=seed,
        method=LotteryMethod.LEGACY.value,
        requested_method=requested.value,
        probabilities_estimated=True,
        panels=0,
    )


def _library_inputs(quotas: Sequence[Quota], pool: Sequence[PoolMember]) -> tuple[object, object]:
    from requests.structures import CaseInsensitiveDict
    from sortition_algorithms.features import (
        FeatureCollection,
        FeatureValueMinMax,
        set_default_max_flex,
    )
    from sortition_algorithms.people import People

    features: FeatureCollection = CaseInsensitiveDict()
    for quota in quotas:
        if quota.feature not in features:
            features[quota.feature] = CaseInsensitiveDict()
        features[quota.feature][quota.value] = FeatureValueMinMax(min=quota.min, max=quota.max)
    set_default_max_flex(features)
    people = People(columns_to_keep=[])
    for row, member in enumerate(pool, start=2):
        data: CaseInsensitiveDict[str] = CaseInsensitiveDict()
        for feature in features:
            data[feature] = _canonical_value(features[feature], member.features[feature])
        people.add(member.id, data, features, row)
    return features, people


def _canonical_value(values: Mapping[str, object], raw: str) -> str:
    wanted = raw.strip().lower()
    return next((str(v) for v in values if str(v).lower() == wanted), raw.strip())


def _relaxed_features(
    quotas: Sequence[Quota], relaxed: Mapping[str, Mapping[str, object]]
) -> list[str]:
    """Features whose bounds the library had to relax to find a panel (first named first)."""
    changed: list[str] = []
    for quota in quotas:
        suggestion = relaxed.get(quota.feature, {}).get(quota.value)
        low = getattr(suggestion, "min", quota.min)
        high = getattr(suggestion, "max", quota.max)
        if (low, high) != (quota.min, quota.max) and quota.feature not in changed:
            changed.append(quota.feature)
    return changed
