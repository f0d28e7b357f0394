"""An assembly of a health cycle whose priority is an approval of two proposals and whose
quorum is three quarters of the participants registered with a vote: eight credentialed
people, four proposals of axis saude-1 (three approved en bloc, one left to vote), voting begun
and the ballot box open — for the desk's motions, priorities and quorum pages."""

from __future__ import annotations

from shared.core.cycle import preset_text
from tests.support.api import bearer
from tests.support.assemblies import Desk, create, decided_en_bloc, open_ballot_box, register
from tests.support.tiers import Federation, operator

PLENARY_CYCLE = "cns-plenaria-2027"
PRIORITY_CHOICES = 2
#: Axis saude-1's proposals: the first three are approved en bloc, the last waits for a vote.
TITLES = (
    "Ampliar o horário das UBS",
    "Contratar agentes comunitários",
    "Farmácia popular em cada bairro",
    "Transporte sanitário para a zona rural",
)


def plenary_cycle(priority: str = "approval") -> str:
    """The cycle above; ``priority`` "borda" or "schulze" has the phones rank the proposals."""
    text = preset_text("health").replace('cycle_id = "cns-2027"', f'cycle_id = "{PLENARY_CYCLE}"')
    chosen = (
        f'method = "approval"\napprovals = {PRIORITY_CHOICES}'
        if priority == "approval"
        else f'method = "{priority}"'
    )
    text = text.replace('[priority]\nmethod = "borda"', f"[priority]\n{chosen}")
    head, _, rest = text.partition("\n[[axes]]")
    return f"{head}\n[quorum]\nshare = 0.75\n\n[[axes]]{rest}"


async def plenary_desk(
    fed: Federation, *, also_registered: int = 0, priority: str = "approval"
) -> tuple[Desk, list[str]]:
    """The assembly described above, and the ids of ``also_registered`` more voters registered
    but not checked in (so the quorum, ¾ of everyone registered with a vote, may not be
    reached)."""
    r = await fed.local.post(
        "/api/v1/cycles/", headers=operator("local"), json={"rules_toml": plenary_cycle(priority)}
    )
    assert r.status_code == 201, r.text
    created = await create(fed, cycle_id=PLENARY_CYCLE)
    aid = created["id"]
    sec = bearer(created["secretary_token"])
    client = fed.local
    assert (await client.post(f"/api/v1/assemblies/{aid}/open", headers=sec)).status_code == 201
    people = await register(client, aid, sec)
    absent: list[str] = []
    if also_registered:
        late = await client.post(
            f"/api/v1/assemblies/{aid}/participants/bulk",
            headers=sec,
            json={
                "participants": [
                    {"public_name": f"Ausente {i}", "segment": "users", "credential": False}
                    for i in range(also_registered)
                ]
            },
        )
        assert late.status_code == 201, late.text
        absent = [p["id"] for p in late.json()]
    desk = Desk(client, created, people, second=fed.staff["local"])
    ids = []
    for title in TITLES:
        made = await desk.post(
            "/proposals/",
            json={"axis": "saude-1", "competence": "municipal", "title": title, "text": title},
        )
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    desk.ids = ids
    assert (await desk.post("/voting")).status_code == 201
    return desk, absent


async def approve_three(desk: Desk) -> None:
    """The first three proposals approved en bloc, and the ballot box opened."""
    await decided_en_bloc(
        desk.client,
        desk.aid,
        desk.sec,
        desk.second,
        [{"proposal_id": pid, "yes": 6, "no": 1} for pid in desk.ids[:3]],
    )
    desk.shares = await open_ballot_box(desk.client, desk.aid, desk.sec)
