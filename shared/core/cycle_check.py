"""Every problem of a cycle file, each naming the setting's path (docs/spec.md §7 ``cycle check``).

``check_text`` decodes a cycle's TOML and returns the rules with the list of problems: structure
and types (msgspec's own message and path), then the rules a regimento can get wrong without a
decoder noticing — shares that do not sum to 1, unknown assembly kinds, segments or quota groups,
inverted or overlapping calendar windows, caps on competences a tier never forwards, seat rules
that miss the figures their method needs, and settings that have no effect. The services refuse
a cycle with any problem (``load_rules``), with these same lines; ``plenaria cycle check`` prints
them, one a line.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import msgspec

from shared.core.cycle import REPORT_STAGES, STAGES, CycleRules, ParticipantFormula
from shared.core.equity import DIMENSIONS, PARTICIPANT_DIMENSIONS
from shared.core.participants import QUOTA_GROUPS
from shared.core.sortition import FEATURE_VALUES
from shared.core.vocabulary import COMPETENCES, LOCAL_KINDS, Tier

#: Every kind of assembly a cap or formula may name, and the tier that kind meets at.
KIND_TIER: dict[str, Tier] = {
    **dict.fromkeys(LOCAL_KINDS, "local"),
    "macro": "regional",
    "state": "regional",
    "national": "national",
}
_AT = re.compile(r"^(?P<message>.*?) - at (?P<key>`key` in )?`\$(?P<path>[^`]*)`$", re.S)


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def check_text(text: str) -> tuple[CycleRules | None, list[Problem]]:
    """The rules of ``text`` (None when they do not decode) and every problem found."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem("(file)", f"not valid TOML: {exc}")]
    try:
        rules = msgspec.convert(raw, type=CycleRules)
    except msgspec.ValidationError as exc:
        found = _AT.match(str(exc))
        if found is None:
            return None, [Problem("(file)", str(exc))]
        path = found["path"].lstrip(".") or "(file)"
        message = found["message"] + (" (a key of this table)" if found["key"] else "")
        return None, [Problem(path, message)]
    return rules, check_rules(rules, raw)


def _shares_sum(values: Mapping[str, float] | list[float]) -> Fraction:
    items = values.values() if isinstance(values, Mapping) else values
    return sum((Fraction(v).limit_denominator(1000) for v in items), Fraction(0))


def _fmt(value: Fraction) -> str:
    return f"{float(value):g}"


