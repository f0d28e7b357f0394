"""Who may send what, for which territory, on which subject: the sender-authority policy.

A signature proves *who* signed a message; this module says whether that signer may say it. Every
message kind lists the signer roles that may send it, the subject it travels on and the shape of
the territory it is for (:data:`POLICY`). The receiver checks a verified envelope against it (and
the body's own territory fields against the envelope's) before any handler runs; a violation is a
:class:`~shared.contracts.envelope.MessageError` whose reason is one of

* ``subject-mismatch``: the subject inside the signed envelope is not the delivery subject, or is
  not a subject the kind travels on;
* ``territory-mismatch``: the signed territory is not the subject's, or the body names another;
* ``unauthorised-sender``: this signer's role or territories do not allow this kind here;
* ``wrong-signer``: an assembly's key signed for another assembly.

Signers and their scopes:

=============  =====================================================  ======================
role           who holds the key                                      territories
=============  =====================================================  ======================
``national``   the national instance (operator's trusted-keys file)   ``BR``
``regional``   a regional instance, for the UFs it serves (file)      its UFs (or ``BR``)
``local``      a local instance (file)                                its UFs/municipalities
``assembly``   one assembly's key, introduced by its local instance   its municipality
=============  =====================================================  ======================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final, Literal, get_args

import msgspec

from shared.contracts.envelope import Envelope, MessageError
from shared.contracts.messages import (
    AssemblyReport,
    CouncilResponse,
    CycleAnnouncement,
    KeyIntroduction,
    KeyRevocation,
    SeatAllocation,
)
from shared.contracts.subjects import direct_subject, down_subject, up_subject
from shared.core.territory import is_municipality, is_uf, uf_of
from shared.core.vocabulary import NATION, Tier

SignerRole = Literal["national", "regional", "local", "assembly"]
SIGNER_ROLES: Final[tuple[SignerRole, ...]] = get_args(SignerRole)
#: What a territory must look like for a permission: the nation, one UF, or one municipality.
TerritoryShape = Literal["nation", "state", "municipality"]

#: The roles that hold instance keys (only ever from the operator's trusted-keys file).
INSTANCE_ROLES: Final[frozenset[SignerRole]] = frozenset({"national", "regional", "local"})
#: The roles an instance may introduce keys for over the bus, by the introducer's role.
DELEGABLE: Final[dict[SignerRole, frozenset[SignerRole]]] = {
    "local": frozenset({"assembly"}),
}


class Scope(msgspec.Struct, frozen=True, kw_only=True):
    """What one key may sign for: its role, its territories (``BR`` for everywhere), and for an
    assembly's key, its assembly."""

    key_id: str
    role: SignerRole
    territories: frozenset[str] = frozenset({NATION})
    assembly_id: str = ""

    def describe(self) -> str:
        places = ",".join(sorted(self.territories)) or "nowhere"
        return f"{self.key_id} ({self.role} for {places})"


def covers(territories: Iterable[str], territory: str) -> bool:
    """Whether ``territory`` lies within one of ``territories`` (``BR`` covers everything, a UF
    its municipalities)."""
    places = set(territories)
    return NATION in places or territory in places or (uf_of(territory) or "") in places


def reaches(territories: Iterable[str], territory: str) -> bool:
    """Whether ``territory`` lies within ``territories`` or contains one of them (an
    assembly's municipality reaches its UF's subject)."""
    places = set(territories)
    return covers(places, territory) or any(covers({territory}, place) for place in places)


def has_shape(territory: str, shape: TerritoryShape) -> bool:
    if shape == "nation":
        return territory == NATION
    if shape == "state":
        return is_uf(territory)
    return is_municipality(territory)


