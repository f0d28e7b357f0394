"""HTTP contract of identity: who am I, API tokens, appointing people to roles, signing in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from shared.core.access import Role

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Email = Annotated[str, msgspec.Meta(pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$")]
Label = Annotated[str, msgspec.Meta(max_length=200)]
Code = Annotated[str, msgspec.Meta(min_length=4, max_length=40)]


class HeldGrant(msgspec.Struct, kw_only=True):
    role: str
    #: The role as the conferences name it (pt-BR).
    title: str = ""
    territory: str
    assembly_id: str = ""
    council: str = ""
    mandate_id: str = ""
    #: The weakest gov.br level the role needs when the sign-in is through gov.br.
    min_level: str = "bronze"
    #: False when this sign-in's gov.br level is below ``min_level`` (the role does not count).
    usable: bool = True


class Me(msgspec.Struct, kw_only=True):
    """Who the request is from, and what it may do."""

    kind: str
    id: str
    name: str
    roles: list[str]
    level: str | None
    grants: list[HeldGrant]


class GrantView(msgspec.Struct, kw_only=True):
    id: str
    account_id: str
    role: str
    territory: str
    assembly_id: str
    council: str
    granted_by: str
    granted_at: datetime | None
    revoked_at: datetime | None


class Appoint(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Give a person a role: within a territory, for one assembly, or for one council."""

    name: Name
    email: Email | None = None
    role: Role
    territory: Annotated[str, msgspec.Meta(pattern=r"^(BR|[A-Z]{2}|\d{7})$")] = "BR"
    assembly_id: Annotated[str, msgspec.Meta(max_length=64)] = ""
    council: Annotated[str, msgspec.Meta(max_length=300)] = ""


class Appointed(msgspec.Struct, kw_only=True):
    grant: GrantView
    #: A one-time code for the appointed person to sign in with (in this answer only).
    sign_in_code: str


class NewToken(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    label: Label = ""
    days: Annotated[int, msgspec.Meta(ge=1, le=400)] | None = None
    #: Limit the token to one of your grants.
    grant_id: str | None = None


class CodeExchange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A one-time sign-in code, redeemed for an API token (integrations, scripts)."""

    code: Code
    label: Label = ""
    days: Annotated[int, msgspec.Meta(ge=1, le=400)] | None = None


class AccessTokenView(msgspec.Struct, kw_only=True):
    id: str
    label: str
    grant_id: str | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class AccessTokenIssued(AccessTokenView, kw_only=True):
    #: The bearer token: in this answer only.
    token: str


class NewPassword(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    password: Annotated[str, msgspec.Meta(min_length=12, max_length=200)]
