"""People who act at a tier, the roles they were granted, and the credentials they sign in with.

A token, a sign-in code or a gov.br login identifies an *account*; what the account may do comes
only from its *grants* (role + scope), each recorded with who granted it and when it was
revoked. Secrets are stored as SHA-256 digests (random 256-bit tokens) or argon2id hashes
(passwords), never in the clear.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from advanced_alchemy.extensions.litestar.session import SessionModelMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.platform.db.base import UUIDv7AuditBase


class Account(UUIDv7AuditBase):
    """A person with a staff role at this tier (secretaries, conveners, commission, council)."""

    __tablename__ = "account"

    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    #: HMAC of the gov.br subject (the CPF) once the person signed in there: the CPF itself is
    #: never stored.
    oidc_subject: Mapped[str | None] = mapped_column(String(200), unique=True)
    disabled_at: Mapped[datetime | None]
    #: Wrong passwords in a row; at ``lockout_after`` the account waits until ``locked_until``.
    failed_sign_ins: Mapped[int] = mapped_column(server_default="0", default=0)
    locked_until: Mapped[datetime | None]


class RoleGrant(UUIDv7AuditBase):
    """One role over one scope, held by one account."""

    __tablename__ = "role_grant"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    territory: Mapped[str] = mapped_column(String(16), server_default="BR")
    assembly_id: Mapped[str] = mapped_column(String(64), server_default="")
    council: Mapped[str] = mapped_column(String(300), server_default="")
    #: ``operator`` or the id of the account whose grant allowed this one.
    granted_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None]


class AccessToken(UUIDv7AuditBase):
    """An API token of an account (for integrations and scripts): listable, expiring,
    revocable; limited to one of the account's grants when ``grant_id`` is set."""

    __tablename__ = "access_token"

    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    grant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("role_grant.id"))
    label: Mapped[str] = mapped_column(String(200), server_default="")
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class SignInCode(UUIDv7AuditBase):
    """A one-time code that signs an account in once (handed over by whoever granted the
    role); short-lived, single-use, stored as a digest."""

    __tablename__ = "sign_in_code"

    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(SessionModelMixin):
    """A signed-in browser (server-side session: the cookie holds only its random id)."""

    __tablename__ = "web_session"
