"""A state plenary at the regional tier, on the shared plenary code: two Bahia assemblies report
(through :class:`~tests.support.reports.FakeAssembly`), four delegates are credentialed, a
priority poll reorders the items, a decision drops one, and an election picks the national
delegation; then the state conference closes and reports up.

The seats come from above: :func:`seats_from_the_nation` hands the regional tier the allocation
the national tier sends for Bahia (300 seats shared among the 27 states), signed as the national
tier, so the plenary runs with the regional tier alone; with all three tiers the national tier's
own ``POST /api/v1/allocations/states`` sends it instead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from shared.contracts.messages import SeatAllocation
from shared.contracts.subjects import down_subject
from tests.support.api import bearer, get_json
from tests.support.bus import publish_row
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly, claim_code, mandates
from tests.support.tiers import Federation, operator

TEXTS = [
    ("saude-1", "national", "Ampliar o número de leitos de UTI nos hospitais regionais"),
    ("saude-1", "national", "Garantir médicos especialistas nos municípios do interior"),
    ("saude-1", "national", "Implantar centros de parto normal em todas as regiões"),
]
BASE = {"cycle_id": CYCLE, "uf": "BA"}
CREDENTIALED = ("BA0-u1", "BA0-u2", "BA1-u1", "BA1-w1")
VOTERS = ("BA0-u1", "BA0-u2", "BA1-u1")
CANDIDATES = ("BA0-u1", "BA1-w1")


async def claim(regional: httpx.AsyncClient, mandate_id: str) -> httpx.Response:
    """The delegate of ``mandate_id`` redeems their claim code on their own device."""
    return await regional.post(
        "/api/v1/plenary/claims",
        json={**BASE, "mandate_id": mandate_id, "claim_code": claim_code(mandate_id)},
    )


async def seats_from_the_nation(fed: Federation) -> None:
    """Bahia's share of 300 national seats, as the national tier apportions and sends it."""
    body = SeatAllocation(
        allocation_id=str(uuid.uuid4()),
        cycle_id=CYCLE,
        territory="BA",
        seats=21,
        per_segment={"users": 11, "workers": 5, "managers": 5},
        method="hamilton",
        basis="population",
        basis_value=14_136_417,
        uf="BA",
    )
    row = fed.outbox("national").prepare(body, down_subject("allocation", "BA"))
    await publish_row(fed.nats_url, row)


@dataclass
class StatePlenary:
    """What the state plenary's desk got back, step by step."""

    items: list[dict[str, Any]]
    favourite: str
    dropped: str
    priority_closed: httpx.Response
    second_ballot: httpx.Response
    #: The claim of an alternate never admitted at the desk.
    stranger_claim: httpx.Response
    #: The same claim code redeemed a second time (another device).
    reused_claim: httpx.Response
    #: Ballots from the desk's own credential and from the operator's.
    desk_ballot: httpx.Response
    operator_ballot: httpx.Response
    #: A delegate standing for another delegate's mandate.
    standing_for_another: httpx.Response
    rejected: httpx.Response
    elected: httpx.Response
    report: httpx.Response
    #: What the desk that closed each counted poll got when it tried to confirm it itself.
    self_confirmed: list[int]
    #: A million counted on a decision whose roll holds the credentialed delegates.
    stuffed: httpx.Response
    #: The axis's items (in rank order) as soon as the priority poll closed, and after the
    #: rapporteurs ranked again (``POST /ranking``).
    ranked_after_priority: list[dict[str, Any]]
    reranked: list[dict[str, Any]]
    #: The axis's items while a counted priority poll awaited its confirmation (counts only).
    ranked_while_counted: list[dict[str, Any]]


