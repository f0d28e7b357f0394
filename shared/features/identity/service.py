"""Who is asking, and how people get and lose their roles (the identity feature's use cases).

Every request's credential becomes a :class:`Principal`: the tier's operator token, an API token
of an account (its grants, or one of them), or a credential the tier itself issues to people who
hold no account — a participant's voting credential at the local tier, a delegate's at the
plenaries above (``extra`` resolvers, supplied by the tier). A grant is given by someone whose
own grant allows it (:data:`shared.core.access.ROLE_INFO`), reaching no further than theirs.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import msgspec
import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.identity import (
    AccessTokenIssued,
    AccessTokenView,
    Appointed,
    GrantView,
    HeldGrant,
    Me,
)
from shared.core.access import ROLE_INFO, Grant, Principal, Role, covers
from shared.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from shared.core.vocabulary import Tier
from shared.features.identity.model import AccessToken, Account, RoleGrant, SignInCode
from shared.platform.db.database import Database
from shared.platform.secrets import (
    code_digest,
    digest,
    hash_password,
    keyed_digest,
    new_code,
    new_token,
    password_matches,
    same,
)

log = structlog.get_logger(__name__)

#: Finds the principal behind a token digest that is not an account's (participants, delegates).
Resolver = Callable[[AsyncSession, str], Awaitable[Principal | None]]
#: The territory of an assembly held here (for roles bound to one assembly).
AssemblyTerritory = Callable[[AsyncSession, str], Awaitable[str | None]]

SIGN_IN_CODE_TTL = timedelta(days=7)
DEFAULT_TOKEN_TTL = timedelta(days=30)
MAX_TOKEN_TTL = timedelta(days=400)
OPERATOR_ID = "operator"
#: Checked against when no account matches, so an unknown e-mail costs as much as a wrong password.
DUMMY_HASH = hash_password("not anybody's password")


@dataclass(frozen=True, slots=True)
class Lockout:
    after: int = 5
    minutes: int = 15


@dataclass(frozen=True, slots=True)
class IdentityConfig:
    tier: Tier
    operator_token: str
    lockout: Lockout = Lockout()
    #: Key of the HMAC under which gov.br subjects (CPFs) are kept.
    subject_key: str = ""
    #: Principals the tier issues credentials to without an account.
    resolvers: Sequence[Resolver] = ()
    assembly_territory: AssemblyTerritory | None = None


def grant_of(row: RoleGrant) -> Grant:
    return Grant(
        role=row.role,  # type: ignore[arg-type]
        territory=row.territory,
        assembly_id=row.assembly_id,
        council=row.council,
    )


def grant_view(row: RoleGrant) -> GrantView:
    return GrantView(
        id=str(row.id),
        account_id=str(row.account_id),
        role=row.role,
        territory=row.territory,
        assembly_id=row.assembly_id,
        council=row.council,
        granted_by=row.granted_by,
        granted_at=row.created_at,
        revoked_at=row.revoked_at,
    )


def token_view(row: AccessToken) -> AccessTokenView:
    return AccessTokenView(
        id=str(row.id),
        label=row.label,
        grant_id=str(row.grant_id) if row.grant_id else None,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


OPERATOR = Principal(kind="operator", id=OPERATOR_ID, name="operator", grants=(Grant("operator"),))


class Identity:
    def __init__(self, db: Database, config: IdentityConfig) -> None:
        self.db = db
        self.config = config

    # --- authentication -------------------------------------------------------------------

    async def authenticate(self, token: str) -> Principal:
        """The principal behind a bearer token; 401 for one nobody issued, or expired, revoked."""
        if self.config.operator_token and same(token, self.config.operator_token):
            return OPERATOR
        key = digest(token)
        async with self.db.transaction() as session:
            found = await session.scalar(
                select(AccessToken).where(AccessToken.token_sha256 == key).with_for_update()
            )
            if found is not None:
                now = datetime.now(UTC)
                if found.revoked_at is not None or found.expires_at <= now:
                    raise Unauthorized("this token was revoked or has expired")
                found.last_used_at = now
                return await self._account_principal(session, found.account_id, found.grant_id)
            principal = await self._resolved(session, key)
            if principal is not None:
                return principal
        raise Unauthorized("unknown token")

    async def principal_of_credential(self, key: str) -> Principal | None:
        """The person a credential the tier issued without an account belongs to (a
        participant's voting card), from its digest — what a browser session keeps of it; None
        once revoked or replaced."""
        async with self.db.reading() as session:
            return await self._resolved(session, key)

    async def _resolved(self, session: AsyncSession, key: str) -> Principal | None:
        for resolve in self.config.resolvers:
            principal = await resolve(session, key)
            if principal is not None:
                return principal
        return None

    async def principal_of_account(
        self, account_id: uuid.UUID, *, level: str | None = None
    ) -> Principal:
        """A signed-in person (a browser session), with every grant they hold."""
        async with self.db.reading() as session:
            principal = await self._account_principal(session, account_id, None)
        if level is None:
            return principal
        return Principal(
            kind=principal.kind,
            id=principal.id,
            name=principal.name,
            grants=principal.grants,
            level=level,  # type: ignore[arg-type]
        )

    async def _account_principal(
        self, session: AsyncSession, account_id: uuid.UUID, only: uuid.UUID | None
    ) -> Principal:
        account = await session.get(Account, account_id)
        if account is None or account.disabled_at is not None:
            raise Unauthorized("this account is disabled")
        query = select(RoleGrant).where(
            RoleGrant.account_id == account_id, RoleGrant.revoked_at.is_(None)
        )
        if only is not None:
            query = query.where(RoleGrant.id == only)
        grants = tuple(grant_of(g) for g in await session.scalars(query))
        return Principal(
            kind="person", id=str(account.id), name=account.display_name, grants=grants
        )

    # --- signing in -----------------------------------------------------------------------

    async def redeem_code(self, code: str) -> uuid.UUID:
        """A one-time sign-in code, used: the account it signs in (401 if used or expired)."""
        async with self.db.transaction() as session:
            found = await session.scalar(
                select(SignInCode)
                .where(SignInCode.code_sha256 == code_digest(code))
                .with_for_update()
            )
            now = datetime.now(UTC)
            if found is None or found.used_at is not None or found.expires_at <= now:
                raise Unauthorized("this code is unknown, was used already or has expired")
            found.used_at = now
            return found.account_id

    async def sign_in_with_password(self, email: str, password: str) -> uuid.UUID:
        """The account an e-mail and password sign in; one answer for every failure (unknown
        e-mail, wrong password, locked account), and ``lockout_after`` wrong passwords in a row
        make the account wait ``lockout_minutes`` whatever is typed."""
        refused = Unauthorized(
            "wrong e-mail or password (after several wrong attempts the account waits "
            f"{self.config.lockout.minutes} minutes)"
        )
        async with self.db.transaction() as session:
            account = await session.scalar(
                select(Account).where(Account.email == email.lower()).with_for_update()
            )
            now = datetime.now(UTC)
            if account is None or account.password_hash is None:
                password_matches(DUMMY_HASH, password)  # the same work as a real check
                raise refused
            if account.locked_until is not None and account.locked_until > now:
                raise refused
            if account.disabled_at is None and password_matches(account.password_hash, password):
                account.failed_sign_ins = 0
                account.locked_until = None
                return account.id
            # A wrong password is counted (this transaction commits), then refused.
            account.failed_sign_ins += 1
            if account.failed_sign_ins >= self.config.lockout.after:
                account.locked_until = now + timedelta(minutes=self.config.lockout.minutes)
                account.failed_sign_ins = 0
                log.warning("account.locked", account=str(account.id))
        raise refused

    async def sign_in_with_provider(
        self, issuer: str, subject: str, email: str | None
    ) -> uuid.UUID:
        """The account a provider's login (gov.br) signs in: the one already linked to this
        subject, else the one a verified e-mail names, which is linked from now on. A login
        gives no role by itself: someone must have appointed the person first (403)."""
        linked = keyed_digest(self.config.subject_key, f"{issuer}|{subject}")
        async with self.db.transaction() as session:
            account = await session.scalar(select(Account).where(Account.oidc_subject == linked))
            if account is None and email:
                account = await session.scalar(
                    select(Account)
                    .where(Account.email == email.lower(), Account.oidc_subject.is_(None))
                    .with_for_update()
                )
                if account is not None:
                    account.oidc_subject = linked
                    log.info("account.linked", account=str(account.id))
            if account is None or account.disabled_at is not None:
                raise Forbidden(
                    "this gov.br account holds no role here: whoever organises your stage "
                    "must appoint you first (with the e-mail of your gov.br account)"
                )
            return account.id

    async def set_password(self, principal: Principal, password: str) -> None:
        if principal.kind != "person":
            raise Forbidden("only a person with an account has a password")
        if len(password) < 12:
            raise Invalid("choose a password of at least 12 characters")
        async with self.db.transaction() as session:
            await session.execute(
                update(Account)
                .where(Account.id == uuid.UUID(principal.id))
                .values(password_hash=hash_password(password))
            )

    async def exchange_code(self, code: str, *, label: str, days: int | None) -> AccessTokenIssued:
        """Redeem a sign-in code for an API token of its account (integrations, scripts)."""
        account_id = await self.redeem_code(code)
        async with self.db.transaction() as session:
            return await self._issue(session, account_id, None, label, days)

    # --- tokens ---------------------------------------------------------------------------

    async def issue_token(
        self, principal: Principal, *, label: str, days: int | None, grant_id: uuid.UUID | None
    ) -> AccessTokenIssued:
        account_id = self._account_of(principal)
        async with self.db.transaction() as session:
            if grant_id is not None:
                grant = await session.get(RoleGrant, grant_id)
                if grant is None or grant.account_id != account_id or grant.revoked_at:
                    raise NotFound(f"you hold no grant {grant_id}")
            return await self._issue(session, account_id, grant_id, label, days)

    async def _issue(
        self,
        session: AsyncSession,
        account_id: uuid.UUID,
        grant_id: uuid.UUID | None,
        label: str,
        days: int | None,
    ) -> AccessTokenIssued:
        ttl = DEFAULT_TOKEN_TTL if days is None else timedelta(days=days)
        if ttl > MAX_TOKEN_TTL or ttl <= timedelta(0):
            raise Invalid(f"a token lasts between 1 and {MAX_TOKEN_TTL.days} days")
        secret = new_token()
        row = AccessToken(
            token_sha256=digest(secret),
            account_id=account_id,
            grant_id=grant_id,
            label=label,
            expires_at=datetime.now(UTC) + ttl,
        )
        session.add(row)
        await session.flush()
        log.info("token.issued", account=str(account_id), token=str(row.id))
        return AccessTokenIssued(**msgspec.structs.asdict(token_view(row)), token=secret)

    async def tokens(self, principal: Principal) -> list[AccessTokenView]:
        account_id = self._account_of(principal)
        async with self.db.reading() as session:
            rows = await session.scalars(
                select(AccessToken)
                .where(AccessToken.account_id == account_id)
                .order_by(AccessToken.created_at.desc())
            )
            return [token_view(r) for r in rows]

    async def revoke_token(self, principal: Principal, token_id: uuid.UUID) -> AccessTokenView:
        account_id = self._account_of(principal)
        async with self.db.transaction() as session:
            row = await session.get(AccessToken, token_id, with_for_update=True)
            if row is None or row.account_id != account_id:
                raise NotFound(f"you hold no token {token_id}")
            row.revoked_at = row.revoked_at or datetime.now(UTC)
            await session.flush()
            return token_view(row)

    @staticmethod
    def _account_of(principal: Principal) -> uuid.UUID:
        if principal.anonymous:
            raise Unauthorized("sign in, or present a token, to do this")
        if principal.kind != "person":
            raise Forbidden("only a person with an account holds API tokens")
        return uuid.UUID(principal.id)

    # --- grants ---------------------------------------------------------------------------

    async def appoint(
        self, granter: Principal, *, name: str, email: str | None, grant: Grant
    ) -> Appointed:
        """Give a person (new, or known by e-mail) a role, within what the granter may grant;
        the answer carries a one-time sign-in code to hand over."""
        async with self.db.transaction() as session:
            return await self.appoint_in(session, granter, name=name, email=email, grant=grant)

    async def appoint_in(
        self,
        session: AsyncSession,
        granter: Principal,
        *,
        name: str,
        email: str | None,
        grant: Grant,
    ) -> Appointed:
        """:meth:`appoint` inside the caller's transaction (e.g. creating an assembly with its
        secretary)."""
        if self.config.tier not in ROLE_INFO[grant.role].tiers:
            raise Invalid(f"there is no {grant.role} at the {self.config.tier} tier")
        scope = await self._checked_scope(session, granter, grant)
        account = None
        if email:
            account = await session.scalar(
                select(Account).where(Account.email == email.lower()).with_for_update()
            )
        if account is None:
            account = Account(display_name=name, email=email.lower() if email else None)
            session.add(account)
            await session.flush()
        held = await session.scalar(
            select(RoleGrant.id).where(
                RoleGrant.account_id == account.id,
                RoleGrant.role == scope.role,
                RoleGrant.territory == scope.territory,
                RoleGrant.assembly_id == scope.assembly_id,
                RoleGrant.council == scope.council,
                RoleGrant.revoked_at.is_(None),
            )
        )
        if held is not None:
            raise Conflict("this person already holds that role", grant_id=str(held))
        row = RoleGrant(
            account_id=account.id,
            role=scope.role,
            territory=scope.territory,
            assembly_id=scope.assembly_id,
            council=scope.council,
            granted_by=granter.id,
        )
        session.add(row)
        code = new_code()
        session.add(
            SignInCode(
                code_sha256=code_digest(code),
                account_id=account.id,
                expires_at=datetime.now(UTC) + SIGN_IN_CODE_TTL,
            )
        )
        await session.flush()
        log.info(
            "role.granted",
            role=scope.role,
            territory=scope.territory,
            assembly=scope.assembly_id,
            council=scope.council,
            account=str(account.id),
            by=granter.id,
        )
        return Appointed(grant=grant_view(row), sign_in_code=code)

    async def _checked_scope(
        self, session: AsyncSession, granter: Principal, grant: Grant
    ) -> Grant:
        """The grant's full scope, refused unless the granter's own grant allows giving it."""
        allowed: tuple[Role, ...] = ROLE_INFO[grant.role].granted_by
        if not allowed:
            raise Invalid(f"the {grant.role} role is not granted: it comes with a credential")
        territory = grant.territory
        if ROLE_INFO[grant.role].scope == "assembly":
            if not grant.assembly_id or self.config.assembly_territory is None:
                raise Invalid(f"say which assembly the {grant.role} is for")
            found = await self.config.assembly_territory(session, grant.assembly_id)
            if found is None:
                raise NotFound(f"no assembly {grant.assembly_id}")
            territory = found
        if ROLE_INFO[grant.role].scope == "council" and not grant.council:
            raise Invalid("say which council the member answers for")
        if granter.kind == "operator":
            if "operator" not in allowed:
                raise Forbidden(f"the operator does not grant the {grant.role} role")
            return Grant(grant.role, territory, grant.assembly_id, grant.council)
        holding = granter.grant_for([r for r in allowed if r != "operator"], territory=territory)
        if holding is None:
            granter.require(*[r for r in allowed if r != "operator"], territory=territory)
            raise Forbidden(f"you may not grant the {grant.role} role here")
        if not covers(holding.territory, territory):
            raise Forbidden("you may grant roles only within your own territory")
        return Grant(grant.role, territory, grant.assembly_id, grant.council)

    async def revoke_grant(self, granter: Principal, grant_id: uuid.UUID) -> GrantView:
        async with self.db.transaction() as session:
            row = await session.get(RoleGrant, grant_id, with_for_update=True)
            if row is None:
                raise NotFound(f"no grant {grant_id}")
            await self._checked_scope(session, granter, grant_of(row))
            row.revoked_at = row.revoked_at or datetime.now(UTC)
            await session.flush()
            log.info("role.revoked", grant=str(grant_id), by=granter.id)
            return grant_view(row)

    async def grants_given_by_or_to(self, principal: Principal) -> list[GrantView]:
        """The grants a person holds and those they gave (to see, hand over again or revoke)."""
        if principal.kind != "person":
            raise Forbidden("only a person with an account holds grants")
        async with self.db.reading() as session:
            rows = await session.scalars(
                select(RoleGrant)
                .where(
                    (RoleGrant.account_id == uuid.UUID(principal.id))
                    | (RoleGrant.granted_by == principal.id)
                )
                .order_by(RoleGrant.created_at)
            )
            return [grant_view(r) for r in rows]

    async def me(self, principal: Principal) -> Me:
        return Me(
            kind=principal.kind,
            id=principal.id,
            name=principal.name,
            roles=sorted(principal.roles),
            level=principal.level,
            grants=[
                HeldGrant(
                    role=g.role,
                    territory=g.territory,
                    assembly_id=g.assembly_id,
                    council=g.council,
                    mandate_id=g.mandate_id,
                    title=ROLE_INFO[g.role].title_pt,
                    min_level=ROLE_INFO[g.role].min_level,
                    usable=principal.usable(g),
                )
                for g in principal.grants
            ],
        )
