"""The cycle file says everything: seat rules per stage, validation with paths, and presets that
reproduce their regimentos' published seat tables (the figures of issue 16)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shared.core.cycle import PRESETS, load_rules, preset, preset_text
from shared.core.cycle_check import check_text
from shared.core.decide.apportionment import hamilton
from shared.core.errors import Conflict, Invalid
from shared.core.forwarding import forward
from shared.core.motions import signatures_needed
from shared.core.polls import DecisionCount, decide
from shared.core.seats import SeatUnit, formula_seats, national_units, split_seats, stage_table
from shared.core.territory import uf_populations
from shared.core.working_groups import check_place

HEALTH = preset_text("health")


def national(name: str, seats: int | None = None) -> dict[str, int]:
    rules = preset(name)
    rule = rules.stage_seats("national")
    table = stage_table(rules, "national", national_units(rule.census), seats)
    return {row.unit: row.seats for row in table.units}


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_is_a_valid_cycle(name: str) -> None:
    rules, problems = check_text(preset_text(name))
    assert rules is not None and problems == []


def test_health_splits_keep_users_parity() -> None:
    rules = preset("health")
    assert split_seats(rules, 100)[0] == {"users": 50, "workers": 25, "managers": 25}
    assert split_seats(rules, 564)[0] == {"users": 282, "workers": 141, "managers": 141}
    assert split_seats(rules, 101)[0]["users"] == 51


def test_health_caps_late_policy_votes_and_motions() -> None:
    rules = preset("health")
    assert (rules.caps["municipal"].state, rules.caps["municipal"].national) == (10, 12)
    assert rules.caps["state"].national == 20
    assert rules.late.max_per_axis == 4 and not rules.late.elects_delegates
    # 50 % + 1 of valid votes: 51 of 100 passes, 50 of 100 does not, abstentions aside
    assert decide(DecisionCount(51, 49, 30), rules.decision) == "approved"
    assert decide(DecisionCount(50, 50, 0), rules.decision) == "rejected"
    # 20 % of the delegates present, or 200 signatures, whichever comes first
    assert signatures_needed(rules.motions, 500) == 100
    assert signatures_needed(rules.motions, 4000) == 200


def test_free_conference_formula() -> None:
    formula = preset("health").delegates.formula("free")
    assert formula is not None
    assert [formula.seats(n) for n in (999, 1000, 1499, 1500, 2000)] == [0, 10, 10, 13, 16]


def test_overall_cap_on_free_conference_seats() -> None:
    start = HEALTH.index("[delegates.free_conference]")
    end = HEALTH.index("[calendar.local]")
    rules = load_rules(
        HEALTH[:start]
        + "[delegates.formulas.free]\nmin_participants = 1000\nbase_seats = 10\nstep = 500\n"
        "seats_per_step = 3\noverall_max = 160\n\n" + HEALTH[end:]
    )
    formula = rules.delegates.formula("free")
    assert formula is not None
    seats = formula_seats(formula, [1000] * 20 + [500])
    assert sum(seats) == 160 and seats[-1] == 0 and max(seats) == 8
    assert formula_seats(formula, [1000] * 3) == [10, 10, 10]  # under the cap: untouched


def test_culture_two_thirds_and_participant_formula() -> None:
    rules = preset("culture")
    assert split_seats(rules, 1782)[0] == {"civil": 1188, "public": 594}
    formula = rules.delegates.formula("municipal")
    assert formula is not None
    assert [formula.seats(n) for n in (24, 25, 100, 500, 5000)] == [0, 1, 5, 25, 25]


def test_lgbtqia_minimum_plus_pro_rata_gives_santa_catarina_45() -> None:
    seats = national("lgbtqia")
    assert sum(seats.values()) == 1212 and min(seats.values()) >= 20
    assert seats["SC"] == 45
    # bounded Hamilton counts the minimum inside the quota and gives SC 42: the old result
    populations = uf_populations("2022")
    old = dict(
        zip(populations, hamilton(list(populations.values()), 1212, minimum=20), strict=True)
    )
    assert old["SC"] == 42


def test_consocial_bands_on_the_2010_census() -> None:
    seats = national("transparency")
    assert sum(seats.values()) == 1127
    assert seats["SP"] == 75 and seats["RR"] == 28 and seats["SC"] == 47 and seats["MG"] == 56


def test_social_assistance_mix_spheres_and_ex_officio() -> None:
    rules = preset("social-assistance")
    table = stage_table(rules, "national", national_units())
    assert table.apportioned == 1200 and table.total == 1236
    assert sum(e.seats for e in table.ex_officio) == 36
    rows = {row.unit: row for row in table.units}
    # Minas Gerais has 10 % of the people but 15 % of the municipalities: the mix gives it more
    # than population alone would
    mg = rows["MG"]
    assert mg.seats > 1200 * 20_538_718 // 203_062_512
    government = mg.per_segment["government"]
    assert mg.per_sphere["government"] == {
        "municipal": government - government // 2,
        "state": government // 2,
    }


def test_education_and_environment() -> None:
    seats = national("education")
    assert sum(seats.values()) == 2500 and min(seats.values()) == 30
    environment = preset("environment")
    assert len(environment.axes) == 5
    assert environment.caps["state"].national == 4 and environment.caps["state"].per_axis
    for kind in ("municipal", "intermunicipal", "neighbourhood", "digital", "free"):
        assert kind in environment.caps


def test_a_table_basis_and_fixed_seats() -> None:
    base = preset_text("health")
    rules = load_rules(
        base + '\n[seats.state]\nbasis = "table"\ntotal = 10\ntable = { a = 3, b = 1 }\n'
    )
    table = stage_table(rules, "state", [SeatUnit("a"), SeatUnit("b")])
    assert [r.seats for r in table.units] == [8, 2]
    fixed = load_rules(base + '\n[seats.state]\nmethod = "fixed"\nfixed = { a = 4, b = 6 }\n')
    assert [r.seats for r in stage_table(fixed, "state", [SeatUnit("a"), SeatUnit("b")]).units] == [
        4,
        6,
    ]
    with pytest.raises(Invalid, match="no seats for some units"):
        stage_table(fixed, "state", [SeatUnit("a"), SeatUnit("c")])


# --- mistakes that used to pass silently ---------------------------------------------------------


def problems(text: str) -> list[str]:
    _, found = check_text(text)
    return [str(p) for p in found]


def test_segment_shares_must_sum_to_one() -> None:
    text = HEALTH.replace(
        'share = 0.25\n\n[[delegates.segments]]\nid = "managers"',
        'share = 0.25\n\n[[delegates.segments]]\nid = "managers"',
        1,
    )
    text = text.replace(
        'id = "managers"\ntitle_pt = "Gestores e prestadores"\nshare = 0.25',
        'id = "managers"\ntitle_pt = "Gestores e prestadores"\nshare = 0.5',
    )
    assert problems(text) == [
        "delegates.segments: the segment shares sum to 1.25, not 1 (0.5 + 0.25 + 0.5)"
    ]
    with pytest.raises(Invalid, match=r"segment shares sum to 1\.25") as refused:
        load_rules(text)
    assert refused.value.extra["problems"] == problems(text)


def test_misspelt_kinds_groups_and_segments_are_named() -> None:
    text = (
        HEALTH.replace("[caps.intermunicipal]", "[caps.intermunicpal]")
        .replace('"traditional"]', '"tradicional"]')
        .replace('parity_segment = "users"', 'parity_segment = "usuarios"')
    )
    assert problems(text) == [
        "delegates.parity_segment: unknown segment 'usuarios'; segments: users, workers, managers",
        "delegates.quota_groups[4]: unknown quota group 'tradicional'; known: black, indigenous, pcd, lgbtqia, traditional, youth",
        "caps.intermunicpal: unknown assembly kind 'intermunicpal'; known: neighbourhood, municipal, intermunicipal, free, digital, macro, state, national",
    ]


def test_inverted_and_overlapping_calendars() -> None:
    inverted = HEALTH.replace(
        "[calendar.local]\nopens = 2027-01-15T00:00:00Z\ncloses = 2027-04-15T23:59:59Z",
        "[calendar.local]\nopens = 2027-04-15T00:00:00Z\ncloses = 2027-01-15T23:59:59Z",
    )
    assert problems(inverted)[0] == (
        "calendar.local: closes (2027-01-15 23:59) before it opens (2027-04-15 00:00)"
    )
    early = HEALTH.replace("opens = 2027-04-16T00:00:00Z", "opens = 2027-01-01T00:00:00Z")
    assert problems(early) == ["calendar.regional.opens: opens before the local window opens"]
    overlap = HEALTH.replace("opens = 2027-04-16T00:00:00Z", "opens = 2027-03-01T00:00:00Z")
    assert problems(overlap) == [
        "calendar.regional.opens: opens before the local window closes (2027-04-15 23:59): the windows overlap"
    ]


def test_caps_never_used_and_settings_without_effect() -> None:
    text = HEALTH.replace(
        "[caps.municipal]\nstate = 10", "[caps.municipal]\nmunicipal = 3\nstate = 10"
    ).replace('method = "borda"', 'method = "borda"\napprovals = 2')
    assert problems(text) == [
        "priority.approvals: has no effect with the borda method",
        "caps.municipal.municipal: municipal items are never forwarded from a municipal "
        "conference (routing.local = ['state', 'national']), so this cap has no effect",
    ]


def test_ex_officio_entries_named_once_and_eligible_only_below_the_national_stage() -> None:
    entry = '[[seats.{stage}.ex_officio]]\nid = "natos"\ntitle_pt = "Natos"\nseats = 2\n'
    state = "\n[seats.state]\n\n" + entry.format(stage="state") * 2
    assert problems(HEALTH + state + "eligible = true\n") == [
        "seats.state.ex_officio[1].id: 'natos' is named twice"
    ]
    national = HEALTH.replace(
        "[seats.national]\nmethod",
        entry.format(stage="national") + "eligible = true\n\n[seats.national]\nmethod",
    )
    assert problems(national) == [
        "seats.national.ex_officio[0].eligible: has no effect: the national stage elects no "
        "delegation to stand for"
    ]


def test_type_errors_name_their_path() -> None:
    assert problems(HEALTH.replace("share = 0.5", 'share = "half"', 1)) == [
        "delegates.segments[0].share: Expected `float`, got `str`"
    ]
    assert problems("cycle_id = [")[0].startswith("(file): not valid TOML")
    assert problems(HEALTH.replace("[seats.national]", "[seats.nacional]")) == [
        "seats: Invalid enum value 'nacional' (a key of this table)"
    ]


def test_forwarding_still_follows_the_caps() -> None:
    rules = preset("health")
    assert forward([], rules, tier="local", assembly_kind="municipal", late=False) == []


def test_a_state_seats_free_conferences_by_their_formula_within_the_overall_cap() -> None:
    rules = load_rules(
        HEALTH[: HEALTH.index("[delegates.free_conference]")]
        + "[delegates.formulas.free]\nmin_participants = 1000\nbase_seats = 10\nstep = 500\n"
        "seats_per_step = 3\noverall_max = 160\n\n" + HEALTH[HEALTH.index("[calendar.local]") :]
    )
    free = [SeatUnit(f"f{i}", participants=1000, kind="free") for i in range(20)]
    towns = [SeatUnit("a", population=3000), SeatUnit("b", population=1000)]
    table = stage_table(rules, "state", [*towns, *free], 240)
    seats = {row.unit: row.seats for row in table.units}
    assert sum(seats[f"f{i}"] for i in range(20)) == 160  # 200 earned, held to 160
    assert (seats["a"], seats["b"]) == (60, 20)  # the other 80 by population
    with pytest.raises(Invalid, match="more than the 100"):
        stage_table(rules, "state", [*towns, *free], 100)


CULTURE_NATIONAL_FORMULA = """
[seats.national.formulas.free]
share = 0.05
min_participants = 25
max_participants = 500

