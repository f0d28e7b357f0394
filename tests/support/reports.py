"""Assemblies that report straight onto the bus, as the local tier would send for them.

A :class:`FakeAssembly` has its own key, introduced (and revoked) in the local instance's name, and
sends signed reports to JetStream; consolidation tests use it to feed the regional tier without
starting the local one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec

from shared.contracts.messages import (
    AssemblyReport,
    KeyIntroduction,
    KeyRevocation,
    Mandate,
    OriginRef,
    ReportItem,
)
from shared.contracts.subjects import direct_subject, up_subject
from shared.platform.bus.outbox import Outbox
from shared.platform.bus.signing import Signer, new_seed
from shared.platform.secrets import code_digest, new_code
from tests.support.bus import Row, publish_row
from tests.support.tiers import Federation

CYCLE = "cns-2027"
_CLAIMS: dict[str, str] = {}


def claim_code(mandate_id: str) -> str:
    """The one-time claim code the electing assembly handed this mandate's delegate (the
    report carries only its digest)."""
    return _CLAIMS.setdefault(mandate_id, new_code())


@dataclass
class FakeAssembly:
    """An assembly with its own key, introduced by the local instance, that reports directly."""

    fed: Federation
    territory: str
    uf: str
    assembly_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    #: Its kind of assembly, as its reports name it.
    kind: str = "municipal"
    #: Whether it introduces its key and reports straight to the national tier (the subjects a
    #: local assembly the cycle routes to the national stage uses) instead of to its state.
    direct: bool = False
    signer: Signer = field(init=False)

    def __post_init__(self) -> None:
        key_id = f"{self.fed.settings['local'].sender_id}/assembly/{self.assembly_id}"
        self.signer = Signer(key_id, new_seed())

    def introduction(self, signer: Signer | None = None) -> Row:
        """The local instance's (or ``signer``'s) message introducing this assembly's key."""
        body = KeyIntroduction(
            key_id=self.signer.key_id,
            public_key=self.signer.public_key,
            assembly_id=self.assembly_id,
            territory=self.territory,
        )
        outbox = Outbox(signer) if signer else self.fed.outbox("local")
        return outbox.prepare(body, self.subject("key.introduced"))

    def subject(self, kind: str) -> str:
        """Where this assembly's messages of ``kind`` travel."""
        if self.direct:
            return direct_subject(kind, self.uf)
        return up_subject("local", kind, self.uf)

    async def introduce(self) -> None:
        await publish_row(self.fed.nats_url, self.introduction())

    async def revoke(self) -> None:
        body = KeyRevocation(key_id=self.signer.key_id, reason="lost laptop")
        row = self.fed.outbox("local").prepare(body, self.subject("key.revoked"))
        await publish_row(self.fed.nats_url, row)

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
            assembly_kind=self.kind,
            territory=self.territory,
            uf=self.uf,
            title=f"Conferência {self.territory}",
            closed_at=datetime.now(UTC),
            participants=participants,
            population=participants * 100,
            items=items,
            mandates=mandates or [],
        )

    def signed(self, report: AssemblyReport, signer: Signer | None = None) -> Row:
        """The outbox row of ``report`` signed with this assembly's key (or ``signer``)."""
        return Outbox(signer or self.signer).prepare(report, self.subject("report"))

    async def send(self, report: AssemblyReport, signer: Signer | None = None) -> Row:
        row = self.signed(report, signer)
        await publish_row(self.fed.nats_url, row)
        return row


def mandates(prefix: str) -> list[Mandate]:
    """Two titulars and two ranked alternates for the users' segment, one titular per other,
    each with the digest of its delegate's :func:`claim_code`."""
    listed = [
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
    return [
        msgspec.structs.replace(m, claim_sha256=code_digest(claim_code(m.mandate_id)))
        for m in listed
    ]


def to_builtins(value: Any) -> Any:
    return msgspec.to_builtins(value)


async def send_state_report(
    fed: Federation,
    uf: str = "SP",
    *,
    texts: Sequence[str] = (),
    origins: Sequence[Sequence[str]] = (),
    mandates: list[Mandate] | None = None,
    participants: int = 0,
    population: int = 44_411_238,
) -> AssemblyReport:
    """A state conference's report — national items ``texts`` (the n-th with a local origin in
    each municipality of ``origins[n]``), ``mandates`` — signed as the regional tier signs it and
    published to the national tier."""
    towns = list(origins) + [()] * (len(texts) - len(origins))
    report = AssemblyReport(
        report_id=str(uuid.uuid4()),
        cycle_id=CYCLE,
        tier="regional",
        assembly_id=f"regional:{CYCLE}:{uf}",
        assembly_kind="state",
        territory=uf,
        uf=uf,
        title=f"Conferência estadual {uf}",
        closed_at=datetime.now(UTC),
        participants=participants,
        population=population,
        items=[
            ReportItem(
                item_id=str(uuid.uuid4()),
                axis="saude-1",
                competence="national",
                title=text,
                text=text,
                rank=rank,
                support=10,
                origins=[
                    OriginRef(
                        proposal_id=str(uuid.uuid4()), assembly_id=str(uuid.uuid4()), territory=town
                    )
                    for town in towns[rank - 1]
                ],
            )
            for rank, text in enumerate(texts, start=1)
        ],
        mandates=mandates or [],
    )
    row = fed.outbox("regional").prepare(report, up_subject("regional", "report", uf))
    await publish_row(fed.nats_url, row)
    return report
