"""Participants with segments and self-declared attributes in realistic shares.

Shares follow the CNS parity rule for segments (users 50 %, workers 25 %, managers and
providers 25 %), IBGE 2022 for race/colour, and what health conferences report for gender and
age (women are a majority of participants). Names are synthetic and carry no personal data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

SEGMENTS: dict[str, float] = {"users": 0.50, "workers": 0.25, "managers": 0.25}
GENDERS: dict[str, float] = {"woman": 0.58, "man": 0.405, "non_binary": 0.01, "undeclared": 0.005}
#: IBGE Censo 2022 cor ou raça.
RACES: dict[str, float] = {
    "parda": 0.453,
    "branca": 0.435,
    "preta": 0.102,
    "indigena": 0.006,
    "amarela": 0.004,
}
AGE_BANDS: dict[str, float] = {"under_18": 0.02, "18_29": 0.17, "30_59": 0.64, "60_plus": 0.17}
DISABILITY_SHARE = 0.089  # IBGE PNAD 2022: 8.9 % of people aged 2+
LGBTQIA_SHARE = 0.06
TRADITIONAL_SHARE = 0.03

_TRADITIONAL = ("quilombola", "ribeirinha", "cigana", "caiçara", "extrativista")
_GIVEN = (
    "Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda", "Aline",
    "José", "João", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz", "Marcos",
)  # fmt: skip
_FAMILY = (
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
    "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Nascimento",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ParticipantDraft:
    """A person registering at an assembly (synthetic)."""

    public_name: str
    segment: str
    gender: str
    race_colour: str
    age_band: str
    disability: bool
    lgbtqia: bool
    traditional_people: str
    quota_groups: list[str] = field(default_factory=list)


def _pick(shares: dict[str, float], rng: random.Random) -> str:
    return rng.choices(tuple(shares), weights=tuple(shares.values()))[0]


def draft_participants(
    count: int, rng: random.Random, limit: int | None = None
) -> list[ParticipantDraft]:
    """``count`` participants (the first ``limit``); segments exact to parity, the rest drawn."""
    segments = [segment for segment, share in SEGMENTS.items() for _ in range(int(count * share))]
    while len(segments) < count:
        segments.append("users")
    rng.shuffle(segments)
    segments = segments[:limit] if limit is not None else segments
    people: list[ParticipantDraft] = []
    for segment in segments:
        race = _pick(RACES, rng)
        disability = rng.random() < DISABILITY_SHARE
        lgbtqia = rng.random() < LGBTQIA_SHARE
        traditional = rng.random() < TRADITIONAL_SHARE
        quota = [
            group
            for group, member in (
                ("black", race in {"preta", "parda"}),
                ("indigenous", race == "indigena"),
                ("disability", disability),
                ("lgbtqia", lgbtqia),
                ("traditional", traditional),
            )
            if member
        ]
        people.append(
            ParticipantDraft(
                public_name=f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)} {rng.choice(_FAMILY)}",
                segment=segment,
                gender=_pick(GENDERS, rng),
                race_colour=race,
                age_band=_pick(AGE_BANDS, rng),
                disability=disability,
                lgbtqia=lgbtqia,
                traditional_people=rng.choice(_TRADITIONAL) if traditional else "",
                quota_groups=quota,
            )
        )
    return people
