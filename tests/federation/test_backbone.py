"""The federation backbone against real PostgreSQL and nats-server (docs/spec.md §3, issue 2)."""

from __future__ import annotations

import asyncio
import base64
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
import nats
from sqlalchemy import func, select

from shared.contracts.envelope import MSG_ID_HEADER
from shared.contracts.messages import AssemblyReport, KeyIntroduction, ReportItem
from shared.contracts.subjects import up_subject
from shared.features.consolidation.model import ReceivedReport
from shared.platform.bus.models import InboxEntry, OutboxEntry
from shared.platform.bus.outbox import Outbox
from shared.platform.bus.signing import Signer, new_seed
from shared.tools.runtime.nats_server import EmbeddedNats
from shared.tools.runtime.postgres import EmbeddedPostgres
from tests.support.polling import eventually
from tests.support.tiers import AUTH, Federation, FederationFactory

PROPOSALS = [
    ("saude-1", "national", "Ampliar o número de UBS nas periferias", 40),
    ("saude-1", "state", "Garantir transporte sanitário intermunicipal", 25),
    ("saude-2", "national", "Fortalecer os CAPS com equipes completas", 31),
    ("saude-2", "municipal", "Reformar a UBS do bairro Jardim", 12),
]


async def open_assembly(federation: Federation, territory: str = "3550308", uf: str = "SP") -> str:
    response = await federation.local.post(
        "/api/v1/assemblies/",
        headers=AUTH,
        json={
            "cycle_id": "cns-2027",
            "kind": "municipal",
            "territory": territory,
            "uf": uf,
            "title": f"Conferência Municipal {territory}",
            "participants": 180,
        },
    )
    assert response.status_code == 201, response.text
    assembly_id: str = response.json()["id"]
    for axis, competence, text, support in PROPOSALS:
        created = await federation.local.post(
            f"/api/v1/assemblies/{assembly_id}/proposals",
            headers=AUTH,
            json={
                "axis": axis,
                "competence": competence,
                "title": text[:40],
                "text": text,
                "support": support,
            },
        )
        assert created.status_code == 201, created.text
    return assembly_id


async def received_reports(federation: Federation, tier: str = "regional") -> list[dict[str, Any]]:
    client = federation.regional if tier == "regional" else federation.national
    response = await client.get("/api/v1/reports")
    assert response.status_code == 200
    result: list[dict[str, Any]] = response.json()
    return result


async def test_walking_skeleton_reaches_national_with_lineage(federation: Federation) -> None:
    assembly_id = await open_assembly(federation)
    proposals = (await federation.local.get(f"/api/v1/assemblies/{assembly_id}/proposals")).json()
    forwarded = {p["id"] for p in proposals if p["competence"] != "municipal"}

    closed = await federation.local.post(f"/api/v1/assemblies/{assembly_id}/close", headers=AUTH)
    assert closed.status_code == 202, closed.text
    assert closed.json()["items"] == len(forwarded)

    reports = await eventually(lambda: received_reports(federation))
    assert [r["assembly_id"] for r in reports] == [assembly_id]
    # Reports are signed by the assembly's own key, introduced by the local instance.
    assert reports[0]["sender"].startswith(federation.settings["local"].sender_id + "/assembly/")
    regional_items = (await federation.regional.get("/api/v1/items")).json()
    assert len(regional_items) == len(forwarded)

    state = await federation.regional.post(
        "/api/v1/conference/close", headers=AUTH, json={"cycle_id": "cns-2027", "uf": "SP"}
    )
    assert state.status_code == 202, state.text
    await eventually(lambda: received_reports(federation, "national"))
    national_items = (await federation.national.get("/api/v1/items")).json()
    national_proposals = {p["id"] for p in proposals if p["competence"] == "national"}
    assert len(national_items) == len(national_proposals)
    reached: set[str] = set()
    for item in national_items:
        lineage = (await federation.national.get(f"/api/v1/items/{item['id']}/lineage")).json()
        assert lineage["sources"], "a national item must name its state source"
        for origin in lineage["origins"]:
            assert origin["assembly_id"] == assembly_id
            assert origin["territory"] == "3550308"
            reached.add(origin["proposal_id"])
    assert reached == national_proposals


