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
