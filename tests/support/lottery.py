"""A health cycle whose assemblies draw two of the users' seats by civic lottery (one woman,
one man), loaded into running tiers by their operators."""

from __future__ import annotations

import hashlib

from shared.core.cycle import preset_text
from shared.core.vocabulary import Tier
from tests.support.tiers import Federation, operator

LOTTERY_CYCLE = "cns-sorteio-2027"
LOTTERY = """
[lottery]
segment = "users"
seats = 2
method = "maximin"
quotas = [
  { feature = "gender", value = "woman", min_share = 0.5, max_share = 0.5 },
  { feature = "gender", value = "man", min_share = 0.5, max_share = 0.5 },
]

[equity]
source = "IBGE, Censo Demográfico 2022"
population = { gender = { woman = 0.515, man = 0.485 }, group = { black = 0.555 } }
"""
SECRET = "sementes-da-conferencia-2027-SP"
COMMITMENT = hashlib.sha256(SECRET.encode()).hexdigest()


def lottery_cycle() -> str:
    text = preset_text("health").replace('cycle_id = "cns-2027"', f'cycle_id = "{LOTTERY_CYCLE}"')
    head, _, rest = text.partition("\n[[axes]]")
    return f"{head}\n{LOTTERY}\n[[axes]]{rest}"


async def load_lottery_cycle(fed: Federation, *tiers: Tier) -> None:
    for tier in tiers:
        r = await fed.client(tier).post(
            "/api/v1/cycles/", headers=operator(tier), json={"rules_toml": lottery_cycle()}
        )
        assert r.status_code == 201, r.text
        assert r.json()["lottery"]["seats"] == 2
