"""Local-tier tests reuse the federation fixtures: real PostgreSQL, real nats-server, and the
regional tier listening, so a closed assembly's report can be checked where it arrives."""

from tests.federation.conftest import federation, federation_factory  # noqa: F401