async def test_same_message_delivered_twice_is_applied_once(federation: Federation) -> None:
    assembly_id = await open_assembly(federation)
    await federation.local.post(f"/api/v1/assemblies/{assembly_id}/close", headers=AUTH)
    await eventually(lambda: received_reports(federation))

    local = federation.nodes["local"]
    async with local.sessions() as session:
        row = (await session.scalars(select(OutboxEntry).where(OutboxEntry.kind == "report"))).one()
    # Republish the very same signed bytes under a new JetStream id, as after the duplicate
    # window expired: only the receiver's inbox can recognise it now.
    headers = {**row.headers, MSG_ID_HEADER: str(uuid.uuid4())}
    nc = await nats.connect(federation.settings["local"].nats_url)
    try:
        ack = await nc.jetstream().publish(row.subject, row.data, headers=headers)
        assert not ack.duplicate
    finally:
        await nc.close()

    regional = federation.nodes["regional"]

    async def duplicates() -> int:
        async with regional.sessions() as session:
            entry = await session.get(InboxEntry, row.id)
            return entry.duplicates if entry else 0

    assert await eventually(duplicates) == 1
    async with regional.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ReceivedReport)) == 1


async def test_relay_crash_between_publish_and_mark_does_not_double(
    federation_factory: FederationFactory,
) -> None:
    # A relay that never wakes by itself: the test decides when it publishes.
    federation = await federation_factory(local={"relay_idle_s": 3600.0})
    local = federation.nodes["local"]
    assembly_id = await open_assembly(federation)
    from services.local.closing import close_assembly

    async with local.sessions() as session, session.begin():
        await close_assembly(session, local.outbox, uuid.UUID(assembly_id))
    async with local.sessions() as session:
        rows = (
            await session.execute(
                select(
                    OutboxEntry.id, OutboxEntry.subject, OutboxEntry.data, OutboxEntry.headers
                ).where(OutboxEntry.kind == "report")
            )
        ).all()
    # "Crash": published, never marked sent.
    assert await local.relay.publish(rows) == [rows[0].id]
    await eventually(lambda: received_reports(federation))

    # The restarted relay finds the row unsent and publishes it again.
    local.relay.wake()

    async def unsent() -> int:
        async with local.sessions() as session:
            count = await session.scalar(
                select(func.count()).select_from(OutboxEntry).where(OutboxEntry.sent_at.is_(None))
            )
            return int(count or 0)

    await eventually(unsent, done=lambda n: n == 0)
    await asyncio.sleep(1.0)  # let any second delivery arrive before counting
    assert len(await received_reports(federation)) == 1


async def test_report_closed_while_nats_is_down_arrives_after_it_returns(
    federation: Federation, nats_running: EmbeddedNats
) -> None:
    assembly_id = await open_assembly(federation)
    nats_running.stop()
    try:
        closed = await federation.local.post(
            f"/api/v1/assemblies/{assembly_id}/close", headers=AUTH
        )
        assert closed.status_code == 202, closed.text
        ready = await federation.local.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": True, "nats": False}
        await asyncio.sleep(1.0)
    finally:
        nats_running.start()
    reports = await eventually(lambda: received_reports(federation), timeout=60)
    assert [r["assembly_id"] for r in reports] == [assembly_id]


def _report_body() -> AssemblyReport:
    return AssemblyReport(
        report_id=str(uuid.uuid4()),
        cycle_id="cns-2027",
        tier="local",
        assembly_id=str(uuid.uuid4()),
        assembly_kind="municipal",
        territory="3304557",
        uf="RJ",
        title="Conferência forjada",
        closed_at=datetime.now(UTC),
        items=[
            ReportItem(
                item_id=str(uuid.uuid4()),
                axis="saude-1",
                competence="national",
                title="x",
                text="Proposta inventada",
                rank=1,
            )
        ],
    )


async def _publish_raw(url: str, subject: str, data: bytes, headers: dict[str, str]) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().publish(subject, data, headers=headers)
    finally:
        await nc.close()


