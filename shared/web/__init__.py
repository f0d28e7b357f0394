"""Plenária."""
