"""Plenary persistence and use cases shared by every tier's assembly (polls with secret ballots,
motions, delegate election). Everything is keyed by an ``assembly_id`` string so a local
assembly, a state conference and the national conference reuse the same code."""
