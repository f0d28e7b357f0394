"""The 27 federative units with their 2022 census populations and municipality counts.

The table ships in ``shared/core/data/br_ufs.csv`` (IBGE Censo 2022, first results; its sources are
quoted in the file's header line) and is read by :mod:`shared.core.territory`.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.core.territory import federative_units

#: State capitals (a real name makes the largest, São Paulo-scale municipality recognisable).
CAPITALS: dict[str, str] = {
    "AC": "Rio Branco", "AL": "Maceió", "AP": "Macapá", "AM": "Manaus", "BA": "Salvador",
    "CE": "Fortaleza", "DF": "Brasília", "ES": "Vitória", "GO": "Goiânia", "MA": "São Luís",
    "MT": "Cuiabá", "MS": "Campo Grande", "MG": "Belo Horizonte", "PA": "Belém",
    "PB": "João Pessoa", "PR": "Curitiba", "PE": "Recife", "PI": "Teresina", "RJ": "Rio de Janeiro",
    "RN": "Natal", "RS": "Porto Alegre", "RO": "Porto Velho", "RR": "Boa Vista",
    "SC": "Florianópolis", "SP": "São Paulo", "SE": "Aracaju", "TO": "Palmas",
}  # fmt: skip


#: Capital populations, Censo 2022 (rounded to the thousand): they anchor each state's primacy.
CAPITAL_POPULATIONS: dict[str, int] = {
    "AC": 364_000, "AL": 958_000, "AP": 442_000, "AM": 2_064_000, "BA": 2_418_000,
    "CE": 2_428_000, "DF": 2_817_068, "ES": 322_000, "GO": 1_437_000, "MA": 1_037_000,
    "MT": 650_000, "MS": 898_000, "MG": 2_316_000, "PA": 1_303_000, "PB": 833_000,
    "PR": 1_773_000, "PE": 1_488_000, "PI": 866_000, "RJ": 6_211_000, "RN": 751_000,
    "RS": 1_332_000, "RO": 460_000, "RR": 413_000, "SC": 537_000, "SP": 11_451_000,
    "SE": 602_000, "TO": 302_000,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class FederativeUnit:
    """A state or the Federal District as the 2022 census counted it."""

    uf: str
    ibge_code: int
    name: str
    region: str
    population: int
    municipalities: int

    @property
    def capital(self) -> str:
        return CAPITALS[self.uf]


def load_census() -> list[FederativeUnit]:
    """The packaged census table (read once by :mod:`shared.core.territory`)."""
    return [
        FederativeUnit(
            uf=unit.uf,
            ibge_code=int(unit.ibge_code),
            name=unit.name,
            region=unit.region,
            population=unit.population_2022,
            municipalities=unit.municipalities,
        )
        for unit in federative_units()
    ]
