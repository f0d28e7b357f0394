"""Prometheus metrics of the bus (exposed by every service at /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

MESSAGES_APPLIED = Counter(
    "plenaria_messages_applied_total", "Messages whose effect was applied", ["kind"]
)
DUPLICATES_IGNORED = Counter(
    "plenaria_duplicates_ignored_total", "Deliveries recognised as already applied", ["kind"]
)
DEAD_LETTERS = Counter("plenaria_dead_letters_total", "Messages dead-lettered", ["reason"])
OUTBOX_PUBLISHED = Counter("plenaria_outbox_published_total", "Outbox messages published")
OUTBOX_FAILURES = Counter("plenaria_outbox_failures_total", "Relay publish attempts that failed")
BUS_CONNECTED = Gauge("plenaria_bus_connected", "1 when connected to NATS")
