"""Who a state plenary admits without a mandate from below: ex officio members (under the cycle's
``[[seats.state.ex_officio]]`` entries, at most their seats) vote and count in the roll but do
not stand; guests and observers have voice only — on no roll, voting and standing for nothing —
and only this state's desk registers them."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from shared.core.cycle import preset_text
from shared.features.consolidation.model import PlenaryMember
from shared.features.plenary import audit
from tests.support.api import bearer, get_json
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly, claim_code, mandates
from tests.support.tiers import Federation, operator

BASE = {"cycle_id": CYCLE, "uf": "BA"}
EX_OFFICIO = """
[seats.state]

[[seats.state.ex_officio]]
id = "ces"
title_pt = "Conselheiros estaduais natos"
seats = 2
segment = "users"

[[seats.state.ex_officio]]
id = "mesa"
title_pt = "Mesa diretora do conselho estadual"
seats = 1
eligible = true
"""


class Plenary:
    """A Bahia plenary with one report in, one delegate credentialed and the ballot box open."""

    def __init__(self, fed: Federation) -> None:
        self.fed = fed
        self.client = fed.regional
        self.desk = fed.staff["regional"]
        self.items: list[dict[str, Any]] = []
        self.delegate: dict[str, str] = {}

    async def start(self) -> Plenary:
        loaded = await self.client.post(
            "/api/v1/cycles/",
            headers=operator("regional"),
            json={"rules_toml": preset_text("health") + EX_OFFICIO},
        )
        assert loaded.status_code == 201, loaded.text
        assembly = FakeAssembly(self.fed, "2927408", "BA")
        await assembly.introduce()
        texts = [("saude-1", "national", "Ampliar o número de leitos de UTI nos hospitais")]
        await assembly.send(assembly.report(texts, mandates=mandates("BA0")))
        self.items = await eventually(
            lambda: get_json(self.client, "/api/v1/items", **BASE),
            done=lambda rows: len(rows) == 1,
        )
        admitted = await self.client.post(
            "/api/v1/plenary/credentials",
            headers=self.desk,
            json={**BASE, "mandate_id": "BA0-u1", "holder": "doc-BA0-u1"},
        )
        assert admitted.status_code == 201, admitted.text
        self.delegate = await self.claim("BA0-u1", claim_code("BA0-u1"))
        box = await self.client.post("/api/v1/plenary/ballot-box", headers=self.desk, json=BASE)
        assert box.status_code == 201, box.text
        return self

    async def register(self, headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
        return await self.client.post(
            "/api/v1/plenary/members", headers=headers or self.desk, json={**BASE, **body}
        )

    async def claim(self, mandate_id: str, code: str) -> dict[str, str]:
        claimed = await self.client.post(
            "/api/v1/plenary/claims",
            json={**BASE, "mandate_id": mandate_id, "claim_code": code},
        )
        assert claimed.status_code == 201, claimed.text
        return bearer(claimed.json()["token"])

    async def member(self, **body: Any) -> tuple[str, dict[str, str]]:
        """Register a member; their id and their device's credential."""
        registered = await self.register(**body)
        assert registered.status_code == 201, registered.text
        member_id = registered.json()["member"]["member_id"]
        return member_id, await self.claim(member_id, registered.json()["claim_code"])

    async def decision(self) -> dict[str, Any]:
        opened = await self.client.post(
            "/api/v1/plenary/polls",
            headers=self.desk,
            json={**BASE, "kind": "decision", "subject": self.items[0]["id"], "mode": "electronic"},
        )
        assert opened.status_code == 201, opened.text
        poll: dict[str, Any] = opened.json()
        return poll

    async def ballot(self, poll_id: str, headers: dict[str, str]) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/plenary/polls/{poll_id}/ballots",
            headers=headers,
            json={**BASE, "ranking": [["yes"]]},
        )

    async def close(self, poll_id: str) -> dict[str, Any]:
        closed = await self.client.post(
            f"/api/v1/plenary/polls/{poll_id}/close", headers=self.desk, json=BASE
        )
        assert closed.status_code == 200, closed.text
        result: dict[str, Any] = closed.json()
        return result

    async def stand(self, headers: dict[str, str], **body: Any) -> httpx.Response:
        return await self.client.post(
            "/api/v1/plenary/candidacies", headers=headers, json={**BASE, **body}
        )


