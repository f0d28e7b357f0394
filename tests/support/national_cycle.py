"""A whole cycle across the three tiers, stage by stage, over the real bus: three states with
three municipalities each, seats down, reports up, merges, ranking, the national mandates and
credentials, the council's answers reaching every origin, lineage both ways, open data.

Each stage function takes the :class:`Cycle` the previous stages left, runs its part through
the tiers' HTTP APIs and records what the tiers answered, so that tests assert on one stage's
record without redoing (or depending on the order of) the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func, select

from shared.core.cycle import preset_text
from shared.features.responses.model import ResponseAttachment
from tests.support.api import get_json
from tests.support.assemblies import open_local_assembly
from tests.support.polling import eventually
from tests.support.reports import CYCLE, mandates, to_builtins
from tests.support.tiers import Federation

UBS = [
    "Ampliar o número de Unidades Básicas de Saúde nas periferias das cidades",
    "Ampliar o numero de unidades basicas de saude nas periferias da cidade",
    "Ampliar o número das Unidades Básicas de Saúde na periferia das cidades",
]
CAPS = [
    "Fortalecer os CAPS com equipes multiprofissionais completas",
    "Fortalecer os CAPS com equipes multiprofissionais completas e bem pagas",
    "Fortalecer os CAPS com equipe multiprofissional completa",
]
DISTINCT = [
    "Criar um programa nacional de residência em saúde indígena",
    "Garantir piso salarial nacional para agentes comunitários de saúde",
    "Regulamentar a telemedicina no SUS com proteção de dados pessoais",
    "Instituir política de cuidados paliativos em todos os hospitais públicos",
    "Financiar a produção pública de medicamentos nos laboratórios oficiais",
    "Expandir a cobertura vacinal com busca ativa em escolas",
    "Ampliar leitos de UTI neonatal no interior",
    "Criar ouvidorias do SUS em todos os municípios",
    "Assegurar o acesso a órteses e próteses pelo SUS",
]
STATES = {
    "SP": ["3550308", "3509502", "3548708"],
    "RJ": ["3304557", "3303302", "3301702"],
    "MG": ["3106200", "3170206", "3136702"],
}
PLENARY = "/api/v1/plenary"


def proposals_for(n: int) -> list[tuple[str, str, str, int]]:
    """The n-th municipality's proposals: a UBS and a CAPS near-duplicate of the others', one of
    its own, a state one and a municipal one."""
    return [
        ("saude-1", "national", UBS[n % 3], 40 - n),
        ("saude-2", "national", CAPS[(n + 1) % 3], 30 + n),
        ("saude-3", "national", DISTINCT[n], 20),
        ("saude-1", "state", f"Garantir transporte sanitário intermunicipal na região {n}", 10),
        ("saude-2", "municipal", f"Reformar a UBS do bairro {n}", 5),
    ]


@dataclass
class Cycle:
    """What each stage of the cycle got back from the tiers."""

    fed: Federation
    # announce
    announced: httpx.Response | None = None
    regional_rules: dict[str, Any] = field(default_factory=dict)
    # share_state_seats
    state_seats: httpx.Response | None = None
    # hold_local_assemblies
    assemblies: dict[str, list[str]] = field(default_factory=dict)
    local_ids: dict[str, list[str]] = field(default_factory=dict)
    boards_before_closing: dict[str, dict[str, Any]] = field(default_factory=dict)
    closings: list[httpx.Response] = field(default_factory=list)
    boards_after_closing: dict[str, dict[str, Any]] = field(default_factory=dict)
    # share_sp_seats
    received_allocations: list[dict[str, Any]] = field(default_factory=list)
    shared_sp: httpx.Response | None = None
    # consolidate_states
    auto_merged_sp: httpx.Response | None = None
    suggestions_rj: list[dict[str, Any]] = field(default_factory=list)
    merged_rj: list[httpx.Response] = field(default_factory=list)
    # close_states
    state_closings: dict[str, httpx.Response] = field(default_factory=dict)
    national_board: dict[str, Any] = field(default_factory=dict)
    # publish_nationally
    auto_merged_national: httpx.Response | None = None
    published: httpx.Response | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    lineages: dict[str, dict[str, Any]] = field(default_factory=dict)
    # answer_every_item
    council: dict[str, str] = field(default_factory=dict)
    answers: dict[str, httpx.Response] = field(default_factory=dict)
    update: httpx.Response | None = None

    @property
    def by_uf(self) -> dict[str, dict[str, Any]]:
        """The nation's seats per state, as it sent them."""
        assert self.state_seats is not None
        return {a["territory"]: a for a in self.state_seats.json()}

    @property
    def national_proposals(self) -> set[str]:
        """Every local proposal of national competence."""
        return {
            pid
            for ids in self.local_ids.values()
            for pid, (_, competence, _, _) in zip(ids, proposals_for(0), strict=True)
            if competence == "national"
        }

    def origins(self) -> Iterator[tuple[str, str]]:
        """(local proposal id, national item id) for every origin of every national item."""
        for item_id, lineage in self.lineages.items():
            for origin in lineage["origins"]:
                yield origin["proposal_id"], item_id

    @property
    def reached(self) -> dict[str, str]:
        """Each local proposal's national item."""
        return dict(self.origins())

    @property
    def ubs_item(self) -> dict[str, Any]:
        return next(i for i in self.items if i["axis"] == "saude-1")

    @property
    def versions(self) -> dict[str, int]:
        """How many answers each national item got (the UBS item an update too)."""
        return {i["id"]: 2 if i["id"] == self.ubs_item["id"] else 1 for i in self.items}


