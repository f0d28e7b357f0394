"""The municipal stage: cycle rules, seat allocations, assemblies from opening to closing.

Secretaries do here what they do on conference day, through the local API's bulk paths:
proposals in one upload, decisions en bloc from counts typed in, participants and candidacies
registered in one request each, paper ballots as files, counts for the delegate election.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.tools.simulation.ballots import (
    approval_counts,
    ballot_csv,
    decision_counts,
    priority_ballots,
)
from shared.tools.simulation.session import (
    BALLOTS_PER_FILE,
    DECISIONS_PER_ASSEMBLY,
    NATIONAL_SEATS,
    PROPOSALS_PER_UPLOAD,
    STATE_SEATS_PER_ASSEMBLY,
    VOTERS_PER_REQUEST,
    AssemblyState,
    SimulationSession,
    bounded,
    cycle_rules,
)


class MunicipalStage(SimulationSession):
    """Phases run by the national commission, state conveners and municipal secretaries."""

    async def announce_cycle(self) -> None:
        """The national tier announces the cycle's rules down the pyramid; once they reached
        the tiers below, the nation apportions its delegate seats among the states."""
        async with self.phase("cycle", 2):
            rules = cycle_rules(self.cycle_id, datetime.now(UTC))
            await self.call(
                "national", "POST", "/api/v1/cycles/announce", json={"rules_toml": rules}
            )
            self.reporter.advance("cycle")
        await self.await_messages("regional", "cycle", 1)
        await self.await_messages("local", "cycle", 1)
        async with self.phase("cycle", 1):
            await self.call(
                "national",
                "POST",
                "/api/v1/allocations/states",
                json={"cycle_id": self.cycle_id, "seats": NATIONAL_SEATS},
            )
            self.reporter.advance("cycle")

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

    async def credential_voters(self, base: str, state: AssemblyState) -> None:
        """The assembly's participants registered and credentialed at the desk before the
        plenary votes: every count entered later is bounded by the voters on a poll's roll."""
        drafts = state.plan.participant_drafts()
        for start in range(0, len(drafts), VOTERS_PER_REQUEST):
            bodies = [
                {
                    "public_name": person.public_name,
                    "segment": person.segment,
                    "gender": person.gender,
                    "race_colour": person.race_colour,
                    "age_band": person.age_band,
                    "disability": person.disability,
                    "lgbtqia": person.lgbtqia,
                    "traditional_people": person.traditional_people,
                    "credential": True,
                }
                for person in drafts[start : start + VOTERS_PER_REQUEST]
            ]
            await self.call(
                "local", "POST", f"{base}/participants/bulk", json={"participants": bodies}
            )

    async def decide_proposals(self) -> None:
        """The plenary votes on the most supported proposals of each axis (counts entered)."""
        async with self.phase("decisions", len(self.assemblies)):

            async def decide(state: AssemblyState) -> None:
                base = f"/api/v1/assemblies/{state.id}"
                await self.credential_voters(base, state)
                await self.call("local", "POST", f"{base}/voting")
                rng = self.rng("decisions", state.plan.municipality.territory)
                per_axis: dict[str, list[dict[str, Any]]] = defaultdict(list)
                for proposal in sorted(state.proposals, key=lambda p: (-p["support"], p["id"])):
                    per_axis[proposal["axis"]].append(proposal)
                chosen = [
                    p for ranked in per_axis.values() for p in ranked[: DECISIONS_PER_ASSEMBLY // 3]
                ]
                voters = max(1, state.plan.ballots)
                if chosen:
                    body = {
                        "decisions": [
                            {"proposal_id": p["id"], **decision_counts(voters, rng)} for p in chosen
                        ]
                    }
                    decided = await self.call("local", "POST", f"{base}/decisions/", json=body)
                    confirmed = await self.confirm_counted(state.id, decided["polls"])
                    for proposal, closed in zip(chosen, confirmed, strict=True):
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
                counted = await self.call(
                    "local", "POST", f"/api/v1/assemblies/{state.id}/polls/{poll['id']}/close"
                )
                await self.confirm_counted(state.id, [counted])
                self.reporter.advance("priority_tally")

            await bounded(polls, close, self.concurrency)

    async def elect_delegates(self) -> None:
        """Candidates register and stand; the election's approval counts are entered."""
        async with self.phase("elections", len(self.assemblies)):
            fallback = 0
            arrived = await self._await_allocations(len(self.seats))

            async def elect(state: AssemblyState) -> None:
                nonlocal fallback
                base = f"/api/v1/assemblies/{state.id}"
                if not self.seats.get(state.id, 0):
                    self.reporter.advance("elections")
                    return  # no seat at the state conference: nobody to elect
                seats = await self._allocated_seats(base, self.seats[state.id], wait=arrived)
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
                bodies = [
                    {
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
                    for person, segment in zip(people, segments, strict=False)
                ]
                candidates: list[str] = []
                if bodies:
                    registered = await self.call(
                        "local", "POST", f"{base}/participants/bulk", json={"participants": bodies}
                    )
                    stood = await self.call(
                        "local",
                        "POST",
                        f"{base}/candidacies/bulk",
                        json={"participant_ids": [r["id"] for r in registered]},
                    )
                    candidates = [c["id"] for c in stood]
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
                counted = await self.call("local", "POST", f"{base}/polls/{poll['id']}/close")
                await self.confirm_counted(state.id, [counted])
                election = await self.call("local", "GET", f"{base}/election")
                state.mandates = list(election.get("mandates", []))
                self.reporter.advance("elections")

            await bounded(self.assemblies, elect, self.concurrency)
            if fallback:
                self.record.note(
                    f"{fallback} assemblies received no seat allocation from their state in "
                    f"{self.stall_timeout:.0f} s; their secretaries entered 4 seats"
                )

    async def _await_allocations(self, expected: int) -> bool:
        """Wait once, on the local tier's message counts, until the allocations sent to the
        assemblies have come down the bus, rather than every assembly polling its own; False
        when nothing moved for ``stall_timeout`` seconds (then nobody waits again)."""
        start = self._count(self._before.get("local", {}), "allocation")
        seen, last_change = -1, time.perf_counter()
        while True:
            now = self._count(await self.stats("local", tables=False), "allocation") - start
            if now >= expected:
                return True
            if now != seen:
                seen, last_change = now, time.perf_counter()
            elif time.perf_counter() - last_change > self.stall_timeout:
                return False
            await asyncio.sleep(0.2)

    async def _allocated_seats(self, base: str, expected: int, *, wait: bool) -> dict[str, int]:
        """Seats per segment once the state's allocation has come down the bus (or none);
        ``wait`` polls for an allocation that is still missing (normally none is)."""
        waited_until = time.perf_counter() + (self.stall_timeout if wait else 0.0)
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

            self.hold_federation()
            try:
                await bounded(self.assemblies, close_one, self.concurrency)
            finally:
                self.release_federation()
