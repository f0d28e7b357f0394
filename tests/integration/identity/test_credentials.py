"""Credentials that stop working when they should: API tokens revoked or expired, sign-in codes
used or expired, grants taken back; and a participant's own credential, which only they hold,
shows them what the assembly keeps about them and is replaced when lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from shared.features.identity.model import AccessToken, SignInCode
from tests.support.api import bearer
from tests.support.assemblies import create, hand_card, register
from tests.support.browser import appointed_code
from tests.support.tiers import Federation, operator

ME = "/api/v1/identity/me"


async def exchange(fed: Federation, code: str) -> Any:
    return await fed.regional.post("/api/v1/identity/tokens/exchange", json={"code": code})


async def test_codes_sign_in_once_and_not_after_they_expire(regional_tier: Federation) -> None:
    fed = regional_tier
    appointment = {"name": "Rui", "role": "convener", "territory": "SP"}
    code = await appointed_code(fed.regional, operator("regional"), **appointment)
    first = await exchange(fed, code)
    assert first.status_code == 201
    assert (await exchange(fed, code)).status_code == 401
    late = await appointed_code(
        fed.regional, operator("regional"), **{**appointment, "name": "Lia"}
    )
    async with fed.node("regional").db.transaction() as session:
        await session.execute(
            update(SignInCode)
            .where(SignInCode.used_at.is_(None))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    refused = await exchange(fed, late)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")


async def test_tokens_are_listed_without_secrets_and_stop_when_revoked_or_expired(
    regional_tier: Federation,
) -> None:
    fed = regional_tier
    code = await appointed_code(
        fed.regional, operator("regional"), name="Rui", role="convener", territory="SP"
    )
    token = (await exchange(fed, code)).json()["token"]
    rui = bearer(token)
    second = await fed.regional.post(
        "/api/v1/identity/tokens", headers=rui, json={"label": "planilha", "days": 1}
    )
    assert second.status_code == 201
    listed = (await fed.regional.get("/api/v1/identity/tokens", headers=rui)).json()
    assert {t["label"] for t in listed} == {"", "planilha"}
    assert all("token" not in t for t in listed)

    sheet = bearer(second.json()["token"])
    assert (await fed.regional.get(ME, headers=sheet)).json()["roles"] == ["convener"]
    revoked = await fed.regional.post(
        f"/api/v1/identity/tokens/{second.json()['id']}/revoke", headers=rui
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await fed.regional.get(ME, headers=sheet)).status_code == 401

    async with fed.node("regional").db.transaction() as session:
        await session.execute(
            update(AccessToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert (await fed.regional.get(ME, headers=rui)).status_code == 401
    assert (await fed.regional.get(ME, headers=bearer("made-up"))).status_code == 401


async def test_a_grant_taken_back_no_longer_acts(regional_tier: Federation) -> None:
    fed = regional_tier
    convener = await fed.person("regional", {"role": "convener", "territory": "SP"})
    appointed = await fed.regional.post(
        "/api/v1/identity/appointments",
        headers=convener,
        json={"name": "Relatora", "role": "rapporteur", "territory": "SP"},
    )
    rapporteur = bearer((await exchange(fed, appointed.json()["sign_in_code"])).json()["token"])
    ranking = {"cycle_id": "cns-2027", "uf": "SP"}
    assert (
        await fed.regional.post("/api/v1/ranking", headers=rapporteur, json=ranking)
    ).status_code == 200
    grant = appointed.json()["grant"]["id"]
    taken = await fed.regional.post(f"/api/v1/identity/grants/{grant}/revoke", headers=convener)
    assert taken.status_code == 200
    assert (
        await fed.regional.post("/api/v1/ranking", headers=rapporteur, json=ranking)
    ).status_code == 403


async def test_a_participant_sees_corrects_and_replaces_their_credential(
    local_tier: Federation,
) -> None:
    fed = local_tier
    assembly = await create(fed)
    aid, secretary = assembly["id"], bearer(assembly["secretary_token"])
    opened = await fed.local.post(f"/api/v1/assemblies/{aid}/open", headers=secretary)
    assert opened.status_code == 201, opened.text
    people = await register(fed.local, aid, secretary)
    ana = people[0]
    path = f"/api/v1/assemblies/{aid}/participants"
    mine = await fed.local.get(f"{path}/me", headers=bearer(ana["badge_code"]))
    assert mine.status_code == 200, mine.text
    seen = mine.json()
    assert seen["participant"]["public_name"] == "Ana" and seen["participant"]["gender"] == "woman"
    assert "race_colour" not in seen["reported_if_elected"]
    fixed = await fed.local.patch(
        f"{path}/me", headers=bearer(ana["badge_code"]), json={"race_colour": "parda"}
    )
    assert fixed.status_code == 200 and fixed.json()["participant"]["race_colour"] == "parda"
    # The secretary cannot read or correct a participant's self-view with their own token.
    assert (await fed.local.get(f"{path}/me", headers=secretary)).status_code == 403

    other = await create(fed)
    stranger = bearer(other["secretary_token"])
    assert (await fed.local.post(f"{path}/{ana['id']}/revoke", headers=stranger)).status_code == 403
    revoked = await fed.local.post(f"{path}/{ana['id']}/revoke", headers=secretary)
    assert revoked.status_code == 201, revoked.text
    assert "badge_code" not in revoked.json() and "code" not in revoked.json()
    assert (await fed.local.get(f"{path}/me", headers=bearer(ana["badge_code"]))).status_code == 401
    # A new card from Ana's phone replaces the lost one; the old code stays refused.
    new = bearer(await hand_card(fed.local, aid, secretary, ana["id"]))
    assert (await fed.local.get(f"{path}/me", headers=new)).json()["participant"]["id"] == ana["id"]
    assert (await fed.local.get(f"{path}/me", headers=bearer(ana["badge_code"]))).status_code == 401
