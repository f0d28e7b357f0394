"""Reference data shipped with Plenária (read through importlib.resources)."""
