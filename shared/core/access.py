"""Who may do what, and where (docs/spec.md §7 "Auth"): roles bound to territories.

A *grant* gives one principal one role over one scope — a territory (``BR``, a UF, a
municipality), an assembly, a council or a mandate. A *principal* is whoever is asking, with the
grants they hold. Use cases ask :meth:`Principal.require` with the target of the action (its
territory, its assembly, its council), so a secretary of one assembly cannot act on another and a
convener of SP cannot act on RJ. Pure: the grants come from the identity feature.

The operator of a tier runs its infrastructure (dead letters, keys, counts, the first grants) and
holds no conference role: it cannot vote, register people, enter counts or answer items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Literal

from shared.core.errors import Forbidden, Unauthorized
from shared.core.territory import uf_of
from shared.core.vocabulary import NATION, Tier

Role = Literal[
    "operator",
    "organiser",
    "secretary",
    "participant",
    "convener",
    "rapporteur",
    "commission",
    "delegate",
    "council",
]
ROLES: Final[tuple[Role, ...]] = (
    "operator",
    "organiser",
    "secretary",
    "participant",
    "convener",
    "rapporteur",
    "commission",
    "delegate",
    "council",
)
#: gov.br account levels ("confiabilidade"), weakest first.
TrustLevel = Literal["bronze", "prata", "ouro"]
LEVELS: Final[tuple[TrustLevel, ...]] = ("bronze", "prata", "ouro")
PrincipalKind = Literal["anonymous", "operator", "person", "participant", "delegate", "guest"]


@dataclass(frozen=True, slots=True)
class RoleInfo:
    """What a role is: where it exists, what it is bound to, who grants it, what it does."""

    tiers: tuple[Tier, ...]
    #: ``territory`` (a UF, a municipality or BR), ``assembly``, ``council`` or ``mandate``.
    scope: Literal["tier", "territory", "assembly", "council", "mandate"]
    title_pt: str
    does: str
    #: Roles that may grant it (the operator grants the first organisers, conveners, commissions).
    granted_by: tuple[Role, ...]
    #: The weakest gov.br level a person signed in through gov.br needs to act in this role.
    min_level: TrustLevel


ROLE_INFO: Final[dict[Role, RoleInfo]] = {
    "operator": RoleInfo(
        ("local", "regional", "national"), "tier", "operador(a)",
        "runs the infrastructure: dead letters, keys, counts, the first grants", (), "ouro",
    ),
    "organiser": RoleInfo(
        ("local",), "territory", "organização da etapa",
        "creates the assemblies of a territory and appoints their secretaries",
        ("operator", "organiser"), "prata",
    ),
    "secretary": RoleInfo(
        ("local",), "assembly", "secretaria da conferência",
        "runs one assembly: registration, proposals, plenary, election, report",
        ("organiser",), "prata",
    ),
    "participant": RoleInfo(
        ("local",), "assembly", "participante",
        "submits, supports, signs and votes in one assembly", (), "bronze",
    ),
    "convener": RoleInfo(
        ("regional",), "territory", "comissão organizadora estadual",
        "runs a state conference: seats, board, closing and report",
        ("operator", "convener"), "prata",
    ),
    "rapporteur": RoleInfo(
        ("regional", "national"), "territory", "relatoria",
        "merges, splits, rewrites and reclassifies items (sistematização)",
        ("convener", "commission"), "prata",
    ),
    "commission": RoleInfo(
        ("regional", "national"), "territory", "mesa / comissão",
        "presides a plenary: credentials, polls, counts, the election; nationally, the cycle",
        ("operator", "convener", "commission"), "ouro",
    ),
    "delegate": RoleInfo(
        ("regional", "national"), "mandate", "delegado(a)",
        "votes and stands at the plenary its mandate was received for", (), "bronze",
    ),
    "council": RoleInfo(
        ("national",), "council", "conselheiro(a)",
        "answers the items assigned to its council and updates their milestones",
        ("operator", "commission"), "ouro",
    ),
}  # fmt: skip


def covers(scope: str, territory: str) -> bool:
    """Whether a grant over ``scope`` (BR, a UF or a municipality) reaches ``territory``."""
    if scope in (NATION, territory):
        return True
    return len(scope) == 2 and uf_of(territory) == scope


@dataclass(frozen=True, slots=True)
class Grant:
    role: Role
    territory: str = NATION
    assembly_id: str = ""
    council: str = ""
    mandate_id: str = ""

    def reaches(
        self,
        *,
        territory: str | None = None,
        assembly_id: str | None = None,
        council: str | None = None,
        mandate_id: str | None = None,
    ) -> bool:
        """Whether this grant's scope includes the target (an unset part is not checked; a
        grant bound to one assembly, council or mandate reaches only that one)."""
        if territory is not None and not covers(self.territory, territory):
            return False
        if self.assembly_id and assembly_id is not None and self.assembly_id != assembly_id:
            return False
        if assembly_id is not None and not self.assembly_id and self.role in ASSEMBLY_BOUND:
            return False
        if council is not None and self.council != council:
            return False
        return not (mandate_id is not None and self.mandate_id != mandate_id)


#: Roles whose grants name one assembly (they never reach an assembly by territory alone).
ASSEMBLY_BOUND: Final = frozenset({"secretary", "participant"})


@dataclass(frozen=True, slots=True)
class Principal:
    """Whoever is asking, with the grants they hold (none: the public)."""

    kind: PrincipalKind = "anonymous"
    id: str = ""
    name: str = ""
    grants: tuple[Grant, ...] = ()
    #: The gov.br level of this sign-in (None: not signed in through gov.br).
    level: TrustLevel | None = None
    details: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def anonymous(self) -> bool:
        return self.kind == "anonymous"

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    def usable(self, grant: Grant) -> bool:
        """A grant counts unless the sign-in is through gov.br at a level below the role's."""
        if self.level is None:
            return True
        needed = ROLE_INFO[grant.role].min_level
        return LEVELS.index(self.level) >= LEVELS.index(needed)

    def grant_for(
        self,
        roles: Iterable[Role],
        *,
        territory: str | None = None,
        assembly_id: str | None = None,
        council: str | None = None,
        mandate_id: str | None = None,
    ) -> Grant | None:
        wanted = set(roles)
        for grant in self.grants:
            if (
                grant.role in wanted
                and self.usable(grant)
                and grant.reaches(
                    territory=territory,
                    assembly_id=assembly_id,
                    council=council,
                    mandate_id=mandate_id,
                )
            ):
                return grant
        return None

    def holds(
        self,
        *roles: Role,
        territory: str | None = None,
        assembly_id: str | None = None,
        council: str | None = None,
        mandate_id: str | None = None,
    ) -> bool:
        found = self.grant_for(
            roles,
            territory=territory,
            assembly_id=assembly_id,
            council=council,
            mandate_id=mandate_id,
        )
        return found is not None

    def require(
        self,
        *roles: Role,
        territory: str | None = None,
        assembly_id: str | None = None,
        council: str | None = None,
        mandate_id: str | None = None,
    ) -> Grant:
        """The grant that allows this action on this target: 401 for the public, 403 for a
        principal without one (a role it lacks, or another territory, assembly or council)."""
        if self.anonymous:
            raise Unauthorized("sign in, or present a token, to do this")
        target = {
            "assembly": assembly_id,
            "council": council,
            "mandate": mandate_id,
            "territory": territory,
        }
        grant = self.grant_for(
            roles,
            territory=territory,
            assembly_id=assembly_id,
            council=council,
            mandate_id=mandate_id,
        )
        if grant is not None:
            return grant
        if any(g.role in roles for g in self.grants):
            if any(g.role in roles and not self.usable(g) for g in self.grants):
                raise Forbidden(f"this needs a stronger gov.br account ({_levels(roles)})")
            what = next((k for k, v in target.items() if v), "target")
            raise Forbidden(f"your {_names(roles)} role does not reach this {what}")
        raise Forbidden(f"this needs the {_names(roles)} role")


ANONYMOUS: Final = Principal()


def _names(roles: Iterable[Role]) -> str:
    return " or ".join(roles)


def _levels(roles: Iterable[Role]) -> str:
    return ", ".join(f"{r}: {ROLE_INFO[r].min_level}" for r in roles)
