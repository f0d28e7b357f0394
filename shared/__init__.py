"""Tier-agnostic core of Plenária: domain, decision algorithms, messages, bus, persistence, web."""