[seats.national.formulas.digital]
share = 0.05
min_participants = 25
max_participants = 500
overall_max = 30
"""


def test_a_participant_formula_at_the_national_stage_seats_its_kind_before_the_states() -> None:
    """Culture's 5 % of 25–500 participants, named for the free and digital conferences that
    report straight to the national stage: each earns its seats from its participants (at most
    25), the digital ones together at most 30, and the states share what is left."""
    rules = load_rules(preset_text("culture") + CULTURE_NATIONAL_FORMULA)
    rule = rules.stage_seats("national")
    assert rule.formula(rules, "state") is None
    assert rule.formula(rules, "municipal") is rules.delegates.formulas["municipal"]
    conferences = [
        SeatUnit(unit=f"free-{n}", territory="BR", participants=n, kind="free")
        for n in (24, 25, 100, 499, 500, 5000)
    ] + [
        SeatUnit(unit=f"digital-{i}", territory="BR", participants=n, kind="digital")
        for i, n in enumerate((600, 600, 300))
    ]
    table = stage_table(rules, "national", [*national_units(), *conferences])
    rows = {row.unit: row for row in table.units}
    free = [rows[f"free-{n}"].seats for n in (24, 25, 100, 499, 500, 5000)]
    assert free == [0, 1, 5, 24, 25, 25]
    # 25 + 25 + 15 earned, 30 for them all: shared in proportion (11.5, 11.5, 6.9 → 12/11/7).
    digital = [rows[u.unit].seats for u in conferences[6:]]
    assert sorted(digital) == [7, 11, 12] and digital[2] == 7
    assert all(rows[u.unit].by_formula and rows[u.unit].value == u.participants
               for u in conferences)  # fmt: skip
    states = [row for row in table.units if row.kind == ""]
    assert len(states) == 27 and not any(row.by_formula for row in states)
    assert sum(row.seats for row in states) == 1782 - sum(free) - 30
    assert min(row.seats for row in states) >= 20
    # Two thirds and one third within each conference's seats too.
    assert rows["free-500"].per_segment == {"civil": 17, "public": 8}


def test_stage_formulas_are_checked_like_the_delegates_ones() -> None:
    text = preset_text("culture") + (
        "\n[seats.national.formulas.fre]\nshare = 0.05\n"
        "\n[seats.national.formulas.national]\nshare = 0.05\nbase_seats = 3\n"
    )
    _, problems = check_text(text)
    assert [str(p) for p in problems] == [
        "seats.national.formulas.fre: unknown assembly kind 'fre'; known: neighbourhood, "
        "municipal, intermunicipal, free, digital, macro, state, national",
        "seats.national.formulas.national.base_seats: has no effect with a share of participants",
        "seats.national.formulas.national: has no effect: a national conference is not seated "
        "by a participant formula at the national stage (formulas name kinds of assembly: "
        "neighbourhood, municipal, intermunicipal, free, digital)",
    ]


def test_working_group_places_per_segment_are_checked() -> None:
    """Health's groups "4/4/2": valid as written; an unknown segment, a segment left out and a
    rule that seats nobody are named by their path."""
    rules = load_rules(
        HEALTH + "\n[working_groups]\nper_segment = { users = 4, workers = 4, managers = 2 }\n"
    )
    assert rules.working_groups is not None
    assert [rules.working_groups.places(s) for s in rules.segment_ids()] == [4, 4, 2]
    assert rules.working_groups.per_axis == 1
    _, problems = check_text(
        HEALTH + "\n[working_groups]\nper_segment = { users = 4, worker = 4, managers = 2 }\n"
    )
    assert [str(p) for p in problems] == [
        "working_groups.per_segment.worker: unknown segment 'worker'; segments: users, "
        "workers, managers",
        "working_groups.per_segment: segment 'workers' has no places: its participants could "
        "join no working group (write workers = 0 to mean it)",
    ]
    _, problems = check_text(
        HEALTH + "\n[working_groups]\nper_segment = { users = 0, workers = 0, managers = 0 }\n"
    )
    assert [str(p) for p in problems] == [
        "working_groups.per_segment: every segment has 0 places: no group takes anyone"
    ]


def test_a_full_working_group_refuses_with_the_figures() -> None:
    rules = load_rules(
        HEALTH + "\n[working_groups]\nper_axis = 2\n"
        "per_segment = { users = 4, workers = 4, managers = 2 }\n"
    )
    check_place(rules, "saude-1", 2, "managers", {"managers": 1, "users": 4})
    with pytest.raises(Conflict) as full:
        check_place(rules, "saude-1", 2, "managers", {"managers": 2})
    assert full.value.extra == {"segment": "managers", "places": 2, "taken": 2}
    with pytest.raises(Invalid, match="1 to 2"):
        check_place(rules, "saude-1", 3, "users", {})
    with pytest.raises(Invalid, match="no working groups"):
        check_place(preset("health"), "saude-1", 1, "users", {})


FREE_TO_NATION = HEALTH.replace(
    'regional = ["national"]\n',
    'regional = ["national"]\n\n[routing.reports_to]\nfree = "national"\ndigital = "state"\n',
)


def test_reports_to_names_the_stage_each_kind_reports_to() -> None:
    assert problems(FREE_TO_NATION) == []
    rules = load_rules(FREE_TO_NATION)
    assert rules.reports_to("free") == "national"
    assert rules.reports_to("digital") == "state"
    assert rules.reports_to("municipal") == "state"  # not named: its state
    assert preset("health").reports_to("free") == "state"


def test_reports_to_refuses_unknown_kinds_and_stages() -> None:
    text = FREE_TO_NATION.replace('free = "national"', 'livre = "national"').replace(
        'digital = "state"', 'digital = "macro"\nstate = "national"'
    )
    assert problems(text) == [
        "routing.reports_to.livre: unknown local assembly kind 'livre'; only these report to "
        "a stage: neighbourhood, municipal, intermunicipal, free, digital",
        "routing.reports_to.digital: unknown stage 'macro'; a local assembly reports to one "
        "of: state, national",
        "routing.reports_to.state: unknown local assembly kind 'state'; only these report to "
        "a stage: neighbourhood, municipal, intermunicipal, free, digital",
    ]
    with pytest.raises(Invalid, match=r"routing\.reports_to\.livre"):
        load_rules(text)


def test_a_kind_sent_to_the_nation_forwards_only_national_items() -> None:
    @dataclass(frozen=True)
    class Item:
        id: str
        axis: str
        competence: str
        rank: int

    items = [Item("n", "saude-1", "national", 1), Item("s", "saude-1", "state", 1)]
    routed = load_rules(FREE_TO_NATION)
    assert [
        i.id for i in forward(items, routed, tier="local", assembly_kind="free", late=False)
    ] == ["n"]
    assert {
        i.id for i in forward(items, routed, tier="local", assembly_kind="municipal", late=False)
    } == {"n", "s"}
    capped = FREE_TO_NATION.replace(
        "[caps.free]\nnational = 5", "[caps.free]\nstate = 3\nnational = 5"
    )
    assert problems(capped) == [
        "caps.free.state: state items are never forwarded from a free conference "
        "(routing.reports_to.free = 'national' carries only national items), so this cap has "
        "no effect"
    ]
