"""Declarative bases shared by every table (advanced-alchemy's registry and naming convention)."""

from __future__ import annotations

from advanced_alchemy.base import DefaultBase, UUIDv7AuditBase, orm_registry

metadata = orm_registry.metadata

__all__ = ["DefaultBase", "UUIDv7AuditBase", "metadata"]