async def test_ex_officio_members_vote_within_their_seats_but_do_not_stand(
    regional_tier: Federation,
) -> None:
    plenary = await Plenary(regional_tier).start()
    natos = [
        await plenary.member(
            category="ex_officio", entry="ces", public_name=f"Nato {n}", holder=f"doc-nato-{n}"
        )
        for n in (1, 2)
    ]
    beyond = await plenary.register(
        category="ex_officio", entry="ces", public_name="Nato 3", holder="doc-nato-3"
    )
    assert beyond.status_code == 422, beyond.text
    assert "'ces'" in beyond.json()["detail"] and "2 seats" in beyond.json()["detail"]
    unknown = await plenary.register(
        category="ex_officio", entry="cns", public_name="Nato 4", holder="doc-nato-4"
    )
    assert unknown.status_code == 422 and "entries: ces" in unknown.json()["detail"]
    wrong_segment = await plenary.register(
        category="ex_officio", entry="ces", segment="workers", public_name="N", holder="doc-n"
    )
    assert wrong_segment.status_code == 422, wrong_segment.text

    chair_id, chair = await plenary.member(
        category="ex_officio", entry="mesa", public_name="Presidente", holder="doc-mesa"
    )

    poll = await plenary.decision()
    assert poll["electorate"] == 4, "one delegate and three ex officio members are on the roll"
    for _, device in natos:
        voted = await plenary.ballot(poll["id"], device)
        assert voted.status_code == 201, voted.text
    again = await plenary.ballot(poll["id"], natos[0][1])
    assert again.status_code == 409, "one ballot per ex officio member"
    closed = await plenary.close(poll["id"])
    assert closed["ballots"] == 2 and closed["electorate"] == 4, closed

    # Not candidates for the national delegation (the entry does not make them eligible),
    # neither standing themselves nor registered by the desk; the delegate still stands.
    own = await plenary.stand(natos[0][1])
    assert own.status_code == 409 and "ex officio" in own.json()["detail"], own.text
    by_desk = await plenary.stand(plenary.desk, mandate_id=natos[1][0])
    assert by_desk.status_code == 409, by_desk.text
    assert (await plenary.stand(plenary.delegate)).status_code == 201
    # The entry that says eligible = true lets its member stand.
    chair_stands = await plenary.stand(chair)
    assert chair_stands.status_code == 201, chair_stands.text
    assert chair_stands.json()["mandate_id"] == chair_id

    listed = await get_json(plenary.client, "/api/v1/plenary/members", **BASE)
    natos_listed = [m for m in listed["ex_officio"] if m["entry"] == "ces"]
    assert [m["public_name"] for m in natos_listed] == ["Nato 1", "Nato 2"]
    assert all(m["votes"] and not m["eligible"] and m["segment"] == "users"
               for m in natos_listed)  # fmt: skip
    assert [m["eligible"] for m in listed["ex_officio"] if m["entry"] == "mesa"] == [True]
    assert listed["counts"] == {
        "delegates": 1, "ex_officio": 3, "guests": 0, "observers": 0, "voters": 4,
    }  # fmt: skip
    async with regional_tier.nodes["regional"].db.reading() as session:
        key = f"regional:{CYCLE}:BA"
        assert await audit.count_of(session, key, "member.register") == 3
        assert (await audit.verify(session, key)).seq >= 2  # the chain still verifies

    # Revoking a nato frees the seat; their device no longer counts, nor do they on the roll.
    foreign = await plenary.client.post(
        f"/api/v1/plenary/members/{natos[1][0]}/revoke",
        headers=await regional_tier.person("regional", {"role": "convener", "territory": "RJ"}),
        json=BASE,
    )
    assert foreign.status_code == 403, foreign.text
    revoked = await plenary.client.post(
        f"/api/v1/plenary/members/{natos[1][0]}/revoke", headers=plenary.desk, json=BASE
    )
    assert revoked.status_code == 200, revoked.text
    again_poll = await plenary.decision()
    assert again_poll["electorate"] == 3, again_poll
    assert (await plenary.ballot(again_poll["id"], natos[1][1])).status_code == 401
    replaced = await plenary.register(
        category="ex_officio", entry="ces", public_name="Nato 3", holder="doc-nato-3"
    )
    assert replaced.status_code == 201, replaced.text


