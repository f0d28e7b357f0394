"""Bounds every paged list endpoint shares."""

from __future__ import annotations

#: PostgreSQL takes OFFSET as a bigint; a larger one must be refused at the edge (4xx), not
#: reach the driver (which cannot encode it and fails the request with a 500).
MAX_OFFSET = 2**63 - 1
