"""The driver's side of the conversation with the three services: HTTP, phases and progress.

Every phase of a simulated cycle is a method of a subclass; this base holds what they share:
authenticated requests that stop the run on any refusal, per-phase timing, seeded randomness,
and waiting for the bus to deliver what a phase set in motion.
"""

from __future__ import annotations

import asyncio
import random
import re
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

import httpx

from shared.core.cycle import preset_text
from shared.tools.simulation.scenario import AssemblyPlan, Scenario
from shared.tools.staffing import NATIONWIDE_STAFF, appoint, bearer

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
#: Participants registered per bulk request (the voters of every counted poll are on its roll).
VOTERS_PER_REQUEST = 5_000
#: Ballot lines per uploaded file (keeps each upload a few megabytes).
BALLOTS_PER_FILE = 20_000
PROPOSALS_PER_UPLOAD = 5_000
#: The council every published item of the simulated (health) cycle is assigned to.
COUNCIL = "Conselho Nacional de Saúde"


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
    """Base URLs of the three services and each one's operator token."""

    urls: Mapping[str, str]
    admin_tokens: Mapping[str, str]


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
    """The packaged health preset under this run's cycle id, its local window around now, and
    two to a hundred state-conference seats for every municipality."""
    text = re.sub(r'(?m)^cycle_id = ".*"$', f'cycle_id = "{cycle_id}"', preset_text("health"))
    window = (
        f"[calendar.local]\nopens = {(now - timedelta(days=1)).strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
        f"closes = {(now + timedelta(days=30)).strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
    )
    text = re.sub(r"(?ms)^\[calendar\.local\]\n.*?(?=^\[|\Z)", window + "\n", text)
    seats = f"[seats.state]\nminimum = {MIN_STATE_SEATS}\nmaximum = {MAX_STATE_SEATS}\n"
    return re.sub(r"(?ms)^\[seats\.state\]\n.*?(?=^\[|\Z)", "", text) + "\n" + seats


class SimulationSession:
    """State and plumbing shared by every phase of one simulated cycle."""

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
        #: Who the driver acts as at each tier (filled by :meth:`staff`).
        self._auth: dict[str, dict[str, str]] = {}
        self.council_auth: dict[str, str] = {}
        #: The second person of the local desks, who confirms the counts the first entered.
        self.second_auth: dict[str, str] = {}
        self._before: dict[str, dict[str, Any]] = {}
        #: Seats each assembly was allocated by its state (assembly id -> seats).
        self.seats: dict[str, int] = {}
        #: Called around the closing of the assemblies. `plenaria bench` pauses the regional
        #: service there, so the reports pile up in JetStream and the federation phase measures
        #: how fast the regional tier drains them rather than how fast secretaries close.
        self.hold_federation: Callable[[], None] = lambda: None
        self.release_federation: Callable[[], None] = lambda: None

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

    async def staff(self) -> None:
        """Each tier's operator appoints the people who run its conferences (and the national
        commission appoints the council member), the way a real cycle starts."""
        async with self.phase("staff", len(NATIONWIDE_STAFF) + 1):
            for tier, grants in NATIONWIDE_STAFF.items():
                token = await appoint(
                    self._clients[tier],
                    self.endpoints.admin_tokens[tier],
                    name=f"Equipe {tier} simulada",
                    grants=grants,
                )
                self._auth[tier] = bearer(token)
                self.reporter.advance("staff")
            member = await appoint(
                self._clients["national"],
                self._auth["national"]["Authorization"].removeprefix("Bearer "),
                name="Conselheira Simulada",
                grants=[{"role": "council", "council": COUNCIL}],
            )
            self.council_auth = bearer(member)
            second = await appoint(
                self._clients["local"],
                self.endpoints.admin_tokens["local"],
                name="Segunda pessoa das mesas simulada",
                grants=NATIONWIDE_STAFF["local"],
            )
            self.second_auth = bearer(second)
            self.reporter.advance("staff")

    async def confirm_counted(self, assembly_id: str, polls: Sequence[Mapping[str, Any]]) -> Any:
        """The second person of the desk confirms the polls the first counted."""
        counted = [p["id"] for p in polls if p.get("status") == "counted"]
        if not counted:
            return list(polls)
        return await self.call(
            "local",
            "POST",
            f"/api/v1/assemblies/{assembly_id}/polls/confirm",
            json={"poll_ids": counted},
            headers=self.second_auth,
        )

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
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """One request as the tier's staff (or ``headers``); anything but ``ok`` stops the
        simulation with the problem document."""
        response = await self._clients[tier].request(
            method,
            path,
            json=json,
            params=params,
            files=files,
            headers=headers if headers is not None else self._auth.get(tier, {}),
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