async def test_guests_and_observers_have_voice_only(regional_tier: Federation) -> None:
    plenary = await Plenary(regional_tier).start()
    observer_id, observer = await plenary.member(
        category="observer", public_name="Observadora", holder="doc-obs"
    )
    guest_id, _ = await plenary.member(category="guest", public_name="Convidado", holder="doc-g")

    poll = await plenary.decision()
    assert poll["electorate"] == 1, "guests and observers are on no roll"
    refused = await plenary.ballot(poll["id"], observer)
    assert refused.status_code == 403, refused.text
    assert (await plenary.ballot(poll["id"], plenary.delegate)).status_code == 201
    closed = await plenary.close(poll["id"])
    assert closed["ballots"] == 1 and closed["electorate"] == 1, closed
    assert closed["outcome"] == "approved", closed

    # A lost code is replaced by the desk: the old device no longer counts, the new code binds.
    reissued = await plenary.client.post(
        "/api/v1/plenary/claims/reissue",
        headers=plenary.desk,
        json={**BASE, "mandate_id": observer_id},
    )
    assert reissued.status_code == 201, reissued.text
    old_device = await plenary.client.get("/api/v1/identity/me", headers=observer)
    assert old_device.status_code == 401, old_device.text
    observer = await plenary.claim(observer_id, reissued.json()["claim_code"])

    # Nobody makes an observer or a guest a candidate: not themselves, not the desk.
    assert (await plenary.stand(observer)).status_code == 403
    for member_id in (observer_id, guest_id):
        stood = await plenary.stand(plenary.desk, mandate_id=member_id)
        assert stood.status_code == 409 and "voice only" in stood.json()["detail"], stood.text

    # A person is admitted once: not as a member twice, not as delegate and member.
    twice = await plenary.register(category="guest", public_name="Outra", holder="doc-obs")
    assert twice.status_code == 409, twice.text
    delegate_too = await plenary.register(category="guest", public_name="D", holder="doc-BA0-u1")
    assert delegate_too.status_code == 409, delegate_too.text
    member_too = await plenary.client.post(
        "/api/v1/plenary/credentials",
        headers=plenary.desk,
        json={**BASE, "mandate_id": "BA0-u2", "holder": "doc-g"},
    )
    assert member_too.status_code == 409, member_too.text
    not_an_entry = await plenary.register(
        category="guest", entry="ces", public_name="G", holder="doc-x"
    )
    assert not_an_entry.status_code == 422, not_an_entry.text

    # Another state's desk cannot register here; nothing changed.
    elsewhere = await regional_tier.person("regional", {"role": "convener", "territory": "RJ"})
    foreign = await plenary.register(
        elsewhere, category="observer", public_name="Intrusa", holder="doc-rj"
    )
    assert foreign.status_code == 403, foreign.text
    listed = await get_json(plenary.client, "/api/v1/plenary/members", **BASE)
    assert [m["member_id"] for m in listed["observers"]] == [observer_id]
    assert [m["member_id"] for m in listed["guests"]] == [guest_id]
    assert not any(m["votes"] for m in listed["observers"] + listed["guests"])
    assert listed["counts"] == {
        "delegates": 1, "ex_officio": 0, "guests": 1, "observers": 1, "voters": 1,
    }  # fmt: skip

    # A revoked registration does not bar the person: the desk registers them again (a new
    # member id and code), the revoked row and both audit events stay, and while the new
    # registration stands the person is still admitted only once.
    revoked = await plenary.client.post(
        f"/api/v1/plenary/members/{guest_id}/revoke", headers=plenary.desk, json=BASE
    )
    assert revoked.status_code == 200, revoked.text
    again_id, again_device = await plenary.member(
        category="observer", public_name="Convidado", holder="doc-g"
    )
    assert again_id != guest_id
    assert (await plenary.client.get("/api/v1/identity/me", headers=again_device)).is_success
    twice_again = await plenary.register(category="guest", public_name="C", holder="doc-g")
    assert twice_again.status_code == 409, twice_again.text
    gone = await plenary.client.post(
        f"/api/v1/plenary/members/{guest_id}/revoke", headers=plenary.desk, json=BASE
    )
    assert gone.status_code == 404, gone.text
    listed = await get_json(plenary.client, "/api/v1/plenary/members", **BASE)
    assert listed["guests"] == []
    assert [m["member_id"] for m in listed["observers"]] == [observer_id, again_id]
    async with regional_tier.nodes["regional"].db.reading() as session:
        key = f"regional:{CYCLE}:BA"
        assert await audit.count_of(session, key, "member.register") == 3
        assert await audit.count_of(session, key, "member.revoke") == 1
        rows = await session.scalars(select(PlenaryMember).where(PlenaryMember.holder == "doc-g"))
        assert sorted(str(m.id) for m in rows if m.revoked_at is not None) == [guest_id]
    # Revoked as the observer they now are, the person may come in with a mandate instead.
    ended = await plenary.client.post(
        f"/api/v1/plenary/members/{again_id}/revoke", headers=plenary.desk, json=BASE
    )
    assert ended.status_code == 200, ended.text
    as_delegate = await plenary.client.post(
        "/api/v1/plenary/credentials",
        headers=plenary.desk,
        json={**BASE, "mandate_id": "BA0-u2", "holder": "doc-g"},
    )
    assert as_delegate.status_code == 201, as_delegate.text


