"""An assembly's signing key lives nowhere in the database: it is derived from the local
instance's seed whenever it signs, and an assembly from before derived keys (or from before
the instance key's rotation) gets its new key introduced, ahead of its report, when it
closes."""

from __future__ import annotations

import uuid

from sqlalchemy import text, update

from services.local.model import Assembly
from shared.platform.bus.signing import KeyRing, derive_seed
from tests.support.assemblies import create, hold_plenary
from tests.support.bus import outbox_messages
from tests.support.tiers import Federation


async def test_no_signing_secret_is_stored_with_the_assembly(local_tier: Federation) -> None:
    created = await create(local_tier)
    node = local_tier.node("local")
    key_id = created["key_id"]
    seed = derive_seed(local_tier.settings["local"].signing_key, key_id)
    async with node.sessions() as session:
        columns = (
            await session.execute(
                text(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_name = 'assembly'"
                )
            )
        ).scalars()
        assert "signing_seed" not in set(columns)
        row = (
            await session.execute(
                text("SELECT row_to_json(a)::text FROM assembly a WHERE id = :id"),
                {"id": uuid.UUID(created["id"])},
            )
        ).scalar_one()
    assert seed not in row and key_id in row
    [introduced] = [
        m.body for m in await outbox_messages(node, "key.introduced") if m.body["key_id"] == key_id
    ]
    assert introduced["public_key"] == node.outbox.default_signer.derive(key_id).public_key


async def test_an_assembly_from_before_derived_keys_introduces_its_key_when_it_closes(
    local_tier: Federation,
) -> None:
    plenary = await hold_plenary(local_tier)
    node = local_tier.node("local")
    async with node.sessions() as session, session.begin():
        await session.execute(
            update(Assembly)
            .where(Assembly.id == uuid.UUID(plenary.desk.aid))
            .values(public_key=None)
        )
    response = await plenary.desk.post("/close")
    assert response.status_code == 202, response.text
    key_id = plenary.desk.created["key_id"]
    sent = await outbox_messages(node)
    introductions = [
        i for i, m in enumerate(sent) if m.kind == "key.introduced" and m.body["key_id"] == key_id
    ]
    [report_at] = [i for i, m in enumerate(sent) if m.kind == "report"]
    assert len(introductions) == 2 and introductions[1] < report_at
    ring = KeyRing({key_id: sent[introductions[1]].body["public_key"]})
    report = sent[report_at]
    ring.verify(report.sender, report.data, report.signature)


async def test_an_assembly_of_a_municipality_in_another_state_is_refused(
    local_tier: Federation,
) -> None:
    """Its key would be introduced for the wrong UF, which the regional tier refuses."""
    response = await local_tier.local.post(
        "/api/v1/assemblies/",
        headers=local_tier.staff["local"],
        json={
            "cycle_id": "cns-2027",
            "kind": "municipal",
            "territory": "3550308",
            "uf": "RJ",
            "title": "São Paulo, dita do Rio",
        },
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "not in RJ" in response.json()["detail"]
    assert await outbox_messages(local_tier.node("local"), "key.introduced") == []
