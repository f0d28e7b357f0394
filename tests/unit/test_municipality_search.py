"""A citizen finds their municipality by name, however they type it: accents, case and hyphens
do not matter, exact names come first, and an IBGE code finds its town."""

from __future__ import annotations

from shared.core.territory import find_municipalities


def names(query: str, **kw: object) -> list[tuple[str, str]]:
    return [(t.name, t.uf) for t in find_municipalities(query, **kw)]  # type: ignore[arg-type]


def test_accents_case_and_hyphens_are_ignored() -> None:
    assert names("sao joao del rei")[0] == ("São João del Rei", "MG")
    assert names("SÃO-JOÃO DEL REI")[0] == ("São João del Rei", "MG")
    assert names("goiania")[0] == ("Goiânia", "GO")
    assert names("ji parana") == [("Ji-Paraná", "RO")]


def test_the_exact_name_comes_before_longer_ones_and_bigger_towns_first() -> None:
    found = names("são paulo")
    assert found[0] == ("São Paulo", "SP")
    assert all("Paulo" in name for name, _ in found)
    # Several towns are called "Bom Jesus": the exact ones first, larger before smaller.
    bom_jesus = find_municipalities("bom jesus", limit=50)
    exact = [t for t in bom_jesus if t.name == "Bom Jesus"]
    assert len(exact) > 1
    assert bom_jesus[: len(exact)] == exact
    assert [t.population_2022 for t in exact] == sorted(
        (t.population_2022 for t in exact), reverse=True
    )


def test_a_state_narrows_the_search_and_the_limit_holds() -> None:
    assert {uf for _, uf in names("santa", uf="SC")} == {"SC"}
    assert len(find_municipalities("santa", limit=5)) == 5


def test_an_ibge_code_finds_its_town_and_nonsense_finds_nothing() -> None:
    assert names("3550308") == [("São Paulo", "SP")]
    assert names("9999999") == []
    assert names("x") == []
    assert names("zzzzqqq") == []
