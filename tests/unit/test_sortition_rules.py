"""The civic lottery's rules as a cycle writes them: quotas as shares rounded outwards for any
panel size, a pool published pseudonymously in the CLI's format, a seed that moves with every
input, and the mistakes ``cycle check`` names."""

from __future__ import annotations

import pytest

from shared.core.cycle import Lottery, LotteryQuota, preset_text
from shared.core.cycle_check import check_text
from shared.core.errors import Invalid
from shared.core.sortition import (
    Volunteer,
    check_commitment,
    derive_seed,
    panel_quotas,
    pool_csv,
)

RULES = Lottery(
    segment="users",
    seats=3,
    quotas=[
        LotteryQuota(feature="gender", value="woman", min_share=0.5, max_share=0.5),
        LotteryQuota(feature="disability", value="yes", min_share=0.34),
    ],
)


def test_shares_become_bounds_rounded_outwards_with_every_value_listed() -> None:
    bounds = {(q.feature, q.value): (q.min, q.max) for q in panel_quotas(RULES, 3)}
    assert bounds[("segment", "users")] == (3, 3)
    assert bounds[("gender", "woman")] == (1, 2)  # half of three: at least 1, at most 2
    assert bounds[("gender", "man")] == (0, 3)  # not named: unbounded
    assert bounds[("disability", "yes")] == (1, 3)
    assert ("race_colour", "preta") not in bounds  # a feature no quota names is not balanced


def test_the_published_pool_is_pseudonymous_sorted_and_only_what_the_quotas_use() -> None:
    pool = [
        Volunteer("V002", "users", gender="man", race_colour="preta"),
        Volunteer("V001", "users", gender="woman", disability=True),
    ]
    assert pool_csv(RULES, pool) == (
        "id,segment,gender,disability\nV001,users,woman,yes\nV002,users,man,no\n"
    )


def test_the_seed_depends_on_the_secret_the_pool_and_the_public_value() -> None:
    seed = derive_seed("s" * 20, "a" * 64)
    assert 1 <= seed < 2**31
    assert seed == derive_seed("s" * 20, "a" * 64)
    assert seed != derive_seed("t" * 20, "a" * 64)
    assert seed != derive_seed("s" * 20, "b" * 64)
    assert seed != derive_seed("s" * 20, "a" * 64, "12345")


def test_a_commitment_is_a_sha256_in_hex() -> None:
    assert check_commitment("AB" * 32) == "ab" * 32
    with pytest.raises(Invalid, match="64 hexadecimal"):
        check_commitment("z" * 64)


def problems(lottery: str) -> list[str]:
    text = preset_text("health")
    head, _, rest = text.partition("\n[[axes]]")
    _, found = check_text(f"{head}\n{lottery}\n[[axes]]{rest}")
    return [str(p) for p in found]


def test_cycle_check_names_each_lottery_mistake() -> None:
    assert problems('[lottery]\nsegment = "users"\nseats = 2\n') == []
    assert problems('[lottery]\nsegment = "usuarios"\nseats = 2\n') == [
        "lottery.segment: unknown segment 'usuarios'; segments: users, workers, managers"
    ]
    found = problems(
        '[lottery]\nsegment = "users"\nseats = 2\nquotas = [\n'
        '  { feature = "gender", value = "mulher", min_share = 0.5 },\n'
        '  { feature = "gender", value = "woman", min_share = 0.8, max_share = 0.5 },\n'
        '  { feature = "gender", value = "man", min_share = 0.5 },\n'
        "]\n"
    )
    assert any(p.startswith("lottery.quotas[0].value: unknown value 'mulher'") for p in found)
    assert "lottery.quotas[1]: min_share 0.8 exceeds max_share 0.5" in found
    assert "lottery.quotas: the minimum shares of gender sum to 1.8, more than 1" in found
    assert any(
        "lottery.quotas[0].feature" in p
        for p in problems(
            '[lottery]\nsegment = "users"\nseats = 2\n'
            'quotas = [{ feature = "income", value = "low" }]\n'
        )
    )


def test_cycle_check_names_population_shares_it_cannot_use() -> None:
    assert (
        problems('[equity]\nsource = "IBGE"\npopulation = { gender = { woman = 0.515 } }\n') == []
    )
    found = problems(
        "[equity]\npopulation = { gender = { woman = 0.6, man = 0.6 }, idade = { x = 0.1 } }\n"
    )
    assert "equity.population.gender: the shares sum to 1.2, more than 1" in found
    assert any(p.startswith("equity.population.idade: unknown dimension") for p in found)
    assert any(p.startswith("equity.source:") for p in found)
