"""Self-declared participant attributes (IBGE vocabulary) and the quota groups they imply.

Only what credentialing, the composition rules and a mandate need is collected: no document
numbers, addresses or contacts.
"""

from __future__ import annotations

from typing import Final, Literal

Gender = Literal["woman", "man", "non_binary", "other", "undeclared"]
#: IBGE cor ou raça categories.
RaceColour = Literal["branca", "preta", "parda", "amarela", "indigena", "undeclared"]
AgeBand = Literal["under_18", "18_29", "30_59", "60_plus", "undeclared"]
#: The quota groups a cycle may name (``delegates.quota_groups``): what ``quota_groups_of``
#: derives from the self-declared attributes.
QUOTA_GROUPS: Final[tuple[str, ...]] = (
    "black",
    "indigenous",
    "pcd",
    "lgbtqia",
    "traditional",
    "youth",
)


def quota_groups_of(
    *,
    race_colour: str,
    age_band: str,
    disability: bool,
    lgbtqia: bool,
    traditional_people: str,
) -> list[str]:
    """Groups a cycle's quota rule may name: black (preta + parda, as IBGE's "negra"),
    indigenous, pcd, lgbtqia, traditional (povos e comunidades tradicionais), youth."""
    groups: set[str] = set()
    if race_colour in ("preta", "parda"):
        groups.add("black")
    if race_colour == "indigena" or traditional_people.strip().lower() in ("indigena", "indígena"):
        groups.add("indigenous")
    if disability:
        groups.add("pcd")
    if lgbtqia:
        groups.add("lgbtqia")
    if traditional_people.strip():
        groups.add("traditional")
    if age_band in ("under_18", "18_29"):
        groups.add("youth")
    return sorted(groups)