def check_rules(rules: CycleRules, raw: Mapping[str, Any] | None = None) -> list[Problem]:
    """Every problem of decoded rules; ``raw`` (the TOML as read) tells which settings were
    written, so one that has no effect can be named."""
    raw = raw or {}
    problems: list[Problem] = []

    def add(path: str, message: str) -> None:
        problems.append(Problem(path, message))

    def written(*path: str) -> bool:
        node: Any = raw
        for key in path:
            if not isinstance(node, Mapping) or key not in node:
                return False
            node = node[key]
        return True

    # axes
    ids = [axis.id for axis in rules.axes]
    if not ids:
        add("axes", "a cycle needs at least one axis")
    for index, axis_id in enumerate(ids):
        if axis_id in ids[:index]:
            add(f"axes[{index}].id", f"axis {axis_id!r} is listed twice")

    # segments and their shares
    delegates = rules.delegates
    segments = [s.id for s in delegates.segments]
    if not segments:
        add("delegates.segments", "a cycle needs at least one segment")
    for index, segment in enumerate(segments):
        if segment in segments[:index]:
            add(f"delegates.segments[{index}].id", f"segment {segment!r} is listed twice")
    total = _shares_sum([s.share for s in delegates.segments])
    if segments and total != 1:
        add(
            "delegates.segments",
            f"the segment shares sum to {_fmt(total)}, not 1 "
            f"({' + '.join(f'{s.share:g}' for s in delegates.segments)})",
        )
    for index, segment_rule in enumerate(delegates.segments):
        if segment_rule.spheres and _shares_sum(list(segment_rule.spheres.values())) != 1:
            add(
                f"delegates.segments[{index}].spheres",
                f"the sphere shares sum to {_fmt(_shares_sum(list(segment_rule.spheres.values())))}, not 1",
            )
    if delegates.parity_segment is not None and delegates.parity_segment not in segments:
        add(
            "delegates.parity_segment",
            f"unknown segment {delegates.parity_segment!r}; segments: {', '.join(segments)}",
        )
    for index, group in enumerate(delegates.quota_groups):
        if group not in QUOTA_GROUPS:
            add(
                f"delegates.quota_groups[{index}]",
                f"unknown quota group {group!r}; known: {', '.join(QUOTA_GROUPS)}",
            )
    if delegates.quota_groups and delegates.min_quota == 0 and written("delegates", "quota_groups"):
        add("delegates.quota_groups", "has no effect while delegates.min_quota is 0")
    if delegates.min_quota > 0 and not delegates.quota_groups:
        add("delegates.min_quota", "has no effect: delegates.quota_groups names no group")

    def check_formulas(formulas: Mapping[str, ParticipantFormula], *where: str) -> None:
        for kind, formula in formulas.items():
            path = ".".join((*where, kind))
            if kind not in KIND_TIER:
                add(path, f"unknown assembly kind {kind!r}; known: {', '.join(KIND_TIER)}")
            if formula.share is None and written(*where, kind, "max_participants"):
                add(f"{path}.max_participants", "has no effect without a share")
            if formula.share is not None:
                for key in ("base_seats", "seats_per_step", "step"):
                    if written(*where, kind, key):
                        add(f"{path}.{key}", "has no effect with a share of participants")
            if formula.maximum is not None and formula.maximum < formula.minimum:
                add(f"{path}.maximum", f"is below the minimum ({formula.minimum})")

    check_formulas(delegates.formulas, "delegates", "formulas")
    if "free" in delegates.formulas and written("delegates", "free_conference"):
        add("delegates.free_conference", "has no effect: delegates.formulas.free replaces it")

    # decision, priority, motions
    bands = rules.decision.bands
    if bands is not None and bands.lower > bands.upper:
        add(
            "decision.bands",
            f"the lower band ({bands.lower:g}) exceeds the upper ({bands.upper:g})",
        )
    quorum = rules.quorum
    if quorum is not None and (quorum.share is None) == (quorum.count is None):
        add(
            "quorum",
            "set exactly one of share (of the participants registered with a vote) or count "
            "(credentialed voters)",
        )
    if rules.priority.method != "approval" and written("priority", "approvals"):
        add("priority.approvals", f"has no effect with the {rules.priority.method} method")

    # routing.reports_to: local kinds only, each to a stage a local report can reach
    for kind, stage in rules.routing.reports_to.items():
        path = f"routing.reports_to.{kind}"
        if kind not in LOCAL_KINDS:
            add(
                path,
                f"unknown local assembly kind {kind!r}; only these report to a stage: "
                f"{', '.join(LOCAL_KINDS)}",
            )
        elif stage not in REPORT_STAGES:
            add(
                path,
                f"unknown stage {stage!r}; a local assembly reports to one of: "
                f"{', '.join(REPORT_STAGES)}",
            )

    # caps: known kinds, competences that are forwarded from the kind's tier
    for kind, caps in rules.caps.items():
        path = f"caps.{kind}"
        tier = KIND_TIER.get(kind)
        if tier is None:
            add(path, f"unknown assembly kind {kind!r}; known: {', '.join(KIND_TIER)}")
            continue
        forwarded = rules.forwarded(tier)
        why = f"routing.{tier} = {list(forwarded)}"
        if tier == "local" and rules.reports_to(kind) == "national":
            forwarded = [c for c in forwarded if c == "national"]
            why = f"routing.reports_to.{kind} = 'national' carries only national items"
        for competence in COMPETENCES:
            if caps.limit(competence) is not None and competence not in forwarded:
                add(
                    f"{path}.{competence}",
                    f"{competence} items are never forwarded from a {kind} conference "
                    f"({why}), so this cap has no effect",
                )

    # calendar: each window opens before it closes; each stage after the one below
    calendar = rules.calendar
    windows = [
        ("local", calendar.local),
        ("regional", calendar.regional),
        ("national", calendar.national),
    ]
    for name, window in windows:
        if window is not None and window.closes <= window.opens:
            add(
                f"calendar.{name}",
                f"closes ({window.closes:%Y-%m-%d %H:%M}) before it opens ({window.opens:%Y-%m-%d %H:%M})",
            )
    present = [(n, w) for n, w in windows if w is not None]
    for (lower_name, lower), (upper_name, upper) in itertools.pairwise(present):
        if upper.opens < lower.opens:
            add(f"calendar.{upper_name}.opens", f"opens before the {lower_name} window opens")
        elif upper.opens < lower.closes:
            add(
                f"calendar.{upper_name}.opens",
                f"opens before the {lower_name} window closes ({lower.closes:%Y-%m-%d %H:%M}): "
                "the windows overlap",
            )

    # seats per stage
    for stage, rule in rules.seats.items():
        path = f"seats.{stage}"
        if stage not in STAGES:
            add(path, f"unknown stage {stage!r}; known: {', '.join(STAGES)}")
        if rule.method == "bands" and not rule.bands:
            add(f"{path}.bands", "the bands method needs at least one band")
        if rule.method != "bands" and rule.bands:
            add(f"{path}.bands", f"has no effect with the {rule.method} method")
        if rule.method == "fixed" and not rule.fixed:
            add(f"{path}.fixed", "the fixed method needs a table of seats per unit")
        if rule.method != "fixed" and rule.fixed:
            add(f"{path}.fixed", f"has no effect with the {rule.method} method")
        if rule.method == "fixed" and written("seats", stage, "minimum"):
            add(f"{path}.minimum", "has no effect with the fixed method")
        if rule.method == "min-plus-proportional" and rule.minimum == 0:
            add(f"{path}.minimum", "min-plus-proportional needs a minimum per unit")
        limits = [b.up_to for b in rule.bands]
        if any(limit is None for limit in limits[:-1]):
            add(f"{path}.bands", "only the last band may have no up_to")
        closed = [limit for limit in limits if limit is not None]
        if closed != sorted(set(closed)):
            add(f"{path}.bands", "bands must be in strictly increasing up_to")
        if rule.maximum is not None and rule.maximum < rule.minimum:
            add(f"{path}.maximum", f"is below the minimum ({rule.minimum})")
        if rule.basis == "mix":
            if not rule.weights:
                add(
                    f"{path}.weights",
                    "a mix basis needs weights, e.g. {population = 0.5, municipalities = 0.5}",
                )
            elif _shares_sum(list(rule.weights.values())) != 1:
                add(
                    f"{path}.weights",
                    f"the weights sum to {_fmt(_shares_sum(list(rule.weights.values())))}, not 1",
                )
        elif rule.weights:
            add(f"{path}.weights", f"has no effect with the {rule.basis} basis")
        if rule.basis == "table" and not rule.table:
            add(f"{path}.table", "a table basis needs a value per unit")
        if rule.basis != "table" and rule.table:
            add(f"{path}.table", f"has no effect with the {rule.basis} basis")
        uses_census = rule.basis == "population" or "population" in rule.weights
        if written("seats", stage, "census") and not uses_census:
            add(f"{path}.census", f"has no effect with the {rule.basis} basis")
        if rule.method == "fixed" and written("seats", stage, "basis"):
            add(f"{path}.basis", "has no effect with the fixed method")
        if stage == "national" and rule.total is not None and rule.method not in ("bands", "fixed"):
            units = 27
            if rule.minimum * units > rule.total:
                add(f"{path}.minimum", f"{rule.minimum} × 27 states exceeds the {rule.total} seats")
            if rule.maximum is not None and rule.maximum * units < rule.total:
                add(
                    f"{path}.maximum",
                    f"{rule.maximum} × 27 states is less than the {rule.total} seats",
                )
        check_formulas(rule.formulas, "seats", stage, "formulas")
        for kind in rule.formulas:
            if KIND_TIER.get(kind, "local") != "local":
                add(
                    f"{path}.formulas.{kind}",
                    f"has no effect: a {kind} conference is not seated by a participant formula "
                    f"at the {stage} stage (formulas name kinds of assembly: "
                    f"{', '.join(LOCAL_KINDS)})",
                )
        seen_entries: set[str] = set()
        for index, member in enumerate(rule.ex_officio):
            if member.id in seen_entries:
                add(f"{path}.ex_officio[{index}].id", f"{member.id!r} is named twice")
            seen_entries.add(member.id)
            if member.segment is not None and member.segment not in segments:
                add(
                    f"{path}.ex_officio[{index}].segment",
                    f"unknown segment {member.segment!r}; segments: {', '.join(segments)}",
                )
            if member.eligible and stage == "national":
                add(
                    f"{path}.ex_officio[{index}].eligible",
                    "has no effect: the national stage elects no delegation to stand for",
                )
    _check_lottery(rules, segments, add)
    _check_working_groups(rules, segments, add)
    _check_equity(rules, add)
    return problems


