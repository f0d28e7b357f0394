"""Fixtures and helpers shared by the tests; nothing here is a test module.

Fixtures reach the tests through ``pytest_plugins`` in ``tests/conftest.py``; helpers are imported
from ``tests.support.<module>``. Test modules never import one another.

- :mod:`.servers` — the session's real PostgreSQL and nats-server (fixtures)
- :mod:`.tiers` — tier apps in-process: one tier alone, all three, or three per module
  (fixtures)
- :mod:`.stack` — the three tiers as real processes under the `plenaria up` supervisor (fixture)
- :mod:`.fuzz` — each tier's app for schemathesis (fixtures)
- :mod:`.polling`, :mod:`.api`, :mod:`.bus` — waiting, HTTP and JetStream/outbox helpers
- :mod:`.assemblies` — drivers of the local tier's HTTP API (an assembly from draft to closed)
- :mod:`.reports` — assemblies that report straight onto the bus, without the local tier
- :mod:`.state_plenary` — a state plenary at the regional tier, seats from above
- :mod:`.national_cycle` — the stages of a whole cycle across the three tiers
- :mod:`.paths` — the repository and its test data
- :mod:`.stubs` — `plenaria up` wired to stub services (also run as scripts)
"""
