"""The ``plenaria`` command (stable contract: ../docs/spec.md §7; flags may be added, never changed)."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Plenária: federated participatory public-policy conferences."""


# --- commands registered from their own modules (one block per owner) ---------------------------
# runtime: up, serve, migrate
from shared.tools.cli_runtime import register as _register_runtime  # noqa: E402

_register_runtime(main)
# decide: apportion, tally, lottery, cluster
from shared.tools.cli_decide import register as _register_decide  # noqa: E402

_register_decide(main)
# simulation: simulate, bench
from shared.tools.cli_simulation import register as _register_simulation  # noqa: E402

_register_simulation(main)
# cycle: cycle check, cycle seats
from shared.tools.cli_cycle import register as _register_cycle  # noqa: E402

_register_cycle(main)