async def test_the_national_plenary_seats_the_cnas_natos_of_its_own_stage(
    national_tier: Federation,
) -> None:
    """The national plenary reads ``[seats.national]``: the CNAS preset's 18 government natos
    sit, the 19th is refused naming the entry, and a state stage's entry is unknown here."""
    client, desk = national_tier.national, national_tier.staff["national"]
    scope = {"cycle_id": "cnas-2027", "uf": "BR"}

    async def register(n: int, entry: str, **more: Any) -> httpx.Response:
        return await client.post(
            "/api/v1/plenary/members",
            headers=desk,
            json={**scope, "category": "ex_officio", "entry": entry,
                  "public_name": f"Conselheira {n}", "holder": f"doc-{entry}-{n}", **more},
        )  # fmt: skip

    unknown_group = await register(0, "cnas-governo", quota_groups=["black", "martian"])
    assert unknown_group.status_code == 422 and "martian" in unknown_group.json()["detail"]

    for n in range(18):
        declared = {"gender": "woman" if n < 10 else "man", "quota_groups": ["black"] * (n < 6)}
        seated = await register(n, "cnas-governo", **declared)
        assert seated.status_code == 201, seated.text
        assert seated.json()["member"]["segment"] == "government"
    beyond = await register(18, "cnas-governo")
    assert beyond.status_code == 422 and "cnas-governo" in beyond.json()["detail"], beyond.text
    assert beyond.json()["seats"] == 18
    assert (await register(0, "ces")).status_code == 422
    for n in range(5):
        civil = await register(n, "cnas-sociedade", segment="users", gender="woman")
        assert civil.status_code == 201, civil.text
    listed = await get_json(client, "/api/v1/plenary/members", **scope)
    assert listed["counts"]["ex_officio"] == 23 and listed["counts"]["voters"] == 23

    # The equity tables count them beside the credentialed delegates (none here yet), by the
    # segment of their entry (or the one the desk gave) and what each declared.
    shown = await get_json(client, "/api/v1/equity/", cycle_id="cnas-2027")
    natos = [t for t in shown["tables"] if t["population"] == "ex_officio"]
    assert [(t["tier"], t["total"]) for t in natos] == [("national", 23)], shown["tables"]
    assert natos[0]["cells"] == {
        "segment": {"government": 18, "users": 5},
        "gender": {"woman": 15, "man": 8},
        "group": {"black": 6},
    }
