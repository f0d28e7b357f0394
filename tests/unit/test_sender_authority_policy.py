"""The sender-authority policy over its whole matrix: signer role × signer territories × kind ×
territory × subject. The oracle below restates issue 11's table in plain conditions, apart from
the policy's data, so a wrong row in either shows up."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.contracts.authority import POLICY, SIGNER_ROLES, Scope, permitted
from shared.contracts.subjects import direct_subject, down_subject, up_subject
from shared.core.territory import is_municipality, is_uf, uf_of

KINDS = sorted({p.kind for p in POLICY} | {"mandate", "unknown"})
TERRITORIES = ["BR", "SP", "RJ", "AP", "3550308", "3304557", "1600303", "XX", "9999999"]
SCOPES = [frozenset(s) for s in (["BR"], ["SP"], ["RJ", "AP"], ["3550308"], ["3304557"], [])]


def within(places: frozenset[str], territory: str) -> bool:
    return "BR" in places or territory in places or uf_of(territory) in places


def expected(role: str, places: frozenset[str], kind: str, subject: str, territory: str) -> bool:
    up = {tier: up_subject(tier, kind, territory) for tier in ("local", "regional", "national")}
    down = down_subject(kind, territory)
    # A local assembly's report (and its key) may also travel straight to the national tier.
    local = (up["local"], direct_subject(kind, territory))
    state = is_uf(territory)
    if kind in ("cycle", "response"):
        return role == "national" and territory == "BR" and subject == down and "BR" in places
    if kind == "allocation":
        if subject != down:
            return False
        if role == "national":
            return state and within(places, territory)
        return role == "regional" and is_municipality(territory) and within(places, territory)
    if kind == "report":
        if role == "assembly":
            return (
                subject in local
                and state
                and (within(places, territory) or any(uf_of(p) == territory for p in places))
            )
        if role == "regional":
            return subject == up["regional"] and state and within(places, territory)
        return (
            role == "national"
            and subject == up["national"]
            and territory == "BR"
            and ("BR" in places)
        )
    if kind in ("key.introduced", "key.revoked"):
        return (
            role == "local"
            and subject in local
            and state
            and (within(places, territory) or any(uf_of(p) == territory for p in places))
        )
    return False


def subjects_for(kind: str, territory: str) -> list[str]:
    return [
        up_subject("local", kind, territory),
        up_subject("regional", kind, territory),
        up_subject("national", kind, territory),
        down_subject(kind, territory),
        down_subject(kind, "SP"),
        up_subject("local", kind, "RJ"),
        direct_subject(kind, territory),
    ]


@settings(max_examples=3000, deadline=None)
@given(
    role=st.sampled_from(SIGNER_ROLES),
    places=st.sampled_from(SCOPES),
    kind=st.sampled_from(KINDS),
    territory=st.sampled_from(TERRITORIES),
    which=st.integers(0, 6),
)
def test_a_message_is_accepted_exactly_when_the_policy_allows_it(
    role: str, places: frozenset[str], kind: str, territory: str, which: int
) -> None:
    subject = subjects_for(kind, territory)[which]
    scope = Scope(key_id="k", role=role, territories=places)  # type: ignore[arg-type]
    assert permitted(kind, scope, subject, territory) == expected(
        role, places, kind, subject, territory
    ), (role, sorted(places), kind, subject, territory)


def test_named_cases() -> None:
    assembly = Scope(key_id="local/assembly/a", role="assembly", territories=frozenset({"1600303"}))
    local = Scope(key_id="local", role="local")
    national = Scope(key_id="national", role="national")
    regional_sp = Scope(key_id="regional-sp", role="regional", territories=frozenset({"SP"}))
    allocation_ap = down_subject("allocation", "AP")
    assert not permitted("allocation", assembly, allocation_ap, "AP")
    assert not permitted("cycle", assembly, down_subject("cycle", "BR"), "BR")
    assert not permitted("allocation", local, down_subject("allocation", "3550308"), "3550308")
    assert permitted("allocation", national, allocation_ap, "AP")
    assert permitted("allocation", regional_sp, down_subject("allocation", "3550308"), "3550308")
    assert not permitted(
        "allocation", regional_sp, down_subject("allocation", "3304557"), "3304557"
    )
    assert permitted("report", assembly, up_subject("local", "report", "AP"), "AP")
    assert not permitted("report", assembly, up_subject("local", "report", "SP"), "SP")
    assert permitted("report", assembly, direct_subject("report", "AP"), "AP")
    assert not permitted("report", assembly, direct_subject("report", "SP"), "SP")
    assert not permitted("report", regional_sp, direct_subject("report", "SP"), "SP")
    assert permitted("key.introduced", local, direct_subject("key.introduced", "AP"), "AP")
    assert not permitted("report", regional_sp, up_subject("regional", "report", "RJ"), "RJ")