async def announce(cycle: Cycle) -> None:
    """The health cycle is announced from the top; the regional tier stores it."""
    fed = cycle.fed
    cycle.announced = await fed.national.post(
        "/api/v1/cycles/announce",
        headers=fed.staff["national"],
        json={"rules_toml": preset_text("health")},
    )

    async def regional_cycle() -> Any:
        response = await fed.regional.get(f"/api/v1/cycles/{CYCLE}")
        return response.json() if response.status_code == 200 else None

    cycle.regional_rules = await eventually(regional_cycle)


async def share_state_seats(cycle: Cycle) -> None:
    """Seats go down: the nation shares 300 seats among the 27 UFs."""
    cycle.state_seats = await cycle.fed.national.post(
        "/api/v1/allocations/states",
        headers=cycle.fed.staff["national"],
        json={"cycle_id": CYCLE, "seats": 300},
    )


async def hold_local_assemblies(cycle: Cycle) -> None:
    """Nine municipal assemblies through the local tier's HTTP API; the regional board expects
    them; they close and their nine reports arrive."""
    fed = cycle.fed
    n = 0
    for uf, territories in STATES.items():
        for territory in territories:
            assembly_id, ids = await open_local_assembly(
                fed,
                territory=territory,
                uf=uf,
                proposals=proposals_for(n),
                participants=100 + 10 * n,
                population=20_000 * (n + 1),
            )
            cycle.assemblies.setdefault(uf, []).append(assembly_id)
            cycle.local_ids[assembly_id] = ids
            n += 1
    for uf in STATES:
        cycle.boards_before_closing[uf] = await eventually(
            lambda uf=uf: get_json(fed.regional, "/api/v1/board", cycle_id=CYCLE, uf=uf),  # type: ignore[misc]
            done=lambda b: b["expected"] == 3,
        )
    for assembly_ids in cycle.assemblies.values():
        for assembly_id in assembly_ids:
            cycle.closings.append(
                await fed.local.post(
                    f"/api/v1/assemblies/{assembly_id}/close", headers=fed.staff["local"]
                )
            )
    await eventually(
        lambda: get_json(fed.regional, "/api/v1/reports", cycle_id=CYCLE),
        done=lambda rows: len(rows) == 9,
    )
    for uf in STATES:
        cycle.boards_after_closing[uf] = await get_json(
            fed.regional, "/api/v1/board", cycle_id=CYCLE, uf=uf
        )


async def share_sp_seats(cycle: Cycle) -> None:
    """São Paulo shares the seats it received from the nation among its assemblies."""
    fed = cycle.fed
    cycle.received_allocations = await eventually(
        lambda: get_json(
            fed.regional, "/api/v1/allocations/", cycle_id=CYCLE, direction="received"
        ),
        done=lambda rows: len(rows) == 27,
    )
    cycle.shared_sp = await fed.regional.post(
        "/api/v1/allocations/assemblies",
        headers=fed.staff["regional"],
        json={"cycle_id": CYCLE, "uf": "SP"},
    )


async def consolidate_states(cycle: Cycle) -> None:
    """SP by the automatic policy, RJ by hand from the suggestions, MG untouched."""
    fed = cycle.fed
    cycle.auto_merged_sp = await fed.regional.post(
        "/api/v1/consolidation/auto-merge",
        headers=fed.staff["regional"],
        json={"cycle_id": CYCLE, "uf": "SP"},
    )
    cycle.suggestions_rj = await get_json(
        fed.regional, "/api/v1/consolidation/suggestions", cycle_id=CYCLE, uf="RJ"
    )
    for suggestion in cycle.suggestions_rj:
        cycle.merged_rj.append(
            await fed.regional.post(
                "/api/v1/consolidation/merge",
                headers=fed.staff["regional"],
                json={"item_ids": [i["id"] for i in suggestion["items"]]},
            )
        )


