"""A health cycle whose assemblies debate each axis in two working groups of 2 users, 1 worker
and 1 manager (small enough for the eight test participants to fill them)."""

from __future__ import annotations

from shared.core.cycle import preset_text

WORKING_GROUP_CYCLE = "cns-gt-2027"
#: A real conference writes e.g. ``users = 4, workers = 4, managers = 2``.
WORKING_GROUPS = """
[working_groups]
per_axis = 2
per_segment = { users = 2, workers = 1, managers = 1 }
"""


def working_group_cycle() -> str:
    text = preset_text("health").replace(
        'cycle_id = "cns-2027"', f'cycle_id = "{WORKING_GROUP_CYCLE}"'
    )
    head, _, rest = text.partition("\n[[axes]]")
    return f"{head}\n{WORKING_GROUPS}\n[[axes]]{rest}"
