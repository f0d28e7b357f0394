"""Who may send what, for which territory (issue 11): each reproduction of the security review,
sent over the real JetStream to a tier on its real PostgreSQL, ends as a dead letter with its
reason and changes nothing, while the genuine traffic beside it keeps flowing."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy import func, select

from shared.contracts.envelope import (
    MSG_ID_HEADER,
    SENDER_HEADER,
    SIGNATURE_HEADER,
    encode_envelope,
    seal,
)
from shared.contracts.messages import (
    CycleAnnouncement,
    KeyIntroduction,
    KeyRevocation,
    SeatAllocation,
)
from shared.contracts.subjects import down_subject, up_subject
from shared.core.cycle import preset_text
from shared.core.vocabulary import Tier
from shared.features.allocation.model import AllocationRecord
from shared.features.cycles.model import CycleRecord
from shared.platform.bus.models import TrustedKey
from shared.platform.bus.outbox import Outbox
from shared.platform.bus.signing import Signer, new_seed
from tests.support.bus import Row, publish, publish_row
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly
from tests.support.tiers import Federation, operator

TEXT = [("saude-1", "national", "Ampliar o horário de funcionamento das UBS até as 22 horas")]


def allocation(
    territory: str, seats: int, *, assembly_id: str = "", uf: str = ""
) -> SeatAllocation:
    return SeatAllocation(
        allocation_id=str(uuid.uuid4()),
        cycle_id=CYCLE,
        territory=territory,
        seats=seats,
        assembly_id=assembly_id,
        uf=uf or territory,
    )


def signed_as(signer: Signer, body: msgspec.Struct, subject: str, territory: str) -> Row:
    """A message whose signed envelope names ``subject`` and ``territory`` as given (a forger
    holding ``signer``'s key can sign anything; the receiver must still refuse it)."""
    envelope = seal(body, sender=signer.key_id, subject=subject, territory=territory)
    data = encode_envelope(envelope)
    return {
        "subject": subject,
        "data": data,
        "headers": {
            MSG_ID_HEADER: envelope.id,
            SENDER_HEADER: signer.key_id,
            SIGNATURE_HEADER: signer.sign(data),
        },
    }


async def letters(fed: Federation, tier: Tier, at_least: int) -> list[dict[str, Any]]:
    client = fed.client(tier)

    async def listed() -> dict[str, Any]:
        data: dict[str, Any] = (
            await client.get(
                "/api/v1/dead-letters/", headers=operator(tier), params={"limit": 1000}
            )
        ).json()
        return data

    page = await eventually(listed, done=lambda d: d["total"] >= at_least)
    assert page["total"] == at_least, [(i["reason"], i["detail"]) for i in page["items"]]
    items: list[dict[str, Any]] = page["items"]
    return items


def reasons(items: list[dict[str, Any]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in items:
        found.setdefault(item["reason"], []).append(item["detail"])
    return found


async def received_seats(fed: Federation, tier: Tier, territory: str) -> list[int]:
    async with fed.node(tier).sessions() as session:
        rows = await session.scalars(
            select(AllocationRecord.seats).where(
                AllocationRecord.direction == "received",
                AllocationRecord.territory == territory,
                AllocationRecord.superseded.is_(False),
            )
        )
        return list(rows.all())


async def test_an_assembly_key_may_not_allocate_seats_or_announce_a_cycle(
    regional_tier: Federation,
) -> None:
    fed = regional_tier
    assembly = FakeAssembly(fed, "1600303", "AP")
    await assembly.introduce()
    national = fed.outbox("national")

    # The genuine national allocation for AP: 14 seats.
    await publish_row(
        fed.nats_url, national.prepare(allocation("AP", 14), down_subject("allocation", "AP"))
    )
    await eventually(lambda: received_seats(fed, "regional", "AP"), done=lambda s: s == [14])

    # The review's forgeries with the assembly's key: 9999 seats for AP, and new cycle rules.
    forged = Outbox(assembly.signer)
    await publish_row(
        fed.nats_url, forged.prepare(allocation("AP", 9999), down_subject("allocation", "AP"))
    )
    rules = preset_text("health").replace('cycle_id = "cns-2027"', 'cycle_id = "forged-cycle"')
    await publish_row(
        fed.nats_url,
        forged.prepare(
            CycleAnnouncement(cycle_id="forged-cycle", title="Forjado", rules_toml=rules),
            down_subject("cycle", "BR"),
        ),
    )
    items = await letters(fed, "regional", 2)
    found = reasons(items)
    assert list(found) == ["unauthorised-sender"]
    details = " | ".join(found["unauthorised-sender"])
    # Each letter names the kind, the signer and the territory.
    assert f"allocation signed by {assembly.signer.key_id} (assembly for 1600303) for AP" in details
    assert f"cycle signed by {assembly.signer.key_id} (assembly for 1600303) for BR" in details

    # Nothing changed, and the genuine national traffic still flows.
    assert await received_seats(fed, "regional", "AP") == [14]
    async with fed.node("regional").sessions() as session:
        assert (
            await session.scalar(
                select(func.count())
                .select_from(CycleRecord)
                .where(CycleRecord.cycle_id == "forged-cycle")
            )
            == 0
        )
    await publish_row(
        fed.nats_url, national.prepare(allocation("AP", 15), down_subject("allocation", "AP"))
    )
    await eventually(lambda: received_seats(fed, "regional", "AP"), done=lambda s: s == [15])


async def test_the_local_key_may_not_allocate_seats_to_an_assembly(local_tier: Federation) -> None:
    fed = local_tier
    created = await fed.local.post(
        "/api/v1/assemblies/",
        headers=fed.staff["local"],
        json={
            "cycle_id": CYCLE,
            "kind": "municipal",
            "territory": "3550308",
            "uf": "SP",
            "title": "Conferência de São Paulo",
        },
    )
    assert created.status_code == 201, created.text
    assembly_id = created.json()["id"]
    subject = down_subject("allocation", "3550308")
    local_key = fed.outbox("local")
    await publish_row(
        fed.nats_url,
        local_key.prepare(allocation("3550308", 77, assembly_id=assembly_id, uf="SP"), subject),
    )
    # The national instance may not either: an assembly's seats come from its state.
    await publish_row(
        fed.nats_url,
        fed.outbox("national").prepare(
            allocation("3550308", 78, assembly_id=assembly_id, uf="SP"), subject
        ),
    )
    found = reasons(await letters(fed, "local", 2))
    assert list(found) == ["unauthorised-sender"] and len(found["unauthorised-sender"]) == 2
    assert await received_seats(fed, "local", "3550308") == []

    await publish_row(
        fed.nats_url,
        fed.outbox("regional").prepare(
            allocation("3550308", 7, assembly_id=assembly_id, uf="SP"), subject
        ),
    )
    await eventually(lambda: received_seats(fed, "local", "3550308"), done=lambda s: s == [7])


async def test_no_one_introduces_the_national_key_or_revokes_another_tiers_key(
    regional_tier: Federation,
) -> None:
    fed = regional_tier
    local = fed.outbox("local")
    national_id = fed.settings["national"].sender_id
    regional_id = fed.settings["regional"].sender_id
    takeover = Signer(national_id, new_seed())
    await publish_row(
        fed.nats_url,
        local.prepare(
            KeyIntroduction(key_id=national_id, public_key=takeover.public_key, territory="SP"),
            up_subject("local", "key.introduced", "SP"),
        ),
    )
    # An assembly key in another tier's namespace, or outside the local instance's scope.
    await publish_row(
        fed.nats_url,
        local.prepare(
            KeyIntroduction(
                key_id=f"{regional_id}/assembly/x",
                public_key=takeover.public_key,
                territory="3550308",
            ),
            up_subject("local", "key.introduced", "SP"),
        ),
    )
    for key_id in (national_id, regional_id):
        await publish_row(
            fed.nats_url,
            local.prepare(
                KeyRevocation(key_id=key_id, reason="takeover"),
                up_subject("local", "key.revoked", "SP"),
            ),
        )
    # The allocation signed with the would-be national key.
    await publish_row(
        fed.nats_url,
        Outbox(takeover).prepare(allocation("SP", 9999), down_subject("allocation", "SP")),
    )
    found = reasons(await letters(fed, "regional", 5))
    assert sorted(found) == ["forged", "unauthorised-sender"]
    assert len(found["unauthorised-sender"]) == 4
    assert all("outside its namespace" in d for d in found["unauthorised-sender"])
    assert any(
        d.startswith("key.introduced") and f"for SP: {national_id} is" in d
        for d in found["unauthorised-sender"]
    )
    assert sum(d.startswith("key.revoked") for d in found["unauthorised-sender"]) == 2
    assert found["forged"] == [f"bad signature from {national_id}"]

    # A row left in the database by the old takeover, or the operator's API asked to register
    # the national key, changes nothing: instance keys come from the trusted-keys file only.
    node = fed.node("regional")
    async with node.sessions() as session, session.begin():
        session.add(
            TrustedKey(key_id=national_id, public_key=takeover.public_key, introduced_by="local")
        )
    registered = await fed.regional.post(
        "/api/v1/keys/",
        headers=operator("regional"),
        json={"key_id": national_id, "public_key": takeover.public_key},
    )
    assert registered.status_code == 422, registered.text
    async with node.sessions() as session:
        await node.trust.reload(session)
    assert node.trust.instance_keys[national_id] != takeover.public_key
    await publish_row(
        fed.nats_url,
        fed.outbox("national").prepare(allocation("SP", 70), down_subject("allocation", "SP")),
    )
    await eventually(lambda: received_seats(fed, "regional", "SP"), done=lambda s: s == [70])
    await publish_row(
        fed.nats_url,
        Outbox(takeover).prepare(allocation("SP", 9998), down_subject("allocation", "SP")),
    )
    found = reasons(await letters(fed, "regional", 6))
    assert found["forged"] == [f"bad signature from {national_id}"] * 2
    assert await received_seats(fed, "regional", "SP") == [70]


async def test_signed_subject_and_territory_must_agree_with_the_delivery(
    regional_tier: Federation,
) -> None:
    fed = regional_tier
    national = fed.outbox("national")
    national_signer = national.default_signer
    # Signed for SP, delivered on AP's subject.
    row = national.prepare(allocation("SP", 50), down_subject("allocation", "SP"))
    await publish(fed.nats_url, down_subject("allocation", "AP"), row["data"], row["headers"])
    # Signed territory AP on SP's subject.
    await publish_row(
        fed.nats_url,
        signed_as(national_signer, allocation("AP", 51), down_subject("allocation", "SP"), "AP"),
    )
    # Envelope and subject agree (SP), the body is for AP.
    await publish_row(
        fed.nats_url, national.prepare(allocation("AP", 52), down_subject("allocation", "SP"))
    )
    # An old envelope, which signed no subject.
    old = msgspec.json.decode(row["data"])
    old["v"] = 1
    del old["subject"], old["territory"]
    old_data = msgspec.json.encode(old)
    await publish(
        fed.nats_url,
        down_subject("allocation", "SP"),
        old_data,
        {
            **row["headers"],
            MSG_ID_HEADER: str(uuid.uuid4()),
            SIGNATURE_HEADER: national_signer.sign(old_data),
        },
    )
    found = reasons(await letters(fed, "regional", 4))
    assert sorted(found) == ["outdated-envelope", "subject-mismatch", "territory-mismatch"]
    assert len(found["territory-mismatch"]) == 2
    assert await received_seats(fed, "regional", "SP") == []
    assert await received_seats(fed, "regional", "AP") == []


async def test_a_report_for_another_uf_than_its_key_is_refused(regional_tier: Federation) -> None:
    fed = regional_tier
    sp = FakeAssembly(fed, "3550308", "SP")
    await sp.introduce()
    # The local instance may not introduce a key for SP's municipality on RJ's subject.
    rj_intro = FakeAssembly(fed, "3550308", "RJ")
    await publish_row(fed.nats_url, rj_intro.introduction())

    async def board() -> dict[str, Any]:
        result: dict[str, Any] = (
            await fed.regional.get("/api/v1/board", params={"cycle_id": CYCLE, "uf": "SP"})
        ).json()
        return result

    await eventually(board, done=lambda b: b["expected"] == 1)
    # SP's assembly key signs a report of an RJ municipality, on RJ's subject and on SP's.
    report = sp.report(TEXT)
    in_rj = msgspec.structs.replace(report, territory="3304557", uf="RJ")
    await publish_row(
        fed.nats_url, Outbox(sp.signer).prepare(in_rj, up_subject("local", "report", "RJ"))
    )
    await publish_row(
        fed.nats_url, Outbox(sp.signer).prepare(in_rj, up_subject("local", "report", "SP"))
    )
    # Same UF, another municipality than the key's.
    elsewhere = msgspec.structs.replace(report, territory="3509502")
    await publish_row(
        fed.nats_url, Outbox(sp.signer).prepare(elsewhere, up_subject("local", "report", "SP"))
    )
    found = reasons(await letters(fed, "regional", 4))
    assert sorted(found) == ["territory-mismatch", "unauthorised-sender"]
    assert len(found["unauthorised-sender"]) == 2 and len(found["territory-mismatch"]) == 2
    assert any("outside the key's territory" in d for d in found["unauthorised-sender"])

    # The honest report still goes through.
    await sp.send(report)
    final = await eventually(board, done=lambda b: len(b["reported"]) == 1)
    assert [r["assembly_id"] for r in final["reported"]] == [sp.assembly_id]
