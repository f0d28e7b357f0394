"""Drivers of the local tier's HTTP API: an assembly from creation to its closing.

The small helpers (:func:`create`, :func:`submit`, :func:`register`…) make one request each. The
plenary stages (:func:`vote_decisions`, :func:`rank_by_paper_file`, :func:`vote_motion`,
:func:`elect_delegates`…) run one part of the plenary on a :class:`Desk` and return what the tier
answered, so a test asserts on the part it is about; :func:`hold_plenary` runs them all in the
order an assembly would, up to (not including) the closing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.tools.staffing import exchange
from tests.support.api import bearer
from tests.support.tiers import Federation

CYCLE = "cns-2027"

PEOPLE = [
    ("Ana", "users", "woman", "preta"),
    ("Bruno", "users", "man", "branca"),
    ("Carla", "users", "woman", "parda"),
    ("Diego", "users", "man", "indigena"),
    ("Elisa", "workers", "woman", "branca"),
    ("Fábio", "workers", "man", "parda"),
    ("Gabi", "managers", "woman", "branca"),
    ("Hugo", "managers", "man", "branca"),
]

#: The plenary's six proposals: approved (0, 3, 5), approved in part (1), rejected (2), and a
#: municipal one (4) decided by counts, which stays local.
TEXTS = [
    ("saude-1", "national", "Ampliar as equipes de saúde da família nas periferias"),
    ("saude-1", "national", "Garantir concurso público para agentes comunitários de saúde"),
    ("saude-1", "state", "Criar centrais regionais de regulação de leitos"),
    ("saude-2", "national", "Revogar o teto de gastos para a saúde pública"),
    ("saude-2", "municipal", "Reformar a UBS do bairro Jardim Ângela"),
    ("saude-2", "state", "Ampliar o cofinanciamento estadual da atenção básica"),
]
NEAR_COPY = "Ampliar as equipes de saúde da família nas periferias da cidade"
AMENDMENT = TEXTS[1][2] + " com piso salarial nacional"
AMENDED_IN_PLENARY = "Texto emendado em plenário"

#: Yes votes out of the eight participants, per proposal index (the eighth abstains when not yes).
YES_VOTES = {0: 6, 1: 5, 2: 2, 3: 7, 5: 5}


async def create(tier: Federation, kind: str = "municipal", **extra: Any) -> dict[str, Any]:
    """A draft assembly in São Paulo, on time whatever the clock says, created by the local
    tier's organiser with its secretary appointed; the secretary's code is exchanged for their
    API token, added to the answer as ``secretary_token``."""
    response = await tier.local.post(
        "/api/v1/assemblies/",
        headers=tier.staff["local"],
        json={
            "secretary": {"name": "Secretária de teste"},
            "cycle_id": CYCLE,
            "kind": kind,
            "territory": "3550308",
            "uf": "SP",
            "title": "Conferência Municipal de Saúde de São Paulo",
            "population": 11_450_000,
            "deadline": "2100-01-01T00:00:00Z",
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    code = body["secretary_sign_in_code"]
    body["secretary_token"] = await exchange(tier.local, code, label="secretária")
    return body


async def submit(
    client: httpx.AsyncClient, aid: str, headers: dict[str, str], **body: Any
) -> httpx.Response:
    return await client.post(f"/api/v1/assemblies/{aid}/proposals/", headers=headers, json=body)


async def hand_card(
    client: httpx.AsyncClient,
    aid: str,
    sec: dict[str, str],
    participant_id: str,
    *,
    second: dict[str, str] | None = None,
) -> str:
    """The participant's phone asks for a voting card (no sign-in) and the desk binds it by its
    pairing number; once voting began, ``second`` (another person of the desk) confirms it.
    Returns the card's code, which only the phone saw."""
    phone = await client.post(f"/api/v1/assemblies/{aid}/voting-cards/device")
    assert phone.status_code == 201, phone.text
    card = phone.json()
    bound = await client.post(
        f"/api/v1/assemblies/{aid}/participants/{participant_id}/card",
        headers=sec,
        json={"pairing": card["pairing"]},
    )
    assert bound.status_code == 201, bound.text
    if bound.json()["awaiting_confirmation"] and second is not None:
        bound = await client.post(
            f"/api/v1/assemblies/{aid}/participants/{participant_id}/confirm", headers=second
        )
        assert bound.status_code == 201, bound.text
    assert bound.json()["credentialed"] or bound.json()["awaiting_confirmation"], bound.text
    code: str = card["code"]
    return code


