"""A state whose seats were shared twice among two assemblies: São Paulo elected under the
first allocation, Campinas after the second (the Vagas page and its API read it)."""

from __future__ import annotations

from typing import Any

from tests.support.api import get_json
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly, mandates
from tests.support.tiers import Federation, operator

TEXTS = [("saude-1", "national", "Ampliar o número de leitos de UTI nos hospitais regionais")]
SAO_PAULO, CAMPINAS = "3550308", "3509502"


async def _allocate(fed: Federation, convener: dict[str, str], units: list[dict[str, Any]]) -> None:
    shared = await fed.regional.post(
        "/api/v1/allocations/assemblies",
        headers=convener,
        json={"cycle_id": CYCLE, "uf": "SP", "seats": 10, "units": units},
    )
    assert shared.status_code == 201, shared.text


async def _reported(fed: Federation, n: int) -> None:
    await eventually(
        lambda: get_json(fed.regional, "/api/v1/reports", cycle_id=CYCLE),
        done=lambda rows: len(rows) == n,
    )


async def reallocated_state(fed: Federation, convener: dict[str, str]) -> None:
    """The health cycle loaded; SP's 10 seats shared, São Paulo elects, shared again with
    Campinas' new figure, then Campinas elects."""
    loaded = await fed.regional.post("/api/v1/cycles/presets/health", headers=operator("regional"))
    assert loaded.status_code == 201, loaded.text
    capital, campinas = FakeAssembly(fed, SAO_PAULO, "SP"), FakeAssembly(fed, CAMPINAS, "SP")
    units = [
        {"assembly_id": capital.assembly_id, "territory": SAO_PAULO, "population": 11_451_999},
        {"assembly_id": campinas.assembly_id, "territory": CAMPINAS, "population": 1_139_047},
    ]
    await _allocate(fed, convener, units)
    await capital.introduce()
    await capital.send(capital.report(TEXTS, mandates=mandates("SP0")))
    await _reported(fed, 1)
    units[1]["population"] = 3_000_000
    await _allocate(fed, convener, units)
    await campinas.introduce()
    await campinas.send(campinas.report(TEXTS, mandates=mandates("SP1")))
    await _reported(fed, 2)
