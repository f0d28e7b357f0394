"""Nothing is dropped (docs/spec.md §10): at the regional tier alone, forged, unsigned, unknown,
undecodable, future-version and oversized messages become dead letters with their reason, kept
whole, and replayable by the operator once the cause is fixed."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from shared.contracts.envelope import MSG_ID_HEADER
from shared.contracts.messages import AssemblyReport, KeyIntroduction, ReportItem
from shared.contracts.subjects import up_subject
from shared.platform.bus.outbox import Outbox
from shared.platform.bus.signing import Signer, new_seed
from tests.support.bus import publish, publish_row
from tests.support.polling import eventually
from tests.support.reports import FakeAssembly
from tests.support.tiers import Federation, TierFactory, operator

LIMIT = 16 * 1024


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


async def letters(tier: Federation) -> dict[str, Any]:
    data: dict[str, Any] = (
        await tier.regional.get("/api/v1/dead-letters/", headers=operator("regional"))
    ).json()
    return data


async def reports(tier: Federation) -> list[dict[str, Any]]:
    response = await tier.regional.get("/api/v1/reports")
    assert response.status_code == 200
    result: list[dict[str, Any]] = response.json()
    return result


async def test_forged_unsigned_unknown_and_garbage_are_dead_lettered(
    regional_tier: Federation,
) -> None:
    url = regional_tier.nats_url
    subject = up_subject("local", "report", "RJ")
    local_id = regional_tier.settings["local"].sender_id
    impostor = Outbox(Signer(local_id, new_seed()))  # claims to be the local tier
    forged = impostor.prepare(_report_body(), subject)
    stranger = Outbox(Signer("stranger", new_seed()))
    stranger_report = _report_body()
    unknown = stranger.prepare(stranger_report, subject)
    unsigned = Outbox(Signer(local_id, new_seed())).prepare(_report_body(), subject)
    unsigned_headers = {k: v for k, v in unsigned["headers"].items() if "Signature" not in k}  # type: ignore[union-attr]

    await publish_row(url, forged)
    await publish_row(url, unknown)
    await publish(url, subject, unsigned["data"], unsigned_headers)  # type: ignore[arg-type]
    await publish(url, subject, b"\x00not json at all", {MSG_ID_HEADER: "garbage-1"})
    future = msgspec.json.encode({"v": 99, "id": "x", "kind": "report", "sender": local_id})
    await publish(url, subject, future, {MSG_ID_HEADER: "future-1"})

    listed = await eventually(lambda: letters(regional_tier), done=lambda d: d["total"] >= 5)
    reasons = sorted(item["reason"] for item in listed["items"])
    assert reasons == ["forged", "undecodable", "unknown-sender", "unknown-version", "unsigned"]
    garbage = next(i for i in listed["items"] if i["reason"] == "undecodable")
    # The bytes are valid UTF-8 (a NUL is), so they are shown as text, whole.
    assert (garbage["raw_encoding"], garbage["raw"]) == ("utf-8", "\x00not json at all")
    assert (await regional_tier.regional.get("/health/ready")).status_code == 200
    assert await reports(regional_tier) == []

    # The operator registers the stranger's key for its assembly; replaying its letter now
    # applies it.
    stranger_letter = next(i for i in listed["items"] if i["reason"] == "unknown-sender")
    public_key = stranger.default_signer.public_key
    assert len(base64.b64decode(public_key)) == 32  # an Ed25519 public key
    registered = await regional_tier.regional.post(
        "/api/v1/keys/",
        headers=operator("regional"),
        json={
            "key_id": "stranger",
            "public_key": public_key,
            "assembly_id": stranger_report.assembly_id,
            "territory": stranger_report.territory,
        },
    )
    assert registered.status_code == 201, registered.text
    replay = await regional_tier.regional.post(
        f"/api/v1/dead-letters/{stranger_letter['id']}/replay", headers=operator("regional")
    )
    assert replay.status_code == 200, replay.text
    assert replay.json()["outcome"] == "applied"
    assert len(await reports(regional_tier)) == 1
    again = await regional_tier.regional.post(
        f"/api/v1/dead-letters/{stranger_letter['id']}/replay", headers=operator("regional")
    )
    assert again.json()["outcome"] == "duplicate"


async def test_dead_letters_are_the_operators_alone(regional_tier: Federation) -> None:
    """Dead letters hold raw message bytes and headers: neither the public, nor an unknown
    token, nor another tier's operator, nor the conference staff may list or replay them."""
    regional = regional_tier.regional
    replay = f"/api/v1/dead-letters/{uuid.uuid4()}/replay"
    for method, url in (("GET", "/api/v1/dead-letters/"), ("POST", replay)):
        for headers, status in (
            ({}, 401),
            ({"Authorization": "Bearer nope"}, 401),
            # Another tier's operator is nobody here.
            (operator("local"), 401),
            (operator("national"), 401),
            (regional_tier.staff["regional"], 403),
        ):
            response = await regional.request(method, url, headers=headers)
            assert response.status_code == status, (method, url, headers, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
    listed = await regional.get("/api/v1/dead-letters/", headers=operator("regional"))
    assert listed.status_code == 200, listed.text


async def test_report_refused_for_an_unknown_key_is_replayed_once_the_key_is_introduced(
    tier_factory: TierFactory,
) -> None:
    # One redelivery only, so the report gives up waiting quickly and becomes a dead letter.
    tier = await tier_factory("regional", introduction_retries=1)
    local_id = tier.settings["local"].sender_id
    report = _report_body()
    assembly_key = Signer(f"{local_id}/assembly/{report.assembly_id}", new_seed())
    late = Outbox(assembly_key).prepare(report, up_subject("local", "report", report.uf))
    await publish_row(tier.nats_url, late)

    listed = await eventually(lambda: letters(tier), done=lambda d: d["total"] == 1)
    assert listed["items"][0]["reason"] == "unknown-sender"

    introduction = tier.outbox("local").prepare(
        KeyIntroduction(
            key_id=assembly_key.key_id,
            public_key=assembly_key.public_key,
            assembly_id=report.assembly_id,
            territory=report.territory,
        ),
        up_subject("local", "key.introduced", report.uf),
    )
    await publish_row(tier.nats_url, introduction)

    received = await eventually(lambda: reports(tier))
    assert [r["report_id"] for r in received] == [report.report_id]
    replayed = (await letters(tier))["items"][0]
    assert replayed["replay_outcome"] == "applied"


def _long_texts(text_length: int) -> list[tuple[str, str, str]]:
    return [
        (
            f"saude-{n % 3 + 1}",
            "national",
            (f"Proposta {n}: ampliar o atendimento básico de saúde. " * 200)[:text_length],
        )
        for n in range(6)
    ]


async def test_oversized_report_is_dead_lettered_and_replayable_under_a_raised_limit(
    tier_factory: TierFactory,
) -> None:
    tier = await tier_factory("regional", max_message_bytes=LIMIT)
    sizes: dict[str, int] = {}
    assemblies: dict[int, FakeAssembly] = {}
    for text_length in (200, 5000):
        assembly = FakeAssembly(tier, "3304557", "RJ")
        await assembly.introduce()
        row = await assembly.send(assembly.report(_long_texts(text_length), participants=150))
        sizes[str(row["id"])] = len(row["data"])
        assemblies[text_length] = assembly
    small, big = assemblies[200].assembly_id, assemblies[5000].assembly_id
    assert sorted(sizes.values())[0] <= LIMIT < sorted(sizes.values())[1]
    big_message = max(sizes, key=lambda message_id: sizes[message_id])

    listed = await eventually(lambda: letters(tier), done=lambda d: d["total"] >= 1)
    await eventually(lambda: reports(tier))
    [letter] = listed["items"]
    assert letter["reason"] == "oversized"
    assert letter["message_id"] == big_message
    assert f"{sizes[big_message]} bytes" in letter["detail"]
    assert len(letter["raw"].encode()) == sizes[big_message]  # kept whole, not truncated
    assert [r["assembly_id"] for r in await reports(tier)] == [small]
    assert (await tier.regional.get("/health/ready")).status_code == 200

    # Replaying under the same limit refuses it again, for the same reason.
    again = await tier.regional.post(
        f"/api/v1/dead-letters/{letter['id']}/replay", headers=operator("regional")
    )
    assert again.json() == {"id": letter["id"], "outcome": "dead-lettered", "reason": "oversized"}

    # The operator raises the limit (a configuration change; here on the running receiver)
    # and replays the letter: the report is applied, once.
    tier.nodes["regional"].receiver.max_message_bytes = 8 * 1024 * 1024
    replay = await tier.regional.post(
        f"/api/v1/dead-letters/{letter['id']}/replay", headers=operator("regional")
    )
    assert replay.json()["outcome"] == "applied"
    assert sorted(r["assembly_id"] for r in await reports(tier)) == sorted([small, big])
