"""Synthetic but realistic conference cycles at any scale, from a tiny test to all of Brazil.

The data generation here is pure and seeded (no I/O besides reading the packaged census table);
:mod:`shared.tools.simulation.driver` pushes a generated cycle through the real services.
"""
