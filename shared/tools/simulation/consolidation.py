"""The state and national stages: credentials, merges, state reports, council answers, lineage."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from typing import Any

from shared.tools.simulation.session import COUNCIL, SimulationSession, bounded

#: Entries per bulk credentialing request, and such requests in flight at once: each is one
#: transaction of a few statements, so a couple keep the database busy without contention.
CREDENTIAL_CHUNK = 1000
CREDENTIAL_REQUESTS = 2


def chunked(
    entries: list[dict[str, Any]], size: int = CREDENTIAL_CHUNK
) -> list[list[dict[str, Any]]]:
    return [entries[i : i + size] for i in range(0, len(entries), size)]


class ConsolidationStage(SimulationSession):
    """Phases run by state conveners, the national commission and the council."""

    async def credential_state_delegates(self) -> None:
        """At each state conference's desk, every elected titular presents their mandate; the
        desk imports its check-in list in bulk, one state (in chunks) at a time per request."""
        by_uf: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for state in self.assemblies:
            by_uf[state.plan.uf].extend(
                {
                    "cycle_id": self.cycle_id,
                    "mandate_id": mandate["id"],
                    "holder": f"doc-{mandate['id']}",
                    "uf": state.plan.uf,
                }
                for mandate in state.mandates
                if mandate.get("role") == "titular"
            )
        chunks = [chunk for entries in by_uf.values() for chunk in chunked(entries)]
        async with self.phase("credentials_regional", sum(len(c) for c in chunks)):

            async def admit(chunk: list[dict[str, Any]]) -> None:
                await self.call(
                    "regional", "POST", "/api/v1/plenary/credentials/bulk", json={"entries": chunk}
                )
                self.reporter.advance("credentials_regional", len(chunk))

            await bounded(chunks, admit, CREDENTIAL_REQUESTS)

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
        entries = [
            {"cycle_id": self.cycle_id, "mandate_id": mandate_id, "holder": f"doc-{mandate_id}"}
            for mandate_id in self.record.national_mandates
        ]
        async with self.phase("credentials_national", len(entries)):

            async def admit(chunk: list[dict[str, Any]]) -> None:
                await self.call(
                    "national", "POST", "/api/v1/plenary/credentials/bulk", json={"entries": chunk}
                )
                self.reporter.advance("credentials_national", len(chunk))

            await bounded(chunked(entries), admit, CREDENTIAL_REQUESTS)

    async def consolidate_nation(self) -> None:
        """The national conference merges duplicates; its result becomes published mandates."""
        async with self.phase("consolidate_national", 2):
            began = time.perf_counter()
            scope = {"cycle_id": self.cycle_id, "uf": "BR"}
            await self.call("national", "POST", "/api/v1/consolidation/auto-merge", json=scope)
            self.reporter.advance("consolidate_national")
            await self.call(
                "national",
                "POST",
                "/api/v1/council/publish",
                json={"cycle_id": self.cycle_id, "council": COUNCIL},
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
                await self.call(
                    "national",
                    "POST",
                    f"/api/v1/council/items/{item['id']}/responses",
                    json=body,
                    ok=(201,),
                    headers=self.council_auth,
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

    async def check_equity(self) -> dict[str, Any]:
        """The published equity totals of the nation beside the sums of the states' and of the
        local participants: they must add up across tiers (``population/tier`` → total)."""

        def totals(view: dict[str, Any]) -> dict[str, int | None]:
            return {f"{t['population']}/{t['tier']}": t["total"] for t in view["tables"]}

        nation = totals(
            await self.call(
                "national", "GET", "/api/v1/equity/", params={"cycle_id": self.cycle_id}
            )
        )
        states: dict[str, int] = {}
        withheld: dict[str, int] = {}
        for uf in self.scenario.ufs:
            view = await self.call(
                "regional", "GET", "/api/v1/equity/", params={"cycle_id": self.cycle_id, "uf": uf}
            )
            for key, total in totals(view).items():
                states[key] = states.get(key, 0) + (total or 0)
                withheld[key] = withheld.get(key, 0) + (total is None)
        return {"national": nation, "states": states, "states_withheld": withheld}
