"""Roles bound to territories: who a grant reaches, and what a refusal says."""

from __future__ import annotations

import pytest

from shared.core.access import ANONYMOUS, ROLE_INFO, ROLES, Grant, Principal, covers
from shared.core.errors import Forbidden, Unauthorized

SAO_PAULO, RIO = "3550308", "3304557"


def test_a_territory_covers_itself_its_municipalities_and_the_nation_covers_all() -> None:
    assert covers("BR", SAO_PAULO) and covers("SP", SAO_PAULO) and covers(SAO_PAULO, SAO_PAULO)
    assert not covers("RJ", SAO_PAULO) and not covers(RIO, SAO_PAULO) and not covers("SP", "RJ")


def test_a_convener_of_sp_cannot_act_on_rj() -> None:
    convener = Principal(kind="person", id="p1", grants=(Grant("convener", territory="SP"),))
    assert convener.require("convener", territory="SP").territory == "SP"
    assert convener.holds("convener", territory=SAO_PAULO)
    with pytest.raises(Forbidden, match="does not reach this territory"):
        convener.require("convener", territory="RJ")
    with pytest.raises(Forbidden, match="needs the commission role"):
        convener.require("commission", territory="SP")


def test_assembly_roles_reach_only_their_own_assembly() -> None:
    secretary = Principal(
        kind="person",
        grants=(Grant("secretary", territory=SAO_PAULO, assembly_id="a1"),),
    )
    assert secretary.holds("secretary", assembly_id="a1")
    assert not secretary.holds("secretary", assembly_id="a2")
    # An organiser of the whole state reaches an assembly by its territory, not by id.
    organiser = Principal(kind="person", grants=(Grant("organiser", territory="SP"),))
    assert organiser.holds("organiser", territory=SAO_PAULO, assembly_id="a1")
    assert not organiser.holds("organiser", territory=RIO, assembly_id="a9")
    # A secretary grant without an assembly (malformed) reaches no assembly.
    loose = Principal(kind="person", grants=(Grant("secretary", territory="SP"),))
    assert not loose.holds("secretary", territory=SAO_PAULO, assembly_id="a1")


def test_a_council_member_answers_only_for_their_council() -> None:
    member = Principal(kind="person", grants=(Grant("council", council="CNS"),))
    assert member.holds("council", council="CNS")
    with pytest.raises(Forbidden, match="does not reach this council"):
        member.require("council", council="CNAS")


def test_the_public_gets_401_and_the_operator_holds_no_conference_role() -> None:
    with pytest.raises(Unauthorized):
        ANONYMOUS.require("secretary", assembly_id="a1")
    operator = Principal(kind="operator", grants=(Grant("operator"),))
    for role in ROLES:
        if role != "operator":
            assert not operator.holds(role)


def test_a_gov_br_sign_in_below_the_roles_level_does_not_count() -> None:
    grants = (Grant("commission", territory="BR"), Grant("delegate", mandate_id="m1"))
    bronze = Principal(kind="person", grants=grants, level="bronze")
    assert bronze.holds("delegate", mandate_id="m1")  # delegates need bronze
    with pytest.raises(Forbidden, match=r"stronger gov\.br account"):
        bronze.require("commission", territory="SP")
    assert Principal(kind="person", grants=grants, level="ouro").holds("commission", territory="SP")
    assert Principal(kind="person", grants=grants).holds("commission", territory="SP")


def test_every_role_is_described() -> None:
    assert set(ROLE_INFO) == set(ROLES)
    for role, info in ROLE_INFO.items():
        assert info.tiers and info.does and info.title_pt, role
        assert all(g in ROLES for g in info.granted_by), role
