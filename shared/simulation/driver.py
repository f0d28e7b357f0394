"""Drive a generated cycle through the real services over HTTP, as the people running it would.

Nothing is written into a tier's database. The national commission allocates seats to the states
and the state conveners to their municipal conferences; secretaries open assemblies, upload
proposals in bulk, register candidates, record the plenary's decisions, upload the priority
ballot files, run the delegate election and close; reports and mandates travel up over
JetStream by themselves; conveners credential delegates, merge duplicates and close the state
conferences; the council publishes the national result and answers every item, and the
answers travel back down. Counts in the summary are read back from the services.

Phases run one after another (a barrier between them) so each has its own time, which is what
`plenaria bench` reads; within a phase requests run with bounded concurrency.
"""

from __future__ import annotations

import asyncio
import random
import re
import secrets
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

import httpx

from shared.domain.cycle import preset_text
from shared.simulation.ballots import (
    approval_counts,
    ballot_csv,
    decision_counts,
    priority_ballots,
)
from shared.simulation.scenario import AssemblyPlan, Scenario
from shared.simulation.summary import build_summary, stats_delta

T = TypeVar("T")
TIERS = ("local", "regional", "national")
#: National delegates apportioned among the 27 states (the 17th CNS had about 4,000).
NATIONAL_SEATS = 4000
#: State conference seats per municipal conference of the state, and the least each gets.
STATE_SEATS_PER_ASSEMBLY = 4
MIN_STATE_SEATS = 2
#: …and the most (a capital's delegation is capped, as conference rules usually do).
MAX_STATE_SEATS = 100
#: At most this many proposals of an assembly go to a plenary decision vote (3 per axis).
DECISIONS_PER_ASSEMBLY = 9
#: Ballot lines per uploaded file (keeps each upload a few megabytes).
BALLOTS_PER_FILE = 20_000
PROPOSALS_PER_UPLOAD = 5_000


class SimulationError(RuntimeError):
    """The cycle could not be driven to its end (a service refused, or federation stalled)."""


class Reporter(Protocol):
    """Where progress goes (a rich progress bar in the CLI, nothing in tests)."""

    def start(self, phase: str, total: int) -> None: ...

    def advance(self, phase: str, amount: int = 1) -> None: ...

    def finish(self, phase: str) -> None: ...


class SilentReporter:
    def start(self, phase: str, total: int) -> None:
        pass

    def advance(self, phase: str, amount: int = 1) -> None:
        pass

    def finish(self, phase: str) -> None:
        pass


@dataclass(frozen=True)
class Endpoints:
    """Base URLs of the three services and the operator's admin token."""

    urls: Mapping[str, str]
    admin_token: str


@dataclass
class AssemblyState:
    """What the driver learnt about one assembly while running it."""

    plan: AssemblyPlan
    id: str = ""
    proposals: list[dict[str, Any]] = field(default_factory=list)  # id, axis, support
    approved: list[dict[str, Any]] = field(default_factory=list)
    mandates: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class CycleRecord:
    """What the driver did, to check lineage against and to time each phase."""

    proposals: set[str] = field(default_factory=set)
    seconds: dict[str, float] = field(default_factory=dict)
    close_seconds: dict[str, float] = field(default_factory=dict)  # uf -> state consolidation
    rows: dict[str, int] = field(default_factory=dict)  # ingest path -> rows sent
    notes: list[str] = field(default_factory=list)
    national_mandates: list[str] = field(default_factory=list)
    answered: int = 0

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


async def bounded(
    items: Iterable[T], work: Callable[[T], Awaitable[None]], concurrency: int
) -> None:
    """Run ``work`` on every item with at most ``concurrency`` in flight; first error wins."""
    queue: asyncio.Queue[T] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)

    async def worker() -> None:
        while True:
            try:
                item = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await work(item)

    async with asyncio.TaskGroup() as group:
        for _ in range(max(1, min(concurrency, queue.qsize()))):
            group.create_task(worker())


