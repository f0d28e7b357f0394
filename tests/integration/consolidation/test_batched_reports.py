"""Reports (and key introductions) applied many to a transaction (the consumer's group commit) have exactly the effect
of the same reports applied one by one; a batch holding one bad report changes nothing, and
one by one that report alone is refused."""

from __future__ import annotations

from typing import Any

from shared.contracts.messages import AssemblyReport
from shared.contracts.subjects import up_subject
from shared.platform.bus.inbox import Outcome, Receiver
from shared.platform.bus.outbox import Outbox
from shared.platform.bus.signing import Signer, new_seed
from tests.support.api import get_json
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly, mandates
from tests.support.tiers import Federation

Row = tuple[str, bytes, dict[str, str]]

TEXTS = [
    ("saude-1", "national", "Garantir transporte sanitário para pacientes em tratamento"),
    ("saude-2", "state", "Ampliar a cobertura da atenção básica nas zonas rurais"),
]


def _row(assembly: FakeAssembly, report: AssemblyReport) -> Row:
    row = Outbox(assembly.signer).prepare(report, up_subject("local", "report", assembly.uf))
    return row["subject"], row["data"], row["headers"]


async def _items(regional_tier: Federation) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = await get_json(
        regional_tier.regional, "/api/v1/items", cycle_id=CYCLE, uf="MG"
    )
    return items


async def test_a_batch_applies_like_one_by_one_and_a_bad_report_spoils_only_itself(
    regional_tier: Federation,
) -> None:
    receiver: Receiver = regional_tier.nodes["regional"].receiver
    assemblies = [FakeAssembly(regional_tier, f"31{n:05d}", "MG") for n in range(4)]
    for assembly in assemblies:
        await assembly.introduce()
    await eventually(
        lambda: _known(receiver, assemblies), done=lambda known: known, interval=0.1, timeout=30
    )
    reports = [a.report(TEXTS, mandates=mandates(f"m{n}")) for n, a in enumerate(assemblies)]
    good = [_row(a, r) for a, r in zip(assemblies, reports, strict=True)]
    # The fourth assembly's report reuses an item of the first: a duplicate item.
    stolen = AssemblyReport(
        **{
            **{f: getattr(reports[3], f) for f in reports[3].__struct_fields__},
            "items": [reports[0].items[0], *reports[3].items[1:]],
        }
    )
    bad = _row(assemblies[3], stolen)

    assert not await receiver.receive_together([*good[:3], bad])
    assert await _items(regional_tier) == []  # the whole batch was rolled back

    assert await receiver.receive_together(good[:3])
    items = await _items(regional_tier)
    assert len(items) == 3 * len(TEXTS)
    lineage = await get_json(regional_tier.regional, f"/api/v1/items/{items[0]['id']}/lineage")
    assert {o["assembly_id"] for o in lineage["origins"]} <= {a.assembly_id for a in assemblies}
    assert len(lineage["origins"]) == 1
    # Delivered again, in a batch: recognised as applied, nothing doubles.
    assert await receiver.receive_together(good[:3])
    assert len(await _items(regional_tier)) == 3 * len(TEXTS)

    outcome, reason = await receiver.receive(*bad)
    assert (outcome, reason) == (Outcome.DEAD_LETTERED, "duplicate-item")
    outcome, _ = await receiver.receive(*good[3])
    assert outcome == Outcome.APPLIED
    assert len(await _items(regional_tier)) == 4 * len(TEXTS)
    board = await get_json(regional_tier.regional, "/api/v1/board", cycle_id=CYCLE, uf="MG")
    assert sorted(r["assembly_id"] for r in board["reported"]) == sorted(
        a.assembly_id for a in assemblies
    )


async def _known(receiver: Receiver, assemblies: list[FakeAssembly]) -> bool:
    async with receiver.sessions() as session:
        await receiver.trust.reload(session)
    return all(receiver.trust.ring.knows(a.signer.key_id) for a in assemblies)


def _introduction(assembly: FakeAssembly, signer: Signer | None = None) -> Row:
    row = assembly.introduction(signer)
    return row["subject"], row["data"], row["headers"]


async def test_key_introductions_back_to_back_go_in_together(regional_tier: Federation) -> None:
    receiver: Receiver = regional_tier.nodes["regional"].receiver
    assemblies = [FakeAssembly(regional_tier, f"29{n:05d}", "BA") for n in range(4)]
    assert await receiver.receive_together([_introduction(a) for a in assemblies[:3]])
    assert all(receiver.trust.ring.knows(a.signer.key_id) for a in assemblies[:3])

    # An introduction signed by a key nobody trusts spoils the batch; one by one, only itself.
    stranger = Signer("stranger", new_seed())
    forged = _introduction(assemblies[3], stranger)
    assert not await receiver.receive_together([_introduction(assemblies[3]), forged])
    outcome, reason = await receiver.receive(*forged)
    assert (outcome, reason) == (Outcome.DEAD_LETTERED, "unknown-sender")
    outcome, _ = await receiver.receive(*_introduction(assemblies[3]))
    assert outcome == Outcome.APPLIED
    assert receiver.trust.ring.knows(assemblies[3].signer.key_id)
