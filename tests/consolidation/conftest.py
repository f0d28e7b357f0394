"""Fixtures and drivers for consolidation tests: the federation fixtures, plus helpers that drive
the local tier through its HTTP API or inject signed reports the way an assembly would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec
import nats

from shared.contracts.messages import (
    AssemblyReport,
    KeyIntroduction,
    KeyRevocation,
    Mandate,
    ReportItem,
)
from shared.contracts.subjects import up_subject
from shared.platform.bus.outbox import Outbox
from shared.platform.bus.signing import Signer, new_seed
from tests.federation.conftest import (  # noqa: F401 - fixtures re-exported for this package
    AUTH,
    Federation,
    FederationFactory,
    eventually,
    federation,
    federation_factory,
)

CYCLE = "cns-2027"


async def get_json(client: Any, url: str, **params: Any) -> Any:
    response = await client.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def open_local_assembly(
    fed: Federation,
    *,
    territory: str,
    uf: str,
    proposals: list[tuple[str, str, str, int]],
    participants: int = 120,
    population: int = 50_000,
) -> tuple[str, list[str]]:
    """Create and open an assembly at the local tier and record its proposals over HTTP."""
    created = await fed.local.post(
        "/api/v1/assemblies/",
        headers=AUTH,
        json={
            "cycle_id": CYCLE,
            "kind": "municipal",
            "territory": territory,
            "uf": uf,
            "title": f"Conferência Municipal {territory}",
            "participants": participants,
            "population": population,
        },
    )
    assert created.status_code == 201, created.text
    assembly_id: str = created.json()["id"]
    opened = await fed.local.post(f"/api/v1/assemblies/{assembly_id}/open", headers=AUTH)
    assert opened.status_code in (200, 201, 404, 405, 409), opened.text
    ids = []
    for axis, competence, text, support in proposals:
        response = await fed.local.post(
            f"/api/v1/assemblies/{assembly_id}/proposals",
            headers=AUTH,
            json={
                "axis": axis,
                "competence": competence,
                "title": text[:60],
                "text": text,
                "support": support,
            },
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return assembly_id, ids


async def publish(url: str, row: dict[str, Any]) -> None:
    """Publish a prepared (sealed and signed) outbox row straight to JetStream."""
    nc = await nats.connect(url)
    try:
        await nc.jetstream().publish(row["subject"], row["data"], headers=row["headers"])
    finally:
        await nc.close()


@dataclass
class FakeAssembly:
    """An assembly with its own key, introduced by the local instance, that reports directly."""

    fed: Federation
    territory: str
    uf: str
    assembly_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    signer: Signer = field(init=False)

    def __post_init__(self) -> None:
        key_id = f"{self.fed.settings['local'].sender_id}/assembly/{self.assembly_id}"
        self.signer = Signer(key_id, new_seed())

    async def introduce(self) -> None:
        local = self.fed.nodes["local"]
        body = KeyIntroduction(
            key_id=self.signer.key_id,
            public_key=self.signer.public_key,
            assembly_id=self.assembly_id,
            territory=self.territory,
        )
        await publish(
            self.fed.settings["local"].nats_url,
            local.outbox.prepare(body, up_subject("local", "key.introduced", self.uf)),
        )

    async def revoke(self) -> None:
        local = self.fed.nodes["local"]
        body = KeyRevocation(key_id=self.signer.key_id, reason="lost laptop")
        await publish(
            self.fed.settings["local"].nats_url,
            local.outbox.prepare(body, up_subject("local", "key.revoked", self.uf)),
        )

    def report(
        self,
        texts: list[tuple[str, str, str]],
        *,
        participants: int = 100,
        mandates: list[Mandate] | None = None,
        assembly_id: str | None = None,
    ) -> AssemblyReport:
        ranks: dict[str, int] = {}
        items = []
        for axis, competence, text in texts:
            ranks[axis] = ranks.get(axis, 0) + 1
            items.append(
                ReportItem(
                    item_id=str(uuid.uuid4()),
                    axis=axis,
                    competence=competence,  # type: ignore[arg-type]
                    title=text[:60],
                    text=text,
                    rank=ranks[axis],
                    support=10 * ranks[axis],
                )
            )
        return AssemblyReport(
            report_id=str(uuid.uuid4()),
            cycle_id=CYCLE,
            tier="local",
            assembly_id=assembly_id or self.assembly_id,
            assembly_kind="municipal",
            territory=self.territory,
            uf=self.uf,
            title=f"Conferência {self.territory}",
            closed_at=datetime.now(UTC),
            participants=participants,
            population=participants * 100,
            items=items,
            mandates=mandates or [],
        )

    async def send(self, report: AssemblyReport, signer: Signer | None = None) -> dict[str, Any]:
        row = Outbox(signer or self.signer).prepare(report, up_subject("local", "report", self.uf))
        await publish(self.fed.settings["local"].nats_url, row)
        return row


def mandates(prefix: str) -> list[Mandate]:
    """Two titulars and two ranked alternates for the users' segment, one titular per other."""
    return [
        Mandate(mandate_id=f"{prefix}-u1", public_name=f"{prefix} Ana", segment="users"),
        Mandate(mandate_id=f"{prefix}-u2", public_name=f"{prefix} Bia", segment="users", rank=2),
        Mandate(
            mandate_id=f"{prefix}-a1",
            public_name=f"{prefix} Caio",
            segment="users",
            role="alternate",
            rank=1,
        ),
        Mandate(
            mandate_id=f"{prefix}-a2",
            public_name=f"{prefix} Dora",
            segment="users",
            role="alternate",
            rank=2,
        ),
        Mandate(mandate_id=f"{prefix}-w1", public_name=f"{prefix} Edu", segment="workers"),
    ]


def to_builtins(value: Any) -> Any:
    return msgspec.to_builtins(value)