def cycle_rules(cycle_id: str, now: datetime) -> str:
    """The packaged health preset under this run's cycle id, its local window around now."""
    text = re.sub(r'(?m)^cycle_id = ".*"$', f'cycle_id = "{cycle_id}"', preset_text("health"))
    window = (
        f"[calendar.local]\nopens = {(now - timedelta(days=1)).strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
        f"closes = {(now + timedelta(days=30)).strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
    )
    return re.sub(r"(?ms)^\[calendar\.local\]\n.*?(?=^\[|\Z)", window + "\n", text)


class CycleDriver:
    """Runs one scenario's cycle, phase by phase, and returns the summary."""

    def __init__(
        self,
        scenario: Scenario,
        endpoints: Endpoints,
        *,
        concurrency: int = 16,
        reporter: Reporter | None = None,
        stall_timeout: float = 60.0,
    ) -> None:
        self.scenario = scenario
        self.endpoints = endpoints
        self.concurrency = concurrency
        self.reporter = reporter or SilentReporter()
        self.stall_timeout = stall_timeout
        self.record = CycleRecord()
        self.assemblies = [AssemblyState(plan) for plan in scenario.assemblies]
        #: Unique per run, so the same seed can run again against long-lived services.
        self.cycle_id = f"{scenario.cycle_id}-{scenario.seed}-{secrets.token_hex(3)}"
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._auth = {"Authorization": f"Bearer {endpoints.admin_token}"}
        self._before: dict[str, dict[str, Any]] = {}
        #: Seats each assembly was allocated by its state (assembly id -> seats).
        self.seats: dict[str, int] = {}

    # --- plumbing --------------------------------------------------------------------------------

    @asynccontextmanager
    async def _connected(self) -> AsyncIterator[None]:
        limits = httpx.Limits(max_connections=self.concurrency * 2, max_keepalive_connections=64)
        timeout = httpx.Timeout(900.0, connect=10.0)
        for tier in TIERS:
            self._clients[tier] = httpx.AsyncClient(
                base_url=self.endpoints.urls[tier], limits=limits, timeout=timeout, trust_env=False
            )
        try:
            yield
        finally:
            for client in self._clients.values():
                await client.aclose()
            self._clients.clear()

    async def call(
        self,
        tier: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        ok: tuple[int, ...] = (200, 201, 202),
    ) -> Any:
        """One request; anything but ``ok`` stops the simulation with the problem document."""
        response = await self._clients[tier].request(
            method, path, json=json, params=params, files=files, headers=self._auth
        )
        if response.status_code not in ok:
            raise SimulationError(
                f"{tier} {method} {path} answered {response.status_code}: {response.text[:800]}"
            )
        return response.json() if response.content else None

    async def stats(self, tier: str, *, tables: bool = True) -> dict[str, Any]:
        result: dict[str, Any] = await self.call(
            tier, "GET", "/api/v1/stats/", params={"tables": tables}
        )
        return result

    @asynccontextmanager
    async def phase(self, name: str, total: int) -> AsyncIterator[None]:
        began = time.perf_counter()
        self.reporter.start(name, total)
        try:
            yield
        finally:
            self.reporter.finish(name)
            elapsed = time.perf_counter() - began
            self.record.seconds[name] = self.record.seconds.get(name, 0.0) + elapsed

    def rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.scenario.seed, *parts)))

    # --- the cycle -------------------------------------------------------------------------------

    async def run(self) -> dict[str, Any]:
        """Drive the whole cycle and return the summary (see :mod:`shared.simulation.summary`)."""
        began = time.perf_counter()
        async with self._connected():
            before = {tier: await self.stats(tier) for tier in TIERS}
            self._before = before
            await self.announce_cycle()
            await self.open_assemblies()
            await self.allocate_seats()
            await self.submit_proposals()
            await self.decide_proposals()
            await self.prioritise()
            await self.elect_delegates()
            await self.close_assemblies()
            await self.await_messages("regional", "report", len(self.assemblies))
            await self.credential_state_delegates()
            await self.close_state_conferences()
            await self.await_messages("national", "report", len(self.scenario.ufs))
            await self.credential_national_delegates()
            await self.consolidate_nation()
            await self.answer_items()
            lineage = await self.check_lineage()
            after = {tier: await self.stats(tier) for tier in TIERS}
        self.record.seconds["total"] = time.perf_counter() - began
        summary = build_summary(
            scale=self.scenario.scale,
            seed=self.scenario.seed,
            stats={tier: stats_delta(after[tier], before[tier]) for tier in TIERS},
            lineage=lineage,
            seconds=self.record.seconds,
            notes=self.record.notes,
        )
        summary["cycle_id"] = self.cycle_id
        summary["consolidation_seconds"] = {
            uf: round(s, 3) for uf, s in sorted(self.record.close_seconds.items())
        }
        summary["rows_sent"] = dict(self.record.rows)
        return summary

    async def announce_cycle(self) -> None:
        """The cycle's rules reach the local tier; the nation apportions its delegate seats."""
        async with self.phase("cycle", 2):
            rules = cycle_rules(self.cycle_id, datetime.now(UTC))
            await self.call("local", "POST", "/api/v1/cycles/", json={"rules_toml": rules})
            self.reporter.advance("cycle")
            await self.call(
                "national",
                "POST",
                "/api/v1/allocations/states",
                json={"cycle_id": self.cycle_id, "seats": NATIONAL_SEATS},
            )
            self.reporter.advance("cycle")

    async def set_state_rules(self) -> None:
        """Every municipality sends two to a hundred delegates to its state conference."""
        path = f"/api/v1/cycles/{self.cycle_id}/consolidation-rules"
        rules = await self.call("regional", "GET", path)
        rules["apportionment"] = {
            **rules.get("apportionment", {}),
            "minimum": MIN_STATE_SEATS,
            "maximum": MAX_STATE_SEATS,
        }
        await self.call("regional", "PUT", path, json=rules)

    async def open_assemblies(self) -> None:
        deadline = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        async with self.phase("assemblies", len(self.assemblies)):

            async def open_one(state: AssemblyState) -> None:
                plan, town = state.plan, state.plan.municipality
                created = await self.call(
                    "local",
                    "POST",
                    "/api/v1/assemblies/",
                    json={
                        "cycle_id": self.cycle_id,
                        "kind": "municipal",
                        "territory": town.territory,
                        "uf": town.uf,
                        "title": plan.title,
                        "participants": plan.participants,
                        "population": town.population,
                        "deadline": deadline,
                    },
                )
                state.id = created["id"]
                await self.call("local", "POST", f"/api/v1/assemblies/{state.id}/open")
                self.reporter.advance("assemblies")

            await bounded(self.assemblies, open_one, self.concurrency)

    async def allocate_seats(self) -> None:
        """Each state's convener apportions its conference's seats among the municipalities."""
        by_uf: dict[str, list[AssemblyState]] = defaultdict(list)
        for state in self.assemblies:
            by_uf[state.plan.uf].append(state)
        async with self.phase("allocations", len(by_uf)):
            await self.set_state_rules()

            async def allocate(uf: str) -> None:
                states = by_uf[uf]
                sent = await self.call(
                    "regional",
                    "POST",
                    "/api/v1/allocations/assemblies",
                    json={
                        "cycle_id": self.cycle_id,
                        "uf": uf,
                        "seats": STATE_SEATS_PER_ASSEMBLY * len(states),
                        "units": [
                            {
                                "assembly_id": s.id,
                                "territory": s.plan.municipality.territory,
                                "population": s.plan.municipality.population,
                                "participants": s.plan.participants,
                            }
                            for s in states
                        ],
                    },
                )
                for allocation in sent:
                    self.seats[allocation["assembly_id"]] = int(allocation["seats"])
                self.reporter.advance("allocations")

            await bounded(sorted(by_uf), allocate, 4)

    async def submit_proposals(self) -> None:
        """Each secretary uploads the assembly's proposals in one bulk request."""
        total = sum(s.plan.proposals for s in self.assemblies)
        self.record.rows["proposals"] = total
        async with self.phase("proposals", total):

            async def upload(state: AssemblyState) -> None:
                drafts = state.plan.proposal_drafts()
                for start in range(0, len(drafts), PROPOSALS_PER_UPLOAD):
                    chunk = drafts[start : start + PROPOSALS_PER_UPLOAD]
                    body = {
                        "proposals": [
                            {
                                "axis": d.axis,
                                "competence": d.competence,
                                "title": d.title,
                                "text": d.text,
                                "support": d.support,
                            }
                            for d in chunk
                        ]
                    }
                    created = await self.call(
                        "local", "POST", f"/api/v1/assemblies/{state.id}/proposals/bulk", json=body
                    )
                    for proposal_id, draft in zip(created["ids"], chunk, strict=True):
                        state.proposals.append(
                            {"id": proposal_id, "axis": draft.axis, "support": draft.support}
                        )
                        self.record.proposals.add(proposal_id)
                    self.reporter.advance("proposals", len(chunk))

            await bounded(self.assemblies, upload, self.concurrency)

    async def decide_proposals(self) -> None:
        """The plenary votes on the most supported proposals of each axis (counts entered)."""
        async with self.phase("decisions", len(self.assemblies)):

            async def decide(state: AssemblyState) -> None:
                base = f"/api/v1/assemblies/{state.id}"
                await self.call("local", "POST", f"{base}/voting")
                rng = self.rng("decisions", state.plan.municipality.territory)
                per_axis: dict[str, list[dict[str, Any]]] = defaultdict(list)
                for proposal in sorted(state.proposals, key=lambda p: (-p["support"], p["id"])):
                    per_axis[proposal["axis"]].append(proposal)
                chosen = [
                    p for ranked in per_axis.values() for p in ranked[: DECISIONS_PER_ASSEMBLY // 3]
                ]
                voters = max(1, state.plan.ballots)
                for proposal in chosen:
                    poll = await self.call(
                        "local",
                        "POST",
                        f"{base}/polls/",
                        json={"kind": "decision", "mode": "counts", "proposal_id": proposal["id"]},
                    )
                    counts = decision_counts(voters, rng)
                    await self.call(
                        "local", "POST", f"{base}/polls/{poll['id']}/counts", json=counts
                    )
                    closed = await self.call("local", "POST", f"{base}/polls/{poll['id']}/close")
                    if closed.get("outcome") in ("approved", "approved_in_part"):
                        state.approved.append(proposal)
                self.reporter.advance("decisions")

            await bounded(self.assemblies, decide, self.concurrency)

    async def prioritise(self) -> None:
        """Per axis, the approved proposals are ranked by paper ballots uploaded as CSV files.

        Opening the polls, typing the ballot files (the driver's own CPU), uploading them and
        closing (tallying) are separate phases, so the upload phase times ingest alone.
        """
        polls: list[tuple[AssemblyState, dict[str, Any], int]] = []
        async with self.phase("priority_polls", len(self.assemblies)):

            async def open_polls(state: AssemblyState) -> None:
                axes = sorted({p["axis"] for p in state.approved})
                for index, axis in enumerate(axes):
                    # Working groups: each participant ranks the proposals of one axis.
                    ballots = state.plan.ballots // len(axes) + (
                        1 if index < state.plan.ballots % len(axes) else 0
                    )
                    if ballots:
                        poll = await self.call(
                            "local",
                            "POST",
                            f"/api/v1/assemblies/{state.id}/polls/",
                            json={"kind": "priority", "mode": "file", "axis": axis},
                        )
                        polls.append((state, poll, ballots))
                self.reporter.advance("priority_polls")

            await bounded(self.assemblies, open_polls, self.concurrency)
        polls.sort(key=lambda entry: entry[1]["id"])
        uploads: list[tuple[str, str, int]] = []  # path, CSV text, ballots
        total = sum(ballots for _, _, ballots in polls)
        async with self.phase("ballot_files", total):
            for state, poll, ballots in polls:
                rng = self.rng("ballots", poll["subject"], state.plan.municipality.territory)
                candidates = list(poll.get("candidates") or [])
                support = {p["id"]: float(p["support"]) for p in state.approved}
                weights = [support.get(c, 1.0) for c in candidates]
                path = f"/api/v1/assemblies/{state.id}/polls/{poll['id']}/ballot-file"
                for start in range(0, ballots, BALLOTS_PER_FILE):
                    count = min(BALLOTS_PER_FILE, ballots - start)
                    lines = priority_ballots(candidates, weights, count, rng)
                    uploads.append((path, ballot_csv(lines), count))
                    self.reporter.advance("ballot_files", count)
        self.record.rows["ballots"] = total
        async with self.phase("ballots", total):

            async def upload(entry: tuple[str, str, int]) -> None:
                path, text, count = entry
                files = {"data": ("ballots.csv", text, "text/csv")}
                await self.call("local", "POST", path, files=files)
                self.reporter.advance("ballots", count)

            await bounded(uploads, upload, self.concurrency)
        async with self.phase("priority_tally", len(polls)):

            async def close(entry: tuple[AssemblyState, dict[str, Any], int]) -> None:
                state, poll, _ = entry
                await self.call(
                    "local", "POST", f"/api/v1/assemblies/{state.id}/polls/{poll['id']}/close"
                )
                self.reporter.advance("priority_tally")

            await bounded(polls, close, self.concurrency)

    async def elect_delegates(self) -> None:
        """Candidates register and stand; the election's approval counts are entered."""
        async with self.phase("elections", len(self.assemblies)):
            fallback = 0

            async def elect(state: AssemblyState) -> None:
                nonlocal fallback
                base = f"/api/v1/assemblies/{state.id}"
                if not self.seats.get(state.id, 0):
                    self.reporter.advance("elections")
                    return  # no seat at the state conference: nobody to elect
                seats = await self._allocated_seats(base, self.seats[state.id])
                if not sum(seats.values()):
                    fallback += 1
                    entered = await self.call(
                        "local",
                        "PUT",
                        f"{base}/allocation",
                        json={"seats": 4, "per_segment": {"users": 2, "workers": 1, "managers": 1}},
                    )
                    seats = entered["seats"]
                need = {segment: n + 1 for segment, n in seats.items() if n}
                people = state.plan.participant_drafts(limit=sum(need.values()))
                segments = [segment for segment, n in sorted(need.items()) for _ in range(n)]
                candidates: list[str] = []
                for person, segment in zip(people, segments, strict=False):
                    body = {
                        "public_name": person.public_name,
                        "segment": segment,
                        "gender": person.gender,
                        "race_colour": person.race_colour,
                        "age_band": person.age_band,
                        "disability": person.disability,
                        "lgbtqia": person.lgbtqia,
                        "traditional_people": person.traditional_people,
                        "credential": True,
                    }
                    registered = await self.call(
                        "local", "POST", f"{base}/participants/", json=body
                    )
                    stood = await self.call(
                        "local",
                        "POST",
                        f"{base}/candidacies",
                        json={"participant_id": registered["id"]},
                    )
                    candidates.append(stood["id"])
                if not candidates:
                    self.reporter.advance("elections")
                    return
                poll = await self.call(
                    "local", "POST", f"{base}/polls/", json={"kind": "election", "mode": "counts"}
                )
                rng = self.rng("election", state.plan.municipality.territory)
                entries = approval_counts(
                    list(poll.get("candidates") or candidates),
                    int(poll.get("approvals") or sum(seats.values())),
                    max(1, state.plan.ballots),
                    rng,
                )
                await self.call(
                    "local",
                    "POST",
                    f"{base}/polls/{poll['id']}/counts",
                    json={"entries": [{"ranking": [group], "count": n} for group, n in entries]},
                )
                await self.call("local", "POST", f"{base}/polls/{poll['id']}/close")
                election = await self.call("local", "GET", f"{base}/election")
                state.mandates = list(election.get("mandates", []))
                self.reporter.advance("elections")

            await bounded(self.assemblies, elect, self.concurrency)
            if fallback:
                self.record.note(
                    f"{fallback} assemblies received no seat allocation from their state in "
                    f"{self.stall_timeout:.0f} s; their secretaries entered 4 seats"
                )

    async def _allocated_seats(self, base: str, expected: int) -> dict[str, int]:
        """Seats per segment once the state's allocation has come down the bus (or none)."""
        waited_until = time.perf_counter() + self.stall_timeout
        while True:
            seats: dict[str, int] = (await self.call("local", "GET", f"{base}/allocation"))["seats"]
            if sum(seats.values()) == expected or time.perf_counter() > waited_until:
                return seats
            await asyncio.sleep(0.5)

    async def close_assemblies(self) -> None:
        async with self.phase("close_local", len(self.assemblies)):

            async def close_one(state: AssemblyState) -> None:
                await self.call("local", "POST", f"/api/v1/assemblies/{state.id}/close")
                self.reporter.advance("close_local")

            await bounded(self.assemblies, close_one, self.concurrency)

    async def await_messages(self, tier: str, kind: str, expected: int) -> None:
        """Wait until ``tier`` has taken in ``expected`` more ``kind`` messages (applied or
        refused); fail if nothing moves for ``stall_timeout`` seconds."""
        name = f"federate_{tier}" if kind == "report" else f"{kind}s_{tier}"
        async with self.phase(name, expected):
            # Counted from before the run: messages may arrive before anyone waits for them.
            start = self._count(self._before.get(tier, {}), kind)
            seen, last_change = 0, time.perf_counter()
            while seen < expected:
                now = self._count(await self.stats(tier, tables=False), kind) - start
                if now != seen:
                    self.reporter.advance(name, now - seen)
                    seen, last_change = now, time.perf_counter()
                elif time.perf_counter() - last_change > self.stall_timeout:
                    raise SimulationError(
                        f"{tier} took in {seen} of {expected} {kind} messages and made no "
                        f"progress for {self.stall_timeout:.0f} s"
                    )
                if seen < expected:
                    await asyncio.sleep(0.2)

    @staticmethod
    def _count(stats: dict[str, Any], kind: str) -> int:
        """Messages of ``kind`` a tier applied or refused, from its stats."""
        applied = stats.get("inbox", {}).get(kind, {}).get("applied", 0)
        refused = stats.get("dead_letters", {}).get("by_kind", {}).get(kind, 0)
        return int(applied) + int(refused)

    async def credential_state_delegates(self) -> None:
        """At each state conference's desk, every elected titular presents their mandate."""
        titulars = [
            (state.plan.uf, mandate)
            for state in self.assemblies
            for mandate in state.mandates
            if mandate.get("role") == "titular"
        ]
        async with self.phase("credentials_regional", len(titulars)):

            async def admit(entry: tuple[str, dict[str, Any]]) -> None:
                uf, mandate = entry
                await self.call(
                    "regional",
                    "POST",
                    "/api/v1/plenary/credentials",
                    json={
                        "cycle_id": self.cycle_id,
                        "mandate_id": mandate["id"],
                        "holder": f"doc-{mandate['id']}",
                        "uf": uf,
                    },
                )
                self.reporter.advance("credentials_regional")

            await bounded(titulars, admit, self.concurrency)

    async def close_state_conferences(self) -> None:
        """Each state merges duplicates, elects its national delegates and reports up."""
        by_uf: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for state in self.assemblies:
            by_uf[state.plan.uf].extend(m for m in state.mandates if m.get("role") == "titular")
        async with self.phase("consolidate_regional", len(self.scenario.ufs)):

            async def close_state(uf: str) -> None:
                began = time.perf_counter()
                scope = {"cycle_id": self.cycle_id, "uf": uf}
                await self.call("regional", "POST", "/api/v1/consolidation/auto-merge", json=scope)
                allocations = await self.call(
                    "regional",
                    "GET",
                    "/api/v1/allocations/",
                    params={**scope, "direction": "received"},
                )
                seats = sum(a["seats"] for a in allocations if a["territory"] == uf)
                delegates = [
                    {
                        "mandate_id": str(uuid.uuid4()),
                        "public_name": m["public_name"],
                        "segment": m["segment"],
                        "role": "titular",
                        "rank": rank,
                        "gender": m.get("gender", ""),
                        "quota_groups": list(m.get("quota_groups", [])),
                    }
                    for rank, m in enumerate(by_uf[uf][:seats], start=1)
                ]
                self.record.national_mandates.extend(d["mandate_id"] for d in delegates)
                await self.call(
                    "regional",
                    "POST",
                    "/api/v1/conference/close",
                    json={**scope, "delegates": delegates},
                )
                self.record.close_seconds[uf] = time.perf_counter() - began
                self.reporter.advance("consolidate_regional")

            await bounded(self.scenario.ufs, close_state, 2)

    async def credential_national_delegates(self) -> None:
        mandates = self.record.national_mandates
        async with self.phase("credentials_national", len(mandates)):

            async def admit(mandate_id: str) -> None:
                await self.call(
                    "national",
                    "POST",
                    "/api/v1/plenary/credentials",
                    json={
                        "cycle_id": self.cycle_id,
                        "mandate_id": mandate_id,
                        "holder": f"doc-{mandate_id}",
                    },
                )
                self.reporter.advance("credentials_national")

            await bounded(mandates, admit, self.concurrency)

    async def consolidate_nation(self) -> None:
        """The national conference merges duplicates; its result becomes published mandates."""
        async with self.phase("consolidate_national", 2):
            began = time.perf_counter()
            scope = {"cycle_id": self.cycle_id, "uf": "BR"}
            await self.call("national", "POST", "/api/v1/consolidation/auto-merge", json=scope)
            self.reporter.advance("consolidate_national")
            await self.call(
                "national", "POST", "/api/v1/council/publish", json={"cycle_id": self.cycle_id}
            )
            self.record.close_seconds["BR"] = time.perf_counter() - began
            self.reporter.advance("consolidate_national")

    async def national_items(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page: list[dict[str, Any]] = await self.call(
                "national",
                "GET",
                "/api/v1/items",
                params={"cycle_id": self.cycle_id, "limit": 5000, "offset": len(items)},
            )
            items.extend(page)
            if len(page) < 5000:
                return items

    async def published_items(self) -> list[dict[str, Any]]:
        return [i for i in await self.national_items() if i.get("published_at")]

    async def answer_items(self) -> None:
        """A council member answers every published item; answers flow to every origin."""
        items = await self.published_items()
        async with self.phase("responses", len(items)):
            member = await self.call(
                "national",
                "POST",
                "/api/v1/council/members",
                json={"name": "Conselheira Simulada", "council": "Conselho Nacional de Saúde"},
            )
            council = {"Authorization": f"Bearer {member['token']}"}
            rng = self.rng("responses")

            async def answer(item: dict[str, Any]) -> None:
                decision = rng.choices(
                    ("adopted", "adopted_in_part", "under_study", "rejected"), (5, 2, 2, 1)
                )[0]
                body: dict[str, Any] = {
                    "decision": decision,
                    "responsible_body": "Ministério da Saúde",
                    "instrument": "Plano Nacional de Saúde 2028–2031",
                    "milestones": [{"title": "Incluir no PNS", "status": "planned"}],
                }
                if decision != "adopted":
                    body["justification"] = "Depende de pactuação tripartite e de orçamento."
                response = await self._clients["national"].post(
                    f"/api/v1/council/items/{item['id']}/responses", json=body, headers=council
                )
                if response.status_code != 201:
                    raise SimulationError(
                        f"national council answer answered {response.status_code}: "
                        f"{response.text[:500]}"
                    )
                self.reporter.advance("responses")

            await bounded(items, answer, self.concurrency)
        self.record.answered = len(items)
        await self.await_messages("local", "response", len(items))

    async def check_lineage(self) -> dict[str, int]:
        """Every published national item must lead, through every tier, to submitted proposals."""
        items = await self.published_items()
        complete = 0
        async with self.phase("lineage", len(items)):

            async def trace(item: dict[str, Any]) -> None:
                nonlocal complete
                lineage = await self.call("national", "GET", f"/api/v1/items/{item['id']}/lineage")
                origins = lineage.get("origins", [])
                if origins and all(o["proposal_id"] in self.record.proposals for o in origins):
                    complete += 1
                self.reporter.advance("lineage")

            await bounded(items, trace, self.concurrency)
        return {"national_items": len(items), "complete": complete}
