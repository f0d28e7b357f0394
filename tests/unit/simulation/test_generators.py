"""Pure properties of the synthetic cycle: exact census sums, determinism, a heavy tail."""

from __future__ import annotations

import statistics

from hypothesis import given
from hypothesis import strategies as st

from shared.core.territory import Municipality, municipality, uf_populations
from shared.tools.simulation.census import load_census
from shared.tools.simulation.population import apportion_exact, municipalities_of
from shared.tools.simulation.scenario import build_scenario
from shared.tools.simulation.texts import TEMPLATES, draft_proposals

UNITS = load_census()


def test_census_has_27_units_and_5570_municipalities() -> None:
    assert len(UNITS) == 27
    assert sum(u.municipalities for u in UNITS) == 5570
    assert sum(u.population for u in UNITS) == 203_062_512


def test_municipalities_are_the_real_ibge_list_summing_to_each_state() -> None:
    codes: set[str] = set()
    for unit in UNITS:
        towns = municipalities_of(unit)
        assert len(towns) == unit.municipalities
        assert sum(t.population for t in towns) == unit.population
        assert all(t.territory[:2] == f"{unit.ibge_code:02d}" for t in towns)
        assert towns[0].capital and towns[0].name == unit.capital
        codes |= {t.territory for t in towns}
    assert len(codes) == 5570
    assert municipality("3550308") == Municipality("3550308", "São Paulo", "SP", 11_451_245)
    assert municipality("3166600") is not None and municipality("3166600").population_2022 == 833
    assert municipality("2605459") is not None  # Fernando de Noronha counts in PE
    assert municipality("5101837") is None  # Boa Esperança do Norte was installed in 2025
    assert sum(uf_populations("2010").values()) == 190_755_799


@given(
    total=st.integers(min_value=0, max_value=10**8),
    weights=st.lists(st.floats(min_value=0.01, max_value=1e6), min_size=1, max_size=50),
)
def test_apportion_exact_sums_and_respects_the_floor(total: int, weights: list[float]) -> None:
    floor = min(800, total // len(weights))
    parts = apportion_exact(total, weights, floor)
    assert sum(parts) == total
    assert min(parts) >= floor


def test_same_seed_same_cycle_other_seed_other_cycle() -> None:
    first = build_scenario(UNITS, "state", seed=7)
    again = build_scenario(UNITS, "state", seed=7)
    other = build_scenario(UNITS, "state", seed=8)
    assert first == again
    assert first.assemblies[5].proposal_drafts() == again.assemblies[5].proposal_drafts()
    assert first.assemblies[5].participant_drafts() == again.assemblies[5].participant_drafts()
    assert first != other


def test_populations_are_heavy_tailed_as_the_census_counted() -> None:
    sp = next(u for u in UNITS if u.uf == "SP")
    towns = municipalities_of(sp)
    sizes = sorted(t.population for t in towns)
    capital = towns[0]
    assert capital.capital and capital.name == "São Paulo"
    assert capital.population > 10_000_000
    assert capital.population > 100 * statistics.median(sizes)
    top_1_percent = sum(sizes[-len(sizes) // 100 :])
    assert top_1_percent > 0.3 * sp.population  # IBGE 2022: 36 %
    nation = [t.population for u in UNITS for t in municipalities_of(u)]
    assert statistics.median(nation) == 11_065  # IBGE 2022


def test_brazil_scale_matches_a_health_cycle() -> None:
    cycle = build_scenario(UNITS, "brazil", seed=1)
    assert len(cycle.assemblies) == 5570
    participants = sum(a.participants for a in cycle.assemblies)
    proposals = sum(a.proposals for a in cycle.assemblies)
    assert 1_500_000 < participants < 2_800_000
    assert 80_000 < proposals < 140_000


def test_tiny_and_sample_scales() -> None:
    tiny = build_scenario(UNITS, "tiny", seed=1)
    assert len(tiny.units) == 3 and len(tiny.assemblies) == 9
    sample = build_scenario(UNITS, seed=1, municipalities=100)
    assert len(sample.assemblies) == 100


def test_proposals_repeat_common_demands_in_different_words() -> None:
    cycle = build_scenario(UNITS, "state", seed=3)
    # Large cities write more proposals than there are common demands; look at the towns.
    towns = [a for a in cycle.assemblies if a.proposals <= 10][:200]
    drafts = [d for a in towns for d in a.proposal_drafts()]
    from_templates = [d for d in drafts if d.template >= 0]
    assert len(from_templates) > 0.5 * len(drafts)
    variants = {d.text for d in from_templates if d.template == 0}
    assert len(variants) > 5  # the most popular demand, worded many ways
    assert {d.template for d in from_templates} <= set(range(len(TEMPLATES)))
    assert all(d.support >= 0 and d.title for d in drafts)


def test_an_assembly_never_repeats_a_template() -> None:
    import random

    drafts = draft_proposals(30, 100, "Cidade", random.Random(1))
    used = [d.template for d in drafts if d.template >= 0]
    assert len(used) == len(set(used))
