"""The ballot box survives a crash: the local service is SIGKILLed in the middle of an
electronic poll; the restarted service takes the remaining ballots with the public key it reads
back, refuses to close until two members of the board enter their shares, and then counts every
ballot, each once."""

from __future__ import annotations

import pytest

from shared.features.plenary.ballot_box import verify_record
from shared.tools.staffing import exchange
from tests.support.api import bearer
from tests.support.assemblies import CYCLE, open_ballot_box, register
from tests.support.polling import eventually
from tests.support.stack import StackFactory, scalar, wait_ready

pytestmark = pytest.mark.slow  # the three tiers as processes


async def test_sigkill_mid_poll_loses_no_ballot_and_the_board_restores_the_key(
    stack_factory: StackFactory,
) -> None:
    stack = await stack_factory()
    local = stack.client("local")
    organiser = await stack.staff("local")
    created = await local.post(
        "/api/v1/assemblies/",
        headers=organiser,
        json={
            "secretary": {"name": "Secretária"},
            "cycle_id": CYCLE,
            "kind": "municipal",
            "territory": "3550308",
            "uf": "SP",
            "title": "Conferência Municipal",
            "deadline": "2100-01-01T00:00:00Z",
        },
    )
    assert created.status_code == 201, created.text
    aid = created.json()["id"]
    sec = bearer(await exchange(local, created.json()["secretary_sign_in_code"], label="s"))
    base = f"/api/v1/assemblies/{aid}"
    assert (await local.post(f"{base}/open", headers=sec)).status_code == 201
    people = await register(local, aid, sec)
    tokens = [bearer(p["badge_code"]) for p in people]
    proposal = await local.post(
        f"{base}/proposals/",
        headers=tokens[0],
        json={"axis": "saude-1", "competence": "municipal", "title": "UBS", "text": "Reformar"},
    )
    assert proposal.status_code == 201, proposal.text
    assert (await local.post(f"{base}/voting", headers=sec)).status_code == 201
    shares = await open_ballot_box(local, aid, sec)
    poll = await local.post(
        f"{base}/polls/",
        headers=sec,
        json={"kind": "decision", "proposal_id": proposal.json()["id"]},
    )
    assert poll.status_code == 201, poll.text
    pid = poll.json()["id"]
    choices = ["yes", "yes", "no", "yes", "abstain", "yes", "no", "yes"]

    for token, choice in zip(tokens[:4], choices[:4], strict=True):
        r = await local.post(f"{base}/polls/{pid}/ballots", headers=token, json={"choice": choice})
        assert r.status_code == 201, r.text

    service = stack.service("local")
    killed = stack.kill(service)

    async def restarted() -> bool:
        return service.is_running() and service.pid != killed

    await eventually(restarted, timeout=60)
    await wait_ready(service)
    url = stack.database_urls["local"]
    assert await scalar(url, "SELECT count(*) FROM plenary_sealed_ballot") == 4
    # Voting goes on without the shares: only the closing needs the private key.
    state = (await local.get(f"{base}/ballot-box/")).json()
    assert state == {"fingerprint": poll.json()["key_fingerprint"], "unlocked": False}
    again = await local.post(
        f"{base}/polls/{pid}/ballots", headers=tokens[0], json={"choice": "no"}
    )
    assert again.status_code == 409, again.text  # one voter, one ballot, across the crash
    for token, choice in zip(tokens[4:], choices[4:], strict=True):
        r = await local.post(f"{base}/polls/{pid}/ballots", headers=token, json={"choice": choice})
        assert r.status_code == 201, r.text

    locked = await local.post(f"{base}/polls/{pid}/close", headers=sec)
    assert locked.status_code == 409, locked.text
    assert "shares" in locked.json()["detail"]
    one = await local.post(f"{base}/ballot-box/shares", headers=sec, json={"shares": shares[:1]})
    assert one.status_code in (400, 422), one.text  # one share is not enough
    wrong = await local.post(
        f"{base}/ballot-box/shares", headers=sec, json={"shares": [shares[0], shares[0]]}
    )
    assert wrong.status_code == 422, wrong.text
    restored = await local.post(
        f"{base}/ballot-box/shares", headers=sec, json={"shares": [shares[2], shares[0]]}
    )
    assert restored.status_code == 201, restored.text
    assert restored.json()["unlocked"] is True

    closed = await local.post(f"{base}/polls/{pid}/close", headers=sec)
    assert closed.status_code == 201, closed.text
    result = closed.json()["result"]
    assert (result["yes"], result["no"], result["abstain"]) == (5, 2, 1)
    assert closed.json()["ballots"] == 8
    boletim = verify_record(closed.json()["closing"])
    assert (boletim["voted"], boletim["electorate"], boletim["null"]) == (8, 8, 0)
    assert await scalar(url, "SELECT count(*) FROM plenary_voter") == 8
    assert await scalar(url, "SELECT count(*) FROM plenary_ballot") == 8
