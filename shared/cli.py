"""The ``plenaria`` command (stable contract: ../SPEC §7; flags may be added, never changed)."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Plenária: federated participatory public-policy conferences."""


# --- commands registered from their own modules (one block per owner) ---------------------------
# runtime: up, serve, migrate
# decide: apportion, tally, lottery, cluster
# simulation: simulate, bench