def _check_working_groups(
    rules: CycleRules, segments: list[str], add: Callable[[str, str], None]
) -> None:
    groups = rules.working_groups
    if groups is None:
        return
    for segment in groups.per_segment:
        if segment not in segments:
            add(
                f"working_groups.per_segment.{segment}",
                f"unknown segment {segment!r}; segments: {', '.join(segments)}",
            )
    for segment in segments:
        if segment not in groups.per_segment:
            add(
                "working_groups.per_segment",
                f"segment {segment!r} has no places: its participants could join no working "
                f"group (write {segment} = 0 to mean it)",
            )
    if groups.per_segment and not any(groups.per_segment.values()):
        add("working_groups.per_segment", "every segment has 0 places: no group takes anyone")


def _check_equity(rules: CycleRules, add: Callable[[str, str], None]) -> None:
    for dimension, shares in rules.equity.population.items():
        path = f"equity.population.{dimension}"
        known = (*DIMENSIONS, *PARTICIPANT_DIMENSIONS)
        if dimension not in known:
            add(path, f"unknown dimension {dimension!r}; dimensions: {', '.join(known)}")
        elif dimension != "group" and sum(shares.values()) > 1 + 1e-9:
            add(path, f"the shares sum to {sum(shares.values()):g}, more than 1")
    if rules.equity.population and not rules.equity.source:
        add("equity.source", "name where the population's shares come from (e.g. IBGE, Censo 2022)")


