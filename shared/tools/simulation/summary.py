"""The ``--json`` summary of `plenaria simulate` (a contract: keys may be added, never renamed).

Every count comes from the services' own ``/api/v1/stats`` (taken before and after the run, so a
simulation against long-running services reports only its own cycle).
"""

from __future__ import annotations

from typing import Any


def stats_delta(after: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    """``after − before`` for every numeric leaf (missing in ``before`` counts as 0)."""
    if before is None:
        return after
    delta: dict[str, Any] = {}
    for key, value in after.items():
        prior = before.get(key)
        if isinstance(value, dict):
            delta[key] = stats_delta(value, prior if isinstance(prior, dict) else {})
        elif isinstance(value, int) and not isinstance(value, bool):
            delta[key] = value - (prior if isinstance(prior, int) else 0)
        else:
            delta[key] = value
    return delta


def _get(stats: dict[str, Any], *path: str) -> int:
    node: Any = stats
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return 0
        node = node[key]
    return int(node) if isinstance(node, int) else 0


def local_counts(stats: dict[str, Any]) -> dict[str, int]:
    return {
        "assemblies": _get(stats, "tables", "assembly"),
        "participants": _get(stats, "tables", "participant"),
        "proposals": _get(stats, "tables", "proposal"),
        "ballots": _get(stats, "ballots", "priority"),
        "reports_sent": _get(stats, "outbox", "report", "sent"),
    }


def consolidation_counts(stats: dict[str, Any], conferences: str, approved: str) -> dict[str, int]:
    """Counts of a regional (one conference per state) or national tier (one per cycle).

    A state conference approves the items it reports up; the national one, the items it
    publishes as consolidated mandates.
    """
    applied = _get(stats, "inbox", "report", "applied")
    duplicates = _get(stats, "inbox", "report", "duplicates")
    refused = _get(stats, "dead_letters", "by_kind", "report")
    return {
        "assemblies": _get(stats, "conferences", conferences),
        "reports_received": applied + duplicates + refused,
        "reports_applied": _get(stats, "tables", "received_report"),
        "duplicates_ignored": duplicates,
        "dead_letters": _get(stats, "dead_letters", "total"),
        "items": _get(stats, "tables", "consolidated_item"),
        "approved": _get(stats, approved),
        "delegates_credentialed": _get(stats, "tables", "credential"),
        "reports_sent": _get(stats, "outbox", "report", "sent"),
    }


def build_summary(
    *,
    scale: str,
    seed: int,
    stats: dict[str, dict[str, Any]],
    lineage: dict[str, int],
    seconds: dict[str, float],
    notes: list[str],
) -> dict[str, Any]:
    """The contract object from each tier's stats delta, the lineage check and phase times."""
    national = consolidation_counts(stats["national"], "cycles", "items_published")
    national["responses_sent"] = _get(stats["national"], "outbox", "response", "sent")
    return {
        "scale": scale,
        "seed": seed,
        "tiers": {
            "local": local_counts(stats["local"]),
            "regional": consolidation_counts(stats["regional"], "states", "items_reported"),
            "national": national,
        },
        "responses_attached_local": _get(stats["local"], "tables", "response_attachment"),
        "ballots_by_kind": dict(stats["local"].get("ballots", {})),
        "lineage": lineage,
        "seconds": {key: round(value, 3) for key, value in seconds.items()},
        "notes": notes,
    }