@dataclass(frozen=True, slots=True)
class Permission:
    """``signer`` may send ``kind`` on ``subject`` (``{territory}`` filled in) for a territory
    of ``shape`` within its scope (``reach``: or containing its scope)."""

    kind: str
    signer: SignerRole
    subject: str
    shape: TerritoryShape
    reach: bool = False

    def subject_for(self, territory: str) -> str:
        return self.subject.format(territory=territory)

    def allows(self, scope: Scope, territory: str) -> bool:
        if scope.role != self.signer or not has_shape(territory, self.shape):
            return False
        check = reaches if self.reach else covers
        return check(scope.territories, territory)


def _up(from_tier: Tier, kind: str) -> str:
    return up_subject(from_tier, kind, "{territory}")


def _direct(kind: str) -> str:
    return direct_subject(kind, "{territory}")


def _down(kind: str) -> str:
    return down_subject(kind, "{territory}")


#: The whole policy: every (kind, signer role, subject, territory) that may be sent.
POLICY: Final[tuple[Permission, ...]] = (
    # An assembly reports for its own municipality, on its UF's subject.
    Permission("report", "assembly", _up("local", "report"), "state", reach=True),
    # An assembly of a kind the cycle routes straight to the national stage (a free national
    # conference) reports on the direct subject; the national tier's ingest refuses one whose
    # kind the cycle does not route there (``unrouted-report``), the state's one that it does.
    Permission("report", "assembly", _direct("report"), "state", reach=True),
    # A state conference reports for a UF its regional instance serves; the national one for BR.
    Permission("report", "regional", _up("regional", "report"), "state"),
    Permission("report", "national", _up("national", "report"), "nation"),
    # A local instance vouches for (and withdraws) its assemblies' keys, per UF.
    Permission("key.introduced", "local", _up("local", "key.introduced"), "state", reach=True),
    Permission("key.revoked", "local", _up("local", "key.revoked"), "state", reach=True),
    Permission("key.introduced", "local", _direct("key.introduced"), "state", reach=True),
    Permission("key.revoked", "local", _direct("key.revoked"), "state", reach=True),
    # Only the national tier announces cycles and answers for the council, for everyone.
    Permission("cycle", "national", _down("cycle"), "nation"),
    Permission("response", "national", _down("response"), "nation"),
    # Seats: the national tier to each state; a regional instance to its UF's municipalities
    # and assemblies.
    Permission("allocation", "national", _down("allocation"), "state"),
    Permission("allocation", "regional", _down("allocation"), "municipality"),
)

KINDS: Final[frozenset[str]] = frozenset(p.kind for p in POLICY)


def territory_of_subject(subject: str) -> str:
    """The territory a subject is for: its last token."""
    return subject.rsplit(".", 1)[-1]


def permitted(kind: str, scope: Scope, subject: str, territory: str) -> bool:
    """Whether the policy lets ``scope`` send ``kind`` on ``subject`` for ``territory``."""
    return any(
        p.kind == kind and p.subject_for(territory) == subject and p.allows(scope, territory)
        for p in POLICY
    )


def refused(kind: str, scope: Scope, territory: str, why: str = "") -> MessageError:
    detail = f"{kind} signed by {scope.describe()} for {territory}"
    return MessageError("unauthorised-sender", f"{detail}: {why}" if why else detail)


def check_envelope(envelope: Envelope, scope: Scope, delivered_on: str) -> None:
    """Refuse an envelope whose signed subject or territory disagree with the delivery, or
    whose signer may not send its kind there."""
    kind, territory = envelope.kind, envelope.territory
    if envelope.subject != delivered_on:
        raise MessageError(
            "subject-mismatch",
            f"{kind} from {envelope.sender} signed for {envelope.subject}, delivered on "
            f"{delivered_on}",
        )
    if territory_of_subject(delivered_on) != territory:
        raise MessageError(
            "territory-mismatch",
            f"{kind} from {envelope.sender} signed for territory {territory} on {delivered_on}",
        )
    routes = [p for p in POLICY if p.kind == kind]
    if not any(p.subject_for(territory) == delivered_on for p in routes):
        raise MessageError(
            "subject-mismatch", f"{kind} does not travel on {delivered_on} (from {scope.key_id})"
        )
    if not permitted(kind, scope, delivered_on, territory):
        raise refused(kind, scope, territory)


