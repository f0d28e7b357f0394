"""The seats a stage allocates, as the cycle's ``[seats.<stage>]`` rule says (pure).

One function computes the table that the services send down and that ``plenaria cycle seats``
prints, so a convener checks the regimento's table against exactly what will be allocated. The
arithmetic is ``shared.core.decide`` (apportionment, bands, minimum plus proportional, segment
split with parity); this module reads the rule: the basis of each unit (the population of the
named census, participants, municipalities, a weighted mix or the cycle's own table), the method,
the bounds, ex officio seats, and each unit's split by segment and government sphere.

A ``mix`` basis is each unit's weighted share of the indicators' totals, in exact fractions,
scaled to integers with :data:`MIX_RESOLUTION` so the apportionment stays integer arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from shared.core.cycle import Apportionment, Census, CycleRules, Indicator, ParticipantFormula
from shared.core.decide.apportionment import (
    PopulationBand,
    apportion,
    by_population_bands,
    minimum_plus_proportional,
)
from shared.core.decide.delegation import split_by_segment
from shared.core.decide.errors import DecisionError
from shared.core.errors import Invalid
from shared.core.territory import is_uf, municipality, uf_populations, unit

#: Integer scale of a weighted-mix basis value (a unit's weighted share × 10⁹).
MIX_RESOLUTION = 10**9


@dataclass(frozen=True, slots=True)
class SeatUnit:
    """A unit seats are shared among: a state, or an assembly (``unit`` is its id)."""

    unit: str
    territory: str = ""
    population: int = 0
    participants: int = 0
    #: Municipalities the unit covers (an intermunicipal conference covers several).
    municipalities: int = 0
    #: The assembly's kind (``free``, ``municipal``…; empty for a state): a kind with a
    #: participant formula earns its seats by that formula instead of by the stage's method.
    kind: str = ""


@dataclass(frozen=True, slots=True)
class UnitSeats:
    unit: str
    territory: str
    value: int
    seats: int
    per_segment: dict[str, int]
    #: ``{segment: {sphere: seats}}`` for segments the cycle splits by government sphere.
    per_sphere: dict[str, dict[str, int]] = field(default_factory=dict)
    kind: str = ""
    #: Seated by its kind's participant formula (``value`` is then its participants).
    by_formula: bool = False


@dataclass(frozen=True, slots=True)
class ExOfficioSeats:
    id: str
    title_pt: str
    seats: int
    segment: str | None


@dataclass(frozen=True, slots=True)
class SeatTable:
    stage: str
    method: str
    basis: str
    census: str
    units: list[UnitSeats]
    ex_officio: list[ExOfficioSeats]

    @property
    def apportioned(self) -> int:
        return sum(u.seats for u in self.units)

    @property
    def ex_officio_seats(self) -> int:
        return sum(e.seats for e in self.ex_officio)

    @property
    def total(self) -> int:
        return self.apportioned + self.ex_officio_seats

    def per_segment(self) -> dict[str, int]:
        """The whole house by segment: every unit's seats per segment plus the ex officio seats
        of entries that name a segment (an entry that names none is counted in no segment)."""
        totals: dict[str, int] = {}
        for row in self.units:
            for segment, n in row.per_segment.items():
                totals[segment] = totals.get(segment, 0) + n
        for member in self.ex_officio:
            if member.segment is not None:
                totals[member.segment] = totals.get(member.segment, 0) + member.seats
        return totals


def national_units(census: Census = "2022") -> list[SeatUnit]:
    """The 27 UFs with the population of ``census`` and their municipality counts."""
    populations = uf_populations(census)
    return [
        SeatUnit(
            unit=uf,
            territory=uf,
            population=population,
            municipalities=_uf_municipalities(uf),
        )
        for uf, population in populations.items()
    ]


def _uf_municipalities(uf: str) -> int:
    found = unit(uf)
    return found.municipalities if found else 0


def _indicator(rule: Apportionment, indicator: Indicator, item: SeatUnit) -> int:
    if indicator == "participants":
        return item.participants
    if indicator == "municipalities":
        if item.municipalities:
            return item.municipalities
        if is_uf(item.territory):
            return _uf_municipalities(item.territory)
        return 1 if municipality(item.territory) else 0
    if is_uf(item.territory):
        return uf_populations(rule.census).get(item.territory, 0)
    if item.population:
        return item.population
    town = municipality(item.territory)
    return town.population_2022 if town and rule.census == "2022" else 0


def basis_values(rule: Apportionment, units: Sequence[SeatUnit]) -> list[int]:
    """Each unit's value on the rule's basis (0 where it is not known)."""
    if rule.basis == "table":
        return [rule.table.get(u.unit, rule.table.get(u.territory, 0)) for u in units]
    if rule.basis != "mix":
        return [_indicator(rule, rule.basis, u) for u in units]
    shares = [Fraction(0)] * len(units)
    for indicator, weight in rule.weights.items():
        values = [_indicator(rule, indicator, u) for u in units]
        total = sum(values)
        if total <= 0:
            raise Invalid(f"the {indicator} of these units are not known: the mix cannot be used")
        for index, value in enumerate(values):
            shares[index] += Fraction(str(weight)) * Fraction(value, total)
    return [int(share * MIX_RESOLUTION) for share in shares]


def _apportion(
    rule: Apportionment, units: Sequence[SeatUnit], values: list[int], seats: int | None
) -> list[int]:
    if rule.method == "fixed":
        missing = [
            u.unit for u in units if u.unit not in rule.fixed and u.territory not in rule.fixed
        ]
        if missing:
            raise Invalid("the fixed seat table names no seats for some units", units=missing[:50])
        result = [rule.fixed.get(u.unit, rule.fixed.get(u.territory, 0)) for u in units]
    elif rule.method == "bands":
        bands = [PopulationBand(b.up_to, b.seats) for b in rule.bands]
        result = by_population_bands(values, bands, minimum=rule.minimum, maximum=rule.maximum)
    else:
        if seats is None:
            raise Invalid(f"the {rule.method} method needs a number of seats to share")
        if rule.method == "min-plus-proportional":
            result = minimum_plus_proportional(
                values, seats, minimum=rule.minimum, maximum=rule.maximum
            )
        else:
            result = apportion(
                values, seats, rule.method, minimum=rule.minimum, maximum=rule.maximum
            )
    if seats is not None and rule.method in ("fixed", "bands") and sum(result) != seats:
        raise Invalid(f"the {rule.method} table gives {sum(result)} seats, not {seats}")
    return result


def split_seats(
    rules: CycleRules, seats: int, *, by_segment: bool = True
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """A unit's seats per segment (with the cycle's parity rule) and per government sphere."""
    if not by_segment:
        return {}, {}
    per_segment = split_by_segment(
        seats, rules.delegates.segment_shares(), parity_segment=rules.delegates.parity_segment
    )
    per_sphere = {
        s.id: split_by_segment(
            per_segment[s.id],
            {
                sphere: Fraction(share).limit_denominator(1000)
                for sphere, share in s.spheres.items()
            },
        )
        for s in rules.delegates.segments
        if s.spheres
    }
    return per_segment, per_sphere


def stage_table(
    rules: CycleRules, stage: str, units: Sequence[SeatUnit], seats: int | None = None
) -> SeatTable:
    """The seats ``stage`` allocates to ``units`` (``seats`` overrides the rule's ``total``,
    ex officio seats excluded); any rule the figures cannot meet is :class:`Invalid`."""
    rule = rules.stage_seats(stage)
    if not units:
        raise Invalid("no units to allocate seats to")
    house = seats if seats is not None else rule.total
    earned = formula_units(rules, units, stage)
    formula_total = sum(earned.values())
    others = [u for i, u in enumerate(units) if i not in earned]
    if house is not None:
        if formula_total > house:
            raise Invalid(
                f"assemblies seated by participant formulas earn {formula_total} seats, "
                f"more than the {house} to share"
            )
        house -= formula_total
    values = basis_values(rule, others) if others else []
    if rule.method != "fixed":
        unknown = [u.unit for u, v in zip(others, values, strict=True) if v <= 0]
        if unknown:
            raise Invalid(f"no {rule.basis} known for some units", units=unknown[:50])
    try:
        shares = iter(_apportion(rule, others, values, house) if others else [])
        value_of = iter(values)
        rows = []
        for index, item in enumerate(units):
            if index in earned:
                n, value = earned[index], item.participants
            else:
                n, value = next(shares), next(value_of)
            per_segment, per_sphere = split_seats(rules, n, by_segment=rule.split_by_segment)
            rows.append(
                UnitSeats(
                    item.unit,
                    item.territory,
                    value,
                    n,
                    per_segment,
                    per_sphere,
                    kind=item.kind,
                    by_formula=index in earned,
                )
            )
    except DecisionError as exc:
        raise Invalid(str(exc)) from exc
    return SeatTable(
        stage=stage,
        method=rule.method,
        basis=rule.basis,
        census=rule.census,
        units=rows,
        ex_officio=[ExOfficioSeats(e.id, e.title_pt, e.seats, e.segment) for e in rule.ex_officio],
    )


def formula_units(
    rules: CycleRules, units: Sequence[SeatUnit], stage: str = "state"
) -> dict[int, int]:
    """``{index: seats}`` of the units whose kind has a participant formula at ``stage`` (the
    stage's ``[seats.<stage>.formulas]``, else the cycle's ``delegates.formulas``), each kind
    held to its ``overall_max`` (the 5ª CNSM's free conferences: ≤ 160 together)."""
    rule = rules.stage_seats(stage)
    by_kind: dict[str, list[int]] = {}
    for index, item in enumerate(units):
        if rule.formula(rules, item.kind) is not None:
            by_kind.setdefault(item.kind, []).append(index)
    earned: dict[int, int] = {}
    for kind, indices in by_kind.items():
        formula = rule.formula(rules, kind)
        assert formula is not None  # chosen above
        seats = formula_seats(formula, [units[i].participants for i in indices])
        earned.update(zip(indices, seats, strict=True))
    return earned


def formula_seats(formula: ParticipantFormula, participants: Sequence[int]) -> list[int]:
    """Seats each assembly of one kind earns from its participants, within the kind's overall
    cap (shared by largest remainder in proportion to what each earned, none above it)."""
    earned = [formula.seats(p) for p in participants]
    cap = formula.overall_max
    if cap is None or sum(earned) <= cap:
        return earned
    positive = [i for i, n in enumerate(earned) if n > 0]
    shared = apportion(
        [earned[i] for i in positive], cap, "hamilton", maximum=[earned[i] for i in positive]
    )
    result = [0] * len(earned)
    for index, n in zip(positive, shared, strict=True):
        result[index] = n
    return result