async def close_states(cycle: Cycle) -> None:
    """Each state closes, electing its delegates (:func:`mandates`), and reports to the nation."""
    fed = cycle.fed
    for uf in STATES:
        cycle.state_closings[uf] = await fed.regional.post(
            "/api/v1/conference/close",
            headers=fed.staff["regional"],
            json={"cycle_id": CYCLE, "uf": uf, "delegates": to_builtins(mandates(uf))},
        )
    await eventually(
        lambda: get_json(fed.national, "/api/v1/reports", cycle_id=CYCLE),
        done=lambda rows: len(rows) == 3,
    )
    cycle.national_board = await get_json(fed.national, "/api/v1/board", cycle_id=CYCLE)


async def publish_nationally(cycle: Cycle) -> None:
    """The nation merges across states and publishes the items; their lineages are read."""
    fed = cycle.fed
    cycle.auto_merged_national = await fed.national.post(
        "/api/v1/consolidation/auto-merge", headers=fed.staff["national"], json={"cycle_id": CYCLE}
    )
    cycle.published = await fed.national.post(
        "/api/v1/council/publish",
        headers=fed.staff["national"],
        json={"cycle_id": CYCLE, "council": "CNS"},
    )
    cycle.items = await get_json(fed.national, "/api/v1/items", cycle_id=CYCLE, uf="BR")
    for item in cycle.items:
        cycle.lineages[item["id"]] = await get_json(
            fed.national, f"/api/v1/items/{item['id']}/lineage"
        )


async def answer_every_item(cycle: Cycle) -> None:
    """A council member answers every item (under study, with a milestone); the UBS item gets
    an update (adopted)."""
    fed = cycle.fed
    cycle.council = await fed.person(
        "national",
        {"role": "council", "council": "CNS"},
        name="Conselheira",
        by=fed.staff["national"],
    )
    for item in cycle.items:
        cycle.answers[item["id"]] = await fed.national.post(
            f"/api/v1/council/items/{item['id']}/responses",
            headers=cycle.council,
            json={
                "decision": "under_study",
                "justification": "Em análise pela comissão de orçamento",
                "responsible_body": "Ministério da Saúde",
                "instrument": "Plano Nacional de Saúde",
                "milestones": [{"title": "Estudo de custos", "due": "2028-03-31", "progress": 20}],
            },
        )
    cycle.update = await fed.national.post(
        f"/api/v1/council/items/{cycle.ubs_item['id']}/responses",
        headers=cycle.council,
        json={
            "decision": "adopted",
            "milestones": [{"title": "Obras", "status": "in_progress", "progress": 40}],
        },
    )


async def attachments(fed: Federation) -> int:
    """Council answers attached to local proposals at the regional tier."""
    async with fed.nodes["regional"].sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ResponseAttachment)) or 0)


@dataclass
class Credentialing:
    """The national plenary's credential desk at work on the states' mandates."""

    admitted: dict[str, int]
    absent: httpx.Response
    replacing: httpx.Response
    listed: list[dict[str, Any]]


async def credential_delegates(cycle: Cycle) -> Credentialing:
    """Delegates are admitted only on received mandates; alternates replace absent titulars.
    Keys of ``admitted`` are ``mandate -> holder`` in the order tried."""
    fed = cycle.fed
    admitted: dict[str, int] = {}

    async def admit(mandate_id: str, holder: str) -> httpx.Response:
        response = await fed.national.post(
            f"{PLENARY}/credentials",
            headers=fed.staff["national"],
            json={"cycle_id": CYCLE, "mandate_id": mandate_id, "holder": holder},
        )
        admitted[f"{mandate_id} -> {holder}"] = response.status_code
        return response

    await admit("SP-u1", "doc-1")
    await admit("SP-u1", "doc-9")
    await admit("RJ-u1", "doc-1")
    await admit("SP-a1", "doc-2")
    await admit("forged-1", "doc-3")
    absent = await fed.national.post(
        f"{PLENARY}/absences",
        headers=fed.staff["national"],
        json={"cycle_id": CYCLE, "mandate_id": "SP-u2"},
    )
    await admit("SP-u2", "doc-4")
    await admit("SP-a2", "doc-5")
    replacing = await admit("SP-a1", "doc-6")
    listed = await get_json(fed.national, f"{PLENARY}/credentials", cycle_id=CYCLE)
    return Credentialing(admitted, absent, replacing, listed)