def _report(body: AssemblyReport, scope: Scope, territory: str) -> None:
    if body.uf != territory or not covers({territory}, body.territory):
        raise MessageError(
            "territory-mismatch",
            f"report of {body.territory}/{body.uf} signed by {scope.key_id} for {territory}",
        )
    outside = [code for code in body.covers if not covers({territory}, code)]
    if outside:
        raise MessageError(
            "territory-mismatch",
            f"report of {body.territory} covers {', '.join(outside)}, outside {territory}",
        )
    if scope.role == "assembly":
        if scope.assembly_id and body.assembly_id != scope.assembly_id:
            raise MessageError(
                "wrong-signer",
                f"key {scope.key_id} belongs to assembly {scope.assembly_id}, "
                f"not {body.assembly_id}",
            )
        if not covers(scope.territories, body.territory):
            raise refused("report", scope, body.territory, "outside the key's territory")


def _allocation(body: SeatAllocation, scope: Scope, territory: str) -> None:
    if body.territory != territory or (body.uf and body.uf != uf_of(territory)):
        raise MessageError(
            "territory-mismatch",
            f"allocation for {body.territory}/{body.uf} signed by {scope.key_id} for {territory}",
        )
    if body.assembly_id and scope.role != "regional":
        raise refused(
            "allocation", scope, territory, "only a regional instance allocates to an assembly"
        )


def _introduction(body: KeyIntroduction, scope: Scope, territory: str) -> None:
    if not covers({territory}, body.territory):
        raise MessageError(
            "territory-mismatch",
            f"key {body.key_id} for {body.territory or 'no territory'} introduced for {territory}",
        )
    if not body.key_id.startswith(f"{scope.key_id}/"):
        raise refused("key.introduced", scope, territory, f"{body.key_id} is outside its namespace")
    if not covers(scope.territories, body.territory):
        raise refused(
            "key.introduced", scope, body.territory, "the key's territory is outside its own"
        )


def _revocation(body: KeyRevocation, scope: Scope, territory: str) -> None:
    if not body.key_id.startswith(f"{scope.key_id}/"):
        raise refused("key.revoked", scope, territory, f"{body.key_id} is outside its namespace")


def _national(body: CycleAnnouncement | CouncilResponse, scope: Scope, territory: str) -> None:
    return None


BodyCheck = Callable[[msgspec.Struct, Scope, str], None]
#: Per body type: the body's own territory fields agree with the signed territory and scope.
BODY_CHECKS: Final[dict[type[msgspec.Struct], BodyCheck]] = {
    AssemblyReport: _report,  # type: ignore[dict-item]
    SeatAllocation: _allocation,  # type: ignore[dict-item]
    KeyIntroduction: _introduction,  # type: ignore[dict-item]
    KeyRevocation: _revocation,  # type: ignore[dict-item]
    CycleAnnouncement: _national,  # type: ignore[dict-item]
    CouncilResponse: _national,  # type: ignore[dict-item]
}


def check_body(envelope: Envelope, body: msgspec.Struct, scope: Scope) -> None:
    """Refuse a body whose territory (or assembly, or key namespace) disagrees with the signed
    envelope or lies outside the signer's scope."""
    check = BODY_CHECKS.get(type(body))
    if check is None:
        raise refused(envelope.kind, scope, envelope.territory, "no policy for this body")
    check(body, scope, envelope.territory)


def instance_role(key_id: str, tier: str = "") -> SignerRole:
    """The role of an instance key: its declared tier, else the tier its id names
    (``regional`` or ``regional-sp``)."""
    for candidate in (tier, key_id.split("-", 1)[0], key_id.split("_", 1)[0]):
        if candidate in INSTANCE_ROLES:
            return candidate
    raise ValueError(f"cannot tell the tier of instance {key_id!r}: give its 'tier'")
