"""The summary contract is built from the tiers' stats deltas (pure)."""

from __future__ import annotations

from shared.tools.simulation.ballots import approval_counts, decision_counts, priority_ballots
from shared.tools.simulation.summary import build_summary, stats_delta

BEFORE = {"tables": {"assembly": 2, "received_report": 1}, "inbox": {"report": {"applied": 1}}}
AFTER = {
    "tables": {"assembly": 5, "received_report": 4, "credential": 7},
    "inbox": {"report": {"applied": 4, "duplicates": 1}},
    "outbox": {"report": {"sent": 2, "unsent": 0}, "response": {"sent": 3}},
    "dead_letters": {"total": 1, "by_kind": {"report": 1}},
    "conferences": {"states": 2, "cycles": 1},
    "items_reported": 6,
    "items_published": 3,
    "ballots": {"priority": 40, "decision": 9},
}


def test_delta_subtracts_what_was_there_before() -> None:
    delta = stats_delta(AFTER, BEFORE)
    assert delta["tables"] == {"assembly": 3, "received_report": 3, "credential": 7}
    assert delta["inbox"]["report"] == {"applied": 3, "duplicates": 1}


def test_summary_has_the_contract_keys() -> None:
    stats = {tier: AFTER for tier in ("local", "regional", "national")}
    summary = build_summary(
        scale="tiny",
        seed=1,
        stats=stats,
        lineage={"national_items": 3, "complete": 3},
        seconds={"total": 1.0},
        notes=[],
    )
    assert set(summary) >= {
        "scale",
        "seed",
        "tiers",
        "responses_attached_local",
        "lineage",
        "seconds",
    }
    local = summary["tiers"]["local"]
    assert set(local) == {"assemblies", "participants", "proposals", "ballots", "reports_sent"}
    assert local["ballots"] == 40
    regional, national = summary["tiers"]["regional"], summary["tiers"]["national"]
    keys = {
        "assemblies",
        "reports_received",
        "reports_applied",
        "duplicates_ignored",
        "dead_letters",
        "items",
        "approved",
        "delegates_credentialed",
        "reports_sent",
    }
    assert set(regional) == keys and set(national) == keys | {"responses_sent"}
    assert regional["reports_received"] == 4 + 1 + 1  # applied, duplicates, refused
    assert regional["assemblies"] == 2 and national["assemblies"] == 1
    assert regional["approved"] == 6 and national["approved"] == 3
    assert national["responses_sent"] == 3


def test_votes_are_well_formed() -> None:
    import random

    rng = random.Random(4)
    counts = decision_counts(100, rng)
    assert sum(counts.values()) == 100
    ballots = priority_ballots(["a", "b", "c"], [5.0, 1.0, 1.0], 50, rng)
    assert len(ballots) == 50 and all(len(set(b)) == len(b) for b in ballots)
    entries = approval_counts(["x", "y", "z", "w"], 2, 30, rng)
    assert all(len(group) == 2 for group, _ in entries)