def _check_lottery(rules: CycleRules, segments: list[str], add: Callable[[str, str], None]) -> None:
    lottery = rules.lottery
    if lottery is None:
        return
    if lottery.segment not in segments:
        add(
            "lottery.segment",
            f"unknown segment {lottery.segment!r}; segments: {', '.join(segments)}",
        )
    seen: set[tuple[str, str]] = set()
    minimums: dict[str, float] = {}
    for index, quota in enumerate(lottery.quotas):
        path = f"lottery.quotas[{index}]"
        known = FEATURE_VALUES[quota.feature]
        if quota.value not in known:
            add(
                f"{path}.value",
                f"unknown value {quota.value!r} of {quota.feature}; known: {', '.join(known)}",
            )
        if (quota.feature, quota.value) in seen:
            add(path, f"{quota.feature} = {quota.value!r} is listed twice")
        seen.add((quota.feature, quota.value))
        if quota.min_share > quota.max_share:
            add(path, f"min_share {quota.min_share:g} exceeds max_share {quota.max_share:g}")
        minimums[quota.feature] = minimums.get(quota.feature, 0.0) + quota.min_share
    for feature, total in minimums.items():
        if total > 1 + 1e-9:
            add("lottery.quotas", f"the minimum shares of {feature} sum to {total:g}, more than 1")
