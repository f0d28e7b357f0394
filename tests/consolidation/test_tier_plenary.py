"""A state plenary on the shared plenary code: credentialed delegates only, a priority poll that
orders the report, a decision that drops an item, and an election within the seats from above."""

from __future__ import annotations

from typing import Any

from tests.support.api import get_json
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly, mandates
from tests.support.tiers import AUTH, Federation

TEXTS = [
    ("saude-1", "national", "Ampliar o número de leitos de UTI nos hospitais regionais"),
    ("saude-1", "national", "Garantir médicos especialistas nos municípios do interior"),
    ("saude-1", "national", "Implantar centros de parto normal em todas as regiões"),
]


async def test_state_plenary_votes_elects_and_reports(federation: Federation) -> None:
    fed, regional = federation, federation.regional
    seats = await fed.national.post(
        "/api/v1/allocations/states", headers=AUTH, json={"cycle_id": CYCLE, "seats": 300}
    )
    assert seats.status_code == 201
    first, second = FakeAssembly(fed, "2927408", "BA"), FakeAssembly(fed, "2910800", "BA")
    for n, assembly in enumerate((first, second)):
        await assembly.introduce()
        await assembly.send(assembly.report(TEXTS[n::2], mandates=mandates(f"BA{n}")))
    items = await eventually(
        lambda: get_json(regional, "/api/v1/items", cycle_id=CYCLE, uf="BA"),
        done=lambda rows: len(rows) == 3,
    )
    await eventually(
        lambda: get_json(regional, "/api/v1/allocations/", cycle_id=CYCLE, uf="BA"),
        done=lambda rows: len(rows) == 1,
    )
    base = {"cycle_id": CYCLE, "uf": "BA"}
    for mandate_id in ("BA0-u1", "BA0-u2", "BA1-u1", "BA1-w1"):
        admitted = await regional.post(
            "/api/v1/plenary/credentials",
            headers=AUTH,
            json={**base, "mandate_id": mandate_id, "holder": f"doc-{mandate_id}"},
        )
        assert admitted.status_code == 201, admitted.text

    async def poll(kind: str, subject: str, **extra: Any) -> dict[str, Any]:
        opened = await regional.post(
            "/api/v1/plenary/polls",
            headers=AUTH,
            json={**base, "kind": kind, "subject": subject, **extra},
        )
        assert opened.status_code == 201, opened.text
        result: dict[str, Any] = opened.json()
        return result

    # Priority: delegates put the last-ranked item first.
    ids = [i["id"] for i in items]
    priority = await poll("priority", "saude-1", mode="electronic")
    favourite = ids[-1]
    order = [[favourite], *[[i] for i in ids if i != favourite]]
    for voter in ("BA0-u1", "BA0-u2", "BA1-u1"):
        vote = await regional.post(
            f"/api/v1/plenary/polls/{priority['id']}/ballots",
            headers=AUTH,
            json={**base, "mandate_id": voter, "ranking": order},
        )
        assert vote.status_code == 201, vote.text
    again = await regional.post(
        f"/api/v1/plenary/polls/{priority['id']}/ballots",
        headers=AUTH,
        json={**base, "mandate_id": "BA0-u1", "ranking": order},
    )
    assert again.status_code == 409, "one ballot per delegate"
    stranger = await regional.post(
        f"/api/v1/plenary/polls/{priority['id']}/ballots",
        headers=AUTH,
        json={**base, "mandate_id": "BA0-a1", "ranking": order},
    )
    assert stranger.status_code == 409, "only credentialed delegates vote"
    closed = await regional.post(
        f"/api/v1/plenary/polls/{priority['id']}/close", headers=AUTH, json=base
    )
    assert closed.status_code == 200 and closed.json()["result"]["ranking"][0] == [favourite]

    # Decision: the plenary rejects one item (counts entered by the desk).
    dropped = next(i for i in ids if i != favourite)
    decision = await poll("decision", dropped)
    await regional.post(
        f"/api/v1/plenary/polls/{decision['id']}/counts",
        headers=AUTH,
        json={
            **base,
            "entries": [{"ranking": [["no"]], "count": 3}, {"ranking": [["yes"]], "count": 1}],
        },
    )
    rejected = await regional.post(
        f"/api/v1/plenary/polls/{decision['id']}/close", headers=AUTH, json=base
    )
    assert rejected.json()["outcome"] == "rejected", rejected.text

    # Election of the national delegation among credentialed delegates.
    for mandate_id in ("BA0-u1", "BA1-w1"):
        stood = await regional.post(
            "/api/v1/plenary/candidacies", headers=AUTH, json={**base, "mandate_id": mandate_id}
        )
        assert stood.status_code == 201, stood.text
    election = await poll("election", "delegates")
    candidates = election["candidates"]
    await regional.post(
        f"/api/v1/plenary/polls/{election['id']}/counts",
        headers=AUTH,
        json={**base, "entries": [{"ranking": [[c] for c in candidates], "count": 4}]},
    )
    await regional.post(f"/api/v1/plenary/polls/{election['id']}/close", headers=AUTH, json=base)
    elected = await regional.post(
        f"/api/v1/plenary/polls/{election['id']}/elect", headers=AUTH, json=base
    )
    assert elected.status_code == 200 and elected.json()["elected"] == 2, elected.text

    report = await regional.post(
        "/api/v1/conference/close", headers=AUTH, json={"cycle_id": CYCLE, "uf": "BA"}
    )
    assert report.status_code == 202 and report.json()["mandates"] == 2, report.text
    received = await eventually(
        lambda: get_json(fed.national, "/api/v1/reports", cycle_id=CYCLE),
        done=lambda rows: len(rows) == 1,
    )
    assert received[0]["mandates"] == 2 and received[0]["items"] == 2
    sources = await get_json(fed.national, "/api/v1/open-data/sources")
    assert [s["rank"] for s in sources if s["item_id"] == favourite] == [1]
    assert dropped not in {s["item_id"] for s in sources}
    tallies = await get_json(fed.national, "/api/v1/open-data/tallies")
    assert {t["kind"] for t in tallies} == {"priority", "decision", "election"}
