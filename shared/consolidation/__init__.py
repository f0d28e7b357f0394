"""Consolidation use cases shared by the regional and national tiers (I/O through sessions)."""
