"""Persistence: one metadata for every tier's database, engines, and Alembic migrations."""
