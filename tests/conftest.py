"""The tests' fixtures, all from :mod:`tests.support` (no other conftest defines or re-exports any).

- ``tests/unit`` — pure rules, no servers
- ``tests/integration/<feature>`` — one tier (or just PostgreSQL/NATS) per test
- ``tests/e2e`` — across the tiers: whole cycles, crashes and restarts, fuzzing, simulation
"""

pytest_plugins = [
    "tests.support.servers",
    "tests.support.tiers",
    "tests.support.stack",
    "tests.support.fuzz",
    "tests.support.forensics",
]