async def hold_state_plenary(fed: Federation, *, priority_mode: str = "electronic") -> StatePlenary:
    """Reports in, credentials, priority (the last-ranked item voted first), a decision that
    rejects another item, the election, and the state conference's closing."""
    regional = fed.regional
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
    devices: dict[str, dict[str, str]] = {}
    for mandate_id in CREDENTIALED:
        admitted = await regional.post(
            "/api/v1/plenary/credentials",
            headers=fed.staff["regional"],
            json={**BASE, "mandate_id": mandate_id, "holder": f"doc-{mandate_id}"},
        )
        assert admitted.status_code == 201, admitted.text
        claimed = await claim(regional, mandate_id)
        assert claimed.status_code == 201, claimed.text
        devices[mandate_id] = bearer(claimed.json()["token"])
    stranger_claim = await claim(regional, "BA0-a1")
    reused_claim = await claim(regional, CREDENTIALED[0])
    box = await regional.post(
        "/api/v1/plenary/ballot-box", headers=fed.staff["regional"], json=BASE
    )
    assert box.status_code == 201, box.text

    async def poll(kind: str, subject: str, **extra: Any) -> dict[str, Any]:
        opened = await regional.post(
            "/api/v1/plenary/polls",
            headers=fed.staff["regional"],
            json={**BASE, "kind": kind, "subject": subject, **extra},
        )
        assert opened.status_code == 201, opened.text
        result: dict[str, Any] = opened.json()
        return result

    async def ballot(
        poll_id: str, headers: dict[str, str], ranking: list[list[str]]
    ) -> httpx.Response:
        return await regional.post(
            f"/api/v1/plenary/polls/{poll_id}/ballots",
            headers=headers,
            json={**BASE, "ranking": ranking},
        )

    async def counts(poll_id: str, entries: list[dict[str, Any]]) -> None:
        entered = await regional.post(
            f"/api/v1/plenary/polls/{poll_id}/counts",
            headers=fed.staff["regional"],
            json={**BASE, "entries": entries},
        )
        assert entered.status_code == 201, entered.text

    self_confirmed: list[int] = []
    second = await fed.person(
        "regional", {"role": "commission", "territory": "BA"}, name="Segunda pessoa da mesa"
    )

    async def close(poll_id: str) -> httpx.Response:
        """Close a poll; one the desk counted is confirmed by another person of the desk (the
        answer is then the confirmed poll's)."""
        closed = await regional.post(
            f"/api/v1/plenary/polls/{poll_id}/close", headers=fed.staff["regional"], json=BASE
        )
        if closed.status_code != 200 or closed.json()["status"] != "counted":
            return closed
        return await confirm(poll_id)

    async def confirm(poll_id: str) -> httpx.Response:
        """The desk that counted cannot confirm; another person of the desk does."""
        mine = await regional.post(
            "/api/v1/plenary/polls/confirm",
            headers=fed.staff["regional"],
            json={**BASE, "poll_ids": [poll_id]},
        )
        self_confirmed.append(mine.status_code)
        confirmed = await regional.post(
            "/api/v1/plenary/polls/confirm",
            headers=second,
            json={**BASE, "poll_ids": [poll_id]},
        )
        assert confirmed.status_code == 200, confirmed.text
        return httpx.Response(200, json=confirmed.json()[0])

    # Priority: delegates put the last-ranked item first; then a second ballot, and a ballot
    # from an alternate who was never credentialed. With ``priority_mode="counts"`` the desk
    # types the same three ballots from paper instead, and the axis is read again while the
    # counted poll waits for the second person.
    ids = [i["id"] for i in items]
    priority = await poll("priority", "saude-1", mode=priority_mode)
    favourite = ids[-1]
    order = [[favourite], *[[i] for i in ids if i != favourite]]
    ranked_while_counted: list[dict[str, Any]] = []
    if priority_mode == "counts":
        await counts(priority["id"], [{"ranking": order, "count": len(VOTERS)}])
        counted = await regional.post(
            f"/api/v1/plenary/polls/{priority['id']}/close",
            headers=fed.staff["regional"],
            json=BASE,
        )
        assert counted.status_code == 200 and counted.json()["status"] == "counted", counted.text
        ranked_while_counted = await get_json(
            regional, "/api/v1/items", cycle_id=CYCLE, uf="BA", axis="saude-1"
        )
    else:
        for voter in VOTERS:
            vote = await ballot(priority["id"], devices[voter], order)
            assert vote.status_code == 201, vote.text
    second_ballot = await ballot(priority["id"], devices[VOTERS[0]], order)
    desk_ballot = await ballot(priority["id"], fed.staff["regional"], order)
    operator_ballot = await ballot(priority["id"], operator("regional"), order)
    if priority_mode == "counts":
        priority_closed = await confirm(priority["id"])
    else:
        priority_closed = await close(priority["id"])
    ranked_after_priority = await get_json(
        regional, "/api/v1/items", cycle_id=CYCLE, uf="BA", axis="saude-1"
    )
    reranking = await regional.post("/api/v1/ranking", headers=fed.staff["regional"], json=BASE)
    assert reranking.status_code == 200, reranking.text
    reranked = await get_json(regional, "/api/v1/items", cycle_id=CYCLE, uf="BA", axis="saude-1")

    # Decision: the plenary rejects one item (counts entered by the desk).
    dropped = next(i for i in ids if i != favourite)
    decision = await poll("decision", dropped)
    stuffed = await regional.post(
        f"/api/v1/plenary/polls/{decision['id']}/counts",
        headers=fed.staff["regional"],
        json={**BASE, "entries": [{"ranking": [["yes"]], "count": 1_000_000}]},
    )
    await counts(
        decision["id"],
        [{"ranking": [["no"]], "count": 3}, {"ranking": [["yes"]], "count": 1}],
    )
    rejected = await close(decision["id"])

    # Election of the national delegation: one delegate stands themselves, the desk registers
    # the other's candidacy; nobody stands for someone else.
    standing_for_another = await regional.post(
        "/api/v1/plenary/candidacies",
        headers=devices[CANDIDATES[0]],
        json={**BASE, "mandate_id": CANDIDATES[1]},
    )
    stood = await regional.post(
        "/api/v1/plenary/candidacies", headers=devices[CANDIDATES[0]], json=BASE
    )
    assert stood.status_code == 201, stood.text
    stood = await regional.post(
        "/api/v1/plenary/candidacies",
        headers=fed.staff["regional"],
        json={**BASE, "mandate_id": CANDIDATES[1]},
    )
    assert stood.status_code == 201, stood.text
    election = await poll("election", "delegates")
    await counts(election["id"], [{"ranking": [[c] for c in election["candidates"]], "count": 4}])
    closed = await close(election["id"])
    assert closed.status_code == 200, closed.text
    elected = await regional.post(
        f"/api/v1/plenary/polls/{election['id']}/elect", headers=fed.staff["regional"], json=BASE
    )

    report = await regional.post(
        "/api/v1/conference/close", headers=fed.staff["regional"], json=BASE
    )
    return StatePlenary(
        items,
        favourite,
        dropped,
        priority_closed,
        second_ballot,
        stranger_claim,
        reused_claim,
        desk_ballot,
        operator_ballot,
        standing_for_another,
        rejected,
        elected,
        report,
        self_confirmed,
        stuffed,
        ranked_after_priority,
        reranked,
        ranked_while_counted,
    )