async def test_forged_unsigned_unknown_and_garbage_are_dead_lettered(
    federation: Federation,
) -> None:
    url = federation.settings["local"].nats_url
    subject = up_subject("local", "report", "RJ")
    local_id = federation.settings["local"].sender_id
    impostor = Outbox(Signer(local_id, new_seed()))  # claims to be the local tier
    forged = impostor.prepare(_report_body(), subject)
    stranger = Outbox(Signer("stranger", new_seed()))
    unknown = stranger.prepare(_report_body(), subject)
    unsigned = Outbox(Signer(local_id, new_seed())).prepare(_report_body(), subject)
    unsigned_headers = {k: v for k, v in unsigned["headers"].items() if "Signature" not in k}  # type: ignore[union-attr]

    await _publish_raw(url, subject, forged["data"], forged["headers"])  # type: ignore[arg-type]
    await _publish_raw(url, subject, unknown["data"], unknown["headers"])  # type: ignore[arg-type]
    await _publish_raw(url, subject, unsigned["data"], unsigned_headers)  # type: ignore[arg-type]
    await _publish_raw(url, subject, b"\x00not json at all", {MSG_ID_HEADER: "garbage-1"})
    future = msgspec.json.encode({"v": 99, "id": "x", "kind": "report", "sender": local_id})
    await _publish_raw(url, subject, future, {MSG_ID_HEADER: "future-1"})

    async def letters() -> dict[str, Any]:
        data: dict[str, Any] = (await federation.regional.get("/api/v1/dead-letters/")).json()
        return data

    listed = await eventually(letters, done=lambda d: d["total"] >= 5)
    reasons = sorted(item["reason"] for item in listed["items"])
    assert reasons == ["forged", "undecodable", "unknown-sender", "unknown-version", "unsigned"]
    garbage = next(i for i in listed["items"] if i["reason"] == "undecodable")
    assert garbage["raw_encoding"] == "hex" or "not json" in garbage["raw"]
    assert (await federation.regional.get("/health/ready")).status_code == 200
    assert await received_reports(federation) == []

    # The operator registers the stranger's key; replaying its letter now applies it.
    stranger_letter = next(i for i in listed["items"] if i["reason"] == "unknown-sender")
    registered = await federation.regional.post(
        "/api/v1/keys/",
        headers=AUTH,
        json={"key_id": "stranger", "public_key": stranger.default_signer.public_key},
    )
    assert registered.status_code == 201, registered.text
    replay = await federation.regional.post(
        f"/api/v1/dead-letters/{stranger_letter['id']}/replay", headers=AUTH
    )
    assert replay.status_code == 200, replay.text
    assert replay.json()["outcome"] == "applied"
    assert len(await received_reports(federation)) == 1
    again = await federation.regional.post(
        f"/api/v1/dead-letters/{stranger_letter['id']}/replay", headers=AUTH
    )
    assert again.json()["outcome"] == "duplicate"
    assert base64.b64decode(stranger.default_signer.public_key)


async def test_replay_requires_the_admin_token(federation: Federation) -> None:
    response = await federation.regional.post(f"/api/v1/dead-letters/{uuid.uuid4()}/replay")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    wrong = await federation.regional.post(
        f"/api/v1/dead-letters/{uuid.uuid4()}/replay", headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 403


async def test_database_outage_is_a_503_problem_not_a_500(
    federation: Federation, postgres_running: EmbeddedPostgres
) -> None:
    postgres_running.stop()
    try:
        response = await federation.local.get("/api/v1/assemblies/")
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["retry-after"]
        ready = await federation.local.get("/health/ready")
        assert ready.status_code == 503
    finally:
        postgres_running.start()

    async def status() -> int:
        return (await federation.local.get("/health/ready")).status_code

    await eventually(status, done=lambda code: code == 200)


async def test_report_refused_for_an_unknown_key_is_replayed_once_the_key_is_introduced(
    federation_factory: FederationFactory,
) -> None:
    # One redelivery only, so the report gives up waiting quickly and becomes a dead letter.
    federation = await federation_factory(regional={"introduction_retries": 1})
    url = federation.settings["local"].nats_url
    local_id = federation.settings["local"].sender_id
    instance = Outbox(Signer(local_id, federation.settings["local"].signing_key))
    report = _report_body()
    assembly_key = Signer(f"{local_id}/assembly/{report.assembly_id}", new_seed())
    late = Outbox(assembly_key).prepare(report, up_subject("local", "report", report.uf))
    await _publish_raw(url, str(late["subject"]), late["data"], late["headers"])  # type: ignore[arg-type]

    async def letters() -> dict[str, Any]:
        data: dict[str, Any] = (await federation.regional.get("/api/v1/dead-letters/")).json()
        return data

    listed = await eventually(letters, done=lambda d: d["total"] == 1)
    assert listed["items"][0]["reason"] == "unknown-sender"

    introduction = instance.prepare(
        KeyIntroduction(
            key_id=assembly_key.key_id,
            public_key=assembly_key.public_key,
            assembly_id=report.assembly_id,
            territory=report.territory,
        ),
        up_subject("local", "key.introduced", report.uf),
    )
    await _publish_raw(
        url, str(introduction["subject"]), introduction["data"], introduction["headers"]
    )  # type: ignore[arg-type]

    reports = await eventually(lambda: received_reports(federation))
    assert [r["report_id"] for r in reports] == [report.report_id]
    replayed = (await letters())["items"][0]
    assert replayed["replay_outcome"] == "applied"


async def test_a_state_with_no_items_still_reports_once(federation: Federation) -> None:
    close = {"cycle_id": "cns-2027", "uf": "AC"}
    first = await federation.regional.post("/api/v1/conference/close", headers=AUTH, json=close)
    assert first.status_code == 202, first.text
    assert first.json()["items"] == 0
    again = await federation.regional.post("/api/v1/conference/close", headers=AUTH, json=close)
    assert again.status_code == 409
    reports = await eventually(lambda: received_reports(federation, "national"))
    assert [(r["uf"], r["items"]) for r in reports] == [("AC", 0)]