async def confirm_counted(
    client: httpx.AsyncClient, aid: str, second: dict[str, str], closed: dict[str, Any]
) -> dict[str, Any]:
    """The desk's second person confirms a poll the first counted (others are returned as
    they are): the confirmed poll."""
    if closed.get("status") != "counted":
        return closed
    r = await client.post(
        f"/api/v1/assemblies/{aid}/polls/confirm", headers=second, json={"poll_ids": [closed["id"]]}
    )
    assert r.status_code == 201, r.text
    confirmed: dict[str, Any] = r.json()[0]
    return confirmed


async def decided_en_bloc(
    client: httpx.AsyncClient,
    aid: str,
    sec: dict[str, str],
    second: dict[str, str],
    decisions: list[dict[str, Any]],
) -> dict[str, Any]:
    """Decisions en bloc from counts the secretary entered, confirmed by ``second``: the
    answer with its polls as confirmed."""
    r = await client.post(
        f"/api/v1/assemblies/{aid}/decisions/", headers=sec, json={"decisions": decisions}
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    assert body["counted"] == len(decisions) and body["decided"] == 0, body
    confirmed = await client.post(
        f"/api/v1/assemblies/{aid}/polls/confirm",
        headers=second,
        json={"poll_ids": [p["id"] for p in body["polls"]]},
    )
    assert confirmed.status_code == 201, confirmed.text
    body["polls"] = confirmed.json()
    return body


async def register(
    client: httpx.AsyncClient, aid: str, sec: dict[str, str]
) -> list[dict[str, Any]]:
    """The eight :data:`PEOPLE`, registered one by one and each handed a voting card from their
    own phone (which checks them in); each answer gains the card's ``badge_code``."""
    people = []
    for name, segment, gender, race in PEOPLE:
        r = await client.post(
            f"/api/v1/assemblies/{aid}/participants/",
            headers=sec,
            json={"public_name": name, "segment": segment, "gender": gender, "race_colour": race},
        )
        assert r.status_code == 201, r.text
        person = r.json()
        person["badge_code"] = await hand_card(client, aid, sec, person["id"])
        people.append(person)
    return people


async def open_ballot_box(client: httpx.AsyncClient, aid: str, sec: dict[str, str]) -> list[str]:
    """The key ceremony: the three shares the board keeps."""
    r = await client.post(f"/api/v1/assemblies/{aid}/ballot-box/", headers=sec)
    assert r.status_code == 201, r.text
    shares: list[str] = r.json()["shares"]
    return shares


async def credential_voters(
    client: httpx.AsyncClient, aid: str, sec: dict[str, str], n: int, *, checked_in: bool = True
) -> list[str]:
    """``n`` participants registered (and checked in, unless ``checked_in`` is false) in one
    request (counts entered into a poll are bounded by the credentialed voters on its roll);
    returns their ids."""
    r = await client.post(
        f"/api/v1/assemblies/{aid}/participants/bulk",
        headers=sec,
        json={
            "participants": [
                {"public_name": f"Votante {i}", "segment": "users", "credential": checked_in}
                for i in range(n)
            ]
        },
    )
    assert r.status_code == 201, r.text
    return [p["id"] for p in r.json()]


async def voters_with_tokens(
    client: httpx.AsyncClient,
    aid: str,
    sec: dict[str, str],
    n: int,
    *,
    second: dict[str, str] | None = None,
) -> list[dict[str, str]]:
    """``n`` participants, each handed a voting card (confirmed by ``second`` once voting
    began): the headers of their credentials."""
    ids = await credential_voters(client, aid, sec, n, checked_in=False)
    return [bearer(await hand_card(client, aid, sec, pid, second=second)) for pid in ids]


async def assembly_with_proposals(
    tier: Federation, n: int, voters: int = 60
) -> tuple[str, dict[str, str], list[str]]:
    """An assembly in voting with ``n`` distinct municipal proposals of one axis and
    ``voters`` credentialed participants."""
    local = tier.local
    created = await create(tier)
    aid, sec = created["id"], bearer(created["secretary_token"])
    if voters:
        await credential_voters(local, aid, sec, voters)
    ids = []
    for i in range(n):
        r = await submit(
            local,
            aid,
            sec,
            axis="saude-1",
            competence="municipal",
            title=f"Proposta {i}",
            text=f"Texto distinto número {i} sobre atenção básica {i * 7}",
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    r = await local.post(f"/api/v1/assemblies/{aid}/voting", headers=sec)
    assert r.status_code == 201, r.text
    return aid, sec, ids


async def open_local_assembly(
    fed: Federation,
    *,
    territory: str,
    uf: str,
    proposals: list[tuple[str, str, str, int]],
    participants: int = 120,
    population: int = 50_000,
    kind: str = "municipal",
) -> tuple[str, list[str]]:
    """Create and open an assembly (of ``kind``) at the local tier (its organiser) and record
    its proposals (axis, competence, text, support) with the support counted on paper."""
    staff = fed.staff["local"]
    created = await fed.local.post(
        "/api/v1/assemblies/",
        headers=staff,
        json={
            "cycle_id": CYCLE,
            "kind": kind,
            "territory": territory,
            "uf": uf,
            "title": f"Conferência {kind} {territory}",
            "participants": participants,
            "population": population,
        },
    )
    assert created.status_code == 201, created.text
    assembly_id: str = created.json()["id"]
    opened = await fed.local.post(f"/api/v1/assemblies/{assembly_id}/open", headers=staff)
    assert opened.status_code == 201, opened.text
    assert opened.json()["status"] == "open", opened.text
    ids = []
    for axis, competence, text, support in proposals:
        response = await fed.local.post(
            f"/api/v1/assemblies/{assembly_id}/proposals",
            headers=staff,
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


# --- one assembly's plenary, part by part ----------------------------------------------------


@dataclass
class Desk:
    """An open assembly, its secretary and its eight credentialed participants."""

    client: httpx.AsyncClient
    created: dict[str, Any]
    people: list[dict[str, Any]]
    ids: list[str] = field(default_factory=list)
    #: The ballot box key's shares, one per member of the board (any two restore it).
    shares: list[str] = field(default_factory=list)
    #: Another person of the desk (the tier's organiser), who confirms what the secretary
    #: counted and who was credentialed once voting began.
    second: dict[str, str] = field(default_factory=dict)

    @property
    def aid(self) -> str:
        return str(self.created["id"])

    @property
    def sec(self) -> dict[str, str]:
        return bearer(self.created["secretary_token"])

    @property
    def tokens(self) -> list[dict[str, str]]:
        return [bearer(p["badge_code"]) for p in self.people]

    def url(self, path: str) -> str:
        return f"/api/v1/assemblies/{self.aid}{path}"

    async def post(
        self, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """POST under the assembly, as the secretary unless ``headers`` say otherwise."""
        return await self.client.post(self.url(path), headers=headers or self.sec, **kwargs)

    async def get(self, path: str) -> httpx.Response:
        return await self.client.get(self.url(path))

    async def start_voting(self) -> None:
        """The plenary votes: the assembly in voting, its ballot box opened (the board's
        three shares kept in :attr:`shares`)."""
        r = await self.post("/voting")
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "voting", r.text
        self.shares = await open_ballot_box(self.client, self.aid, self.sec)

    async def poll(self, **body: Any) -> dict[str, Any]:
        r = await self.post("/polls/", json=body)
        assert r.status_code == 201, r.text
        out: dict[str, Any] = r.json()
        return out

    async def close_poll(self, pid: str) -> dict[str, Any]:
        """Close a poll; one the desk counted is confirmed by :attr:`second`."""
        r = await self.post(f"/polls/{pid}/close")
        assert r.status_code == 201, r.text
        return await confirm_counted(self.client, self.aid, self.second, r.json())

    async def ballot(self, pid: str, token: dict[str, str], **body: Any) -> httpx.Response:
        return await self.post(f"/polls/{pid}/ballots", headers=token, json=body)


async def open_desk(tier: Federation) -> Desk:
    """A municipal assembly created, opened by its secretary, with :data:`PEOPLE` registered."""
    client = tier.local
    created = await create(tier)
    assert created["status"] == "draft", created
    sec = bearer(created["secretary_token"])
    opened = await client.post(f"/api/v1/assemblies/{created['id']}/open", headers=sec)
    assert opened.status_code == 201, opened.text
    people = await register(client, created["id"], sec)
    return Desk(client, created, people, second=tier.staff["local"])


async def submit_texts(desk: Desk) -> list[str]:
    """The first participant submits the six :data:`TEXTS`; returns their ids."""
    for axis, competence, text in TEXTS:
        r = await submit(
            desk.client,
            desk.aid,
            desk.tokens[0],
            axis=axis,
            competence=competence,
            title=text[:40],
            text=text,
        )
        assert r.status_code == 201, r.text
        desk.ids.append(r.json()["id"])
    return desk.ids


@dataclass
class Drafting:
    """What the secretary's near-copy and the author's amendment got."""

    copy: httpx.Response
    withdrawn: httpx.Response
    amended: httpx.Response
    amended_by_another: httpx.Response


async def draft_and_amend(desk: Desk) -> Drafting:
    """The secretary submits a near-copy of the first proposal and withdraws it; the author
    amends the second; another participant tries to amend it too."""
    copy = await submit(
        desk.client,
        desk.aid,
        desk.sec,
        axis="saude-1",
        competence="national",
        title="Cópia",
        text=NEAR_COPY,
    )
    assert copy.status_code == 201, copy.text
    withdrawn = await desk.post(f"/proposals/{copy.json()['id']}/withdraw")
    amended = await desk.post(
        f"/proposals/{desk.ids[1]}/amend",
        headers=desk.tokens[0],
        json={"text": AMENDMENT, "reason": "grupo de trabalho"},
    )
    by_another = await desk.post(
        f"/proposals/{desk.ids[1]}/amend", headers=desk.tokens[1], json={"text": "x"}
    )
    return Drafting(copy, withdrawn, amended, by_another)


@dataclass
class Decided:
    """One electronic decision poll: its closing, and the ballots refused around it."""

    closed: dict[str, Any]
    second_ballot: int
    late_ballot: int


async def vote_decisions(desk: Desk) -> dict[int, Decided]:
    """Electronic decision polls on proposals 0, 1 (amended in plenary), 2, 3 and 5, with
    :data:`YES_VOTES`; each voter's second ballot and a ballot after closing are tried too."""
    decided = {}
    for index, yes in YES_VOTES.items():
        amended_text = AMENDED_IN_PLENARY if index == 1 else None
        p = await desk.poll(kind="decision", proposal_id=desk.ids[index], amended_text=amended_text)
        for n, token in enumerate(desk.tokens):
            choice = "yes" if n < yes else ("abstain" if n == 7 else "no")
            r = await desk.ballot(p["id"], token, choice=choice)
            assert r.status_code == 201, r.text
        again = await desk.ballot(p["id"], desk.tokens[0], choice="no")
        closed = await desk.close_poll(p["id"])
        late = await desk.ballot(p["id"], desk.tokens[7], choice="yes")
        decided[index] = Decided(closed, again.status_code, late.status_code)
    return decided


async def decide_by_counts(desk: Desk) -> tuple[httpx.Response, dict[str, Any]]:
    """The municipal proposal (4) decided by counts the secretary enters: (entry, closing)."""
    p = await desk.poll(kind="decision", proposal_id=desk.ids[4], mode="counts")
    entered = await desk.post(f"/polls/{p['id']}/counts", json={"yes": 5, "no": 2, "abstain": 1})
    return entered, await desk.close_poll(p["id"])


@dataclass
class Ranked:
    """A closed priority poll: its candidates (as opened) and closing."""

    opened: dict[str, Any]
    closed: dict[str, Any]

    @property
    def candidates(self) -> list[str]:
        return list(self.opened["candidates"])


async def rank_by_paper_file(desk: Desk) -> tuple[Ranked, httpx.Response]:
    """Axis saude-1's priority from a paper ballot file: three ballots a>b, one b>a."""
    p1 = await desk.poll(kind="priority", axis="saude-1", mode="file")
    a, b = p1["candidates"]
    csv_text = "".join(f"{a},{b}\n" for _ in range(3)) + f"{b},{a}\n"
    up = await desk.post(
        f"/polls/{p1['id']}/ballot-file",
        files={"data": ("cedulas.csv", csv_text.encode(), "text/csv")},
    )
    return Ranked(p1, await desk.close_poll(p1["id"])), up


async def rank_electronically(desk: Desk) -> Ranked:
    """Axis saude-2's priority electronically (Borda): six voters z>x>y, two x>y>z."""
    p2 = await desk.poll(kind="priority", axis="saude-2")
    x, y, z = p2["candidates"]
    for n, token in enumerate(desk.tokens):
        order = [[z], [x], [y]] if n < 6 else [[x], [y], [z]]
        r = await desk.ballot(p2["id"], token, ranking=order)
        assert r.status_code == 201, r.text
    return Ranked(p2, await desk.close_poll(p2["id"]))


@dataclass
class Motioned:
    """A motion of repudiation and what the tier answered on its way to a vote."""

    motion: dict[str, Any]
    early_vote: int
    signatures: list[int]
    second_signature: int
    vote: httpx.Response
    counts: httpx.Response
    closed: dict[str, Any]


async def vote_motion(desk: Desk) -> Motioned:
    """A participant moves a motion; a vote is asked for before enough signatures, two
    participants sign (the first twice), and the secretary puts it to a vote by counts."""
    m = await desk.post(
        "/motions/",
        headers=desk.tokens[2],
        json={
            "kind": "repudiation",
            "title": "Moção de repúdio",
            "text": "Repudiamos o fechamento do hospital.",
        },
    )
    assert m.status_code == 201, m.text
    mid = m.json()["id"]
    early = await desk.post(f"/motions/{mid}/vote", json={})
    signed = [
        (await desk.post(f"/motions/{mid}/signatures", headers=t)).status_code
        for t in desk.tokens[:2]
    ]
    twice = await desk.post(f"/motions/{mid}/signatures", headers=desk.tokens[0])
    vote = await desk.post(f"/motions/{mid}/vote", json={"mode": "counts"})
    assert vote.status_code == 201, vote.text
    counts = await desk.post(f"/polls/{vote.json()['id']}/counts", json={"yes": 5, "no": 2})
    closed = await desk.close_poll(vote.json()["id"])
    return Motioned(m.json(), early.status_code, signed, twice.status_code, vote, counts, closed)


#: The approval ballot every participant casts: three men, so the gender rule has work to do.
APPROVED_CANDIDATES = ("Bruno", "Diego", "Fábio")


async def elect_delegates(desk: Desk) -> tuple[httpx.Response, dict[str, Any]]:
    """Four seats (users 2, workers 1, managers 1), the first six participants stand, everyone
    approves :data:`APPROVED_CANDIDATES`; returns the allocation answer and the election view."""
    alloc = await desk.client.put(desk.url("/allocation"), headers=desk.sec, json={"seats": 4})
    for person in desk.people[:6]:
        r = await desk.post("/candidacies", json={"participant_id": person["id"]})
        assert r.status_code == 201, r.text
    ep = await desk.poll(kind="election")
    cands = {c["public_name"]: c["id"] for c in (await desk.get("/candidacies")).json()}
    for token in desk.tokens:
        r = await desk.ballot(ep["id"], token, approve=[cands[n] for n in APPROVED_CANDIDATES])
        assert r.status_code == 201, r.text
    await desk.close_poll(ep["id"])
    election = await desk.get("/election")
    assert election.status_code == 200, election.text
    return alloc, election.json()


@dataclass
class Plenary:
    """An assembly whose whole plenary was held (not yet closed)."""

    desk: Desk
    paper: Ranked
    electronic: Ranked

    @property
    def ids(self) -> list[str]:
        return self.desk.ids


async def hold_plenary(tier: Federation) -> Plenary:
    """Every stage above in order: six proposals (and a withdrawn near-copy, an amendment),
    voting, five electronic decisions and one by counts, two priority polls, a motion and the
    delegates' election: ten polls in all."""
    desk = await open_desk(tier)
    await submit_texts(desk)
    await draft_and_amend(desk)
    await desk.start_voting()
    await vote_decisions(desk)
    await decide_by_counts(desk)
    paper, _ = await rank_by_paper_file(desk)
    electronic = await rank_electronically(desk)
    await vote_motion(desk)
    await elect_delegates(desk)
    return Plenary(desk, paper, electronic)
