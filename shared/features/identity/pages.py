"""Signing in, at every tier: the pages a person uses in a browser.

``/entrar`` offers the password form, the one-time code form (a code the appointer handed
over), and gov.br when it is configured; ``/conta`` shows who you are, your roles, your API
tokens, and lets you set a password; ``/sair`` ends the session. Every form post carries the
CSRF token; sign-in posts are rate-limited per address (:func:`sign_in_rate_limit`); every
sign-in renews the session id.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
import structlog
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from shared.core.access import LEVELS, Principal
from shared.core.errors import DomainError, Unauthorized
from shared.features.identity.middleware import SESSION_ACCOUNT, SESSION_LEVEL
from shared.features.identity.oidc import RETURN_PATH, OidcClient, Pending
from shared.features.identity.service import Identity
from shared.features.identity.sessions import renew
from shared.platform.web.i18n import N_, gettext
from shared.platform.web.pages import local_path, page

log = structlog.get_logger(__name__)

SIGN_IN = "/entrar"
ACCOUNT = "/conta"
SESSION_OIDC = "oidc"
EXPIRED = "this sign-in did not start here, or it expired: start again"
COULD_NOT = N_("Não foi possível entrar: %(detail)s")
#: The posts that try a secret: rate-limited per address.
SIGN_IN_POSTS = frozenset(
    {f"{SIGN_IN}/senha", f"{SIGN_IN}/codigo", "/api/v1/identity/tokens/exchange"}
)


#: Route option of a tier's page post that tries a secret: rate-limited like the sign-in posts.
TRIES_A_SECRET = "tries_a_secret"


def sign_in_rate_limit(per_minute: int) -> RateLimitConfig:
    """At most ``per_minute`` sign-in attempts per address (passwords, codes), whatever the
    account: guessing is slow, and a locked-out account is not the only defence."""

    async def is_sign_in(request: Request[Any, Any, Any]) -> bool:
        if request.method != "POST":
            return False
        if request.url.path in SIGN_IN_POSTS:
            return True
        # A tier's own pages that try a secret (a participant's badge code) say so.
        return bool(request.route_handler.opt.get(TRIES_A_SECRET))

    return RateLimitConfig(
        rate_limit=("minute", per_minute),
        check_throttle_handler=is_sign_in,
        identifier_for_request=lambda request: f"sign-in:{get_remote_address(request)}",
    )


class PasswordForm(msgspec.Struct, kw_only=True):
    email: str = ""
    password: str = ""
    next: str = ""


class CodeForm(msgspec.Struct, kw_only=True):
    code: str = ""
    next: str = ""


class NewPasswordForm(msgspec.Struct, kw_only=True):
    password: str = ""
    confirmation: str = ""


class NewTokenForm(msgspec.Struct, kw_only=True):
    label: str = ""
    days: str = "30"


def _see_other(path: str) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER)


class SignInPages(Controller):
    include_in_schema = False

    @get(SIGN_IN)
    async def sign_in_page(
        self,
        request: Request[Any, Any, Any],
        oidc: NamedDependency[OidcClient | None],
        next_path: FromQuery[str | None] = None,
    ) -> Template:
        return self._sign_in(request, oidc, next_path=local_path(next_path, ACCOUNT))

    @post(f"{SIGN_IN}/senha", status_code=HTTP_303_SEE_OTHER)
    async def with_password(
        self,
        request: Request[Any, Any, Any],
        identity: NamedDependency[Identity],
        oidc: NamedDependency[OidcClient | None],
        data: URLEncodedBody[PasswordForm],
    ) -> Redirect | Template:
        next_path = local_path(data.next, ACCOUNT)
        try:
            account = await identity.sign_in_with_password(data.email.strip(), data.password)
        except DomainError as refused:
            return self._sign_in(
                request,
                oidc,
                next_path=next_path,
                error=refused,
                email=data.email,
                message=N_(
                    "E-mail ou senha incorretos. Depois de várias tentativas erradas "
                    "seguidas, a conta espera alguns minutos antes de aceitar outra."
                ),
            )
        renew(request, {SESSION_ACCOUNT: str(account)})
        log.info("signed_in", account=str(account), by="password")
        return _see_other(next_path)

    @post(f"{SIGN_IN}/codigo", status_code=HTTP_303_SEE_OTHER)
    async def with_code(
        self,
        request: Request[Any, Any, Any],
        identity: NamedDependency[Identity],
        oidc: NamedDependency[OidcClient | None],
        data: URLEncodedBody[CodeForm],
    ) -> Redirect | Template:
        try:
            account = await identity.redeem_code(data.code)
        except DomainError as refused:
            return self._sign_in(
                request,
                oidc,
                next_path=local_path(data.next, ACCOUNT),
                error=refused,
                message=N_(
                    "Código desconhecido, já usado ou vencido. Peça um novo a quem nomeou você."
                ),
            )
        renew(request, {SESSION_ACCOUNT: str(account)})
        log.info("signed_in", account=str(account), by="code")
        return _see_other(f"{ACCOUNT}?primeiro=1")

    @get(f"{SIGN_IN}/govbr")
    async def to_provider(
        self,
        request: Request[Any, Any, Any],
        oidc: NamedDependency[OidcClient | None],
        next_path: FromQuery[str | None] = None,
    ) -> Redirect | Template:
        if oidc is None:
            return self._unavailable(request)
        try:
            url, pending = await oidc.begin(local_path(next_path, ACCOUNT))
        except DomainError as refused:
            return self._sign_in(request, oidc, next_path=ACCOUNT, error=refused)
        request.set_session({SESSION_OIDC: msgspec.to_builtins(pending)})
        return Redirect(url, status_code=302)

    @get(RETURN_PATH)
    async def from_provider(
        self,
        request: Request[Any, Any, Any],
        identity: NamedDependency[Identity],
        oidc: NamedDependency[OidcClient | None],
        code: FromQuery[str] = "",
        returned_state: Annotated[str, QueryParameter(name="state")] = "",
        error: FromQuery[str] = "",
    ) -> Redirect | Template:
        if oidc is None:
            return self._unavailable(request)
        saved = (request.session or {}).pop(SESSION_OIDC, None)
        try:
            if error:
                raise Unauthorized(f"gov.br did not sign you in ({error})")
            if not isinstance(saved, dict):
                raise Unauthorized(EXPIRED)
            pending = msgspec.convert(saved, Pending)
            who = await oidc.finish(pending, code=code, state=returned_state)
            account = await identity.sign_in_with_provider(
                oidc.config.issuer, who.subject, who.email if who.email_verified else None
            )
        except (DomainError, msgspec.ValidationError) as refused:
            failure = refused if isinstance(refused, DomainError) else Unauthorized(EXPIRED)
            return self._sign_in(request, oidc, next_path=ACCOUNT, error=failure)
        renew(request, {SESSION_ACCOUNT: str(account), SESSION_LEVEL: who.level})
        log.info("signed_in", account=str(account), by="oidc", level=who.level)
        return _see_other(local_path(pending.next, ACCOUNT))

    @post("/sair", status_code=HTTP_303_SEE_OTHER)
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        request.clear_session()
        return _see_other(SIGN_IN)

    @get(ACCOUNT)
    async def account(
        self,
        request: Request[Any, Any, Any],
        identity: NamedDependency[Identity],
        principal: NamedDependency[Principal],
        primeiro: FromQuery[str | None] = None,
    ) -> Redirect | Template:
        if principal.kind != "person":
            return _see_other(f"{SIGN_IN}?next_path={ACCOUNT}")
        return await self._account(request, identity, principal, first=bool(primeiro))

    @post(f"{ACCOUNT}/senha", status_code=200)
    async def new_password(
        self,
        request: Request[Any, Any, Any],
        identity: NamedDependency[Identity],
        principal: NamedDependency[Principal],
        data: URLEncodedBody[NewPasswordForm],
    ) -> Redirect | Template:
        if principal.kind != "person":
            return _see_other(f"{SIGN_IN}?next_path={ACCOUNT}")
        if data.password != data.confirmation:
            return await self._account(
                request,
                identity,
                principal,
                error=gettext(N_("As duas senhas não são iguais.")),
                status=422,
            )
        try:
            await identity.set_password(principal, data.password)
        except DomainError as refused:
            return await self._account(
                request, identity, principal, error=refused.detail, status=refused.status
            )
        return await self._account(
            request, identity, principal, notice=gettext(N_("Senha definida."))
        )

    @post(f"{ACCOUNT}/tokens", status_code=201)
    async def new_token(
        self,
        request: Request[Any, Any, Any],
        identity: NamedDependency[Identity],
        principal: NamedDependency[Principal],
        data: URLEncodedBody[NewTokenForm],
    ) -> Redirect | Template:
        if principal.kind != "person":
            return _see_other(f"{SIGN_IN}?next_path={ACCOUNT}")
        try:
            days = int(data.days)
            issued = await identity.issue_token(
                principal, label=data.label.strip()[:200], days=days, grant_id=None
            )
        except (ValueError, DomainError) as refused:
            detail = (
                refused.detail
                if isinstance(refused, DomainError)
                else gettext(N_("Dias inválidos."))
            )
            return await self._account(request, identity, principal, error=detail, status=422)
        return await self._account(
            request, identity, principal, new_secret=issued.token, status=201
        )

    @post(f"{ACCOUNT}/tokens/{{token_id:uuid}}/revogar", status_code=HTTP_303_SEE_OTHER)
    async def revoke_token(
        self,
        identity: NamedDependency[Identity],
        principal: NamedDependency[Principal],
        token_id: FromPath[uuid.UUID],
    ) -> Redirect:
        if principal.kind != "person":
            return _see_other(f"{SIGN_IN}?next_path={ACCOUNT}")
        await identity.revoke_token(principal, token_id)
        return _see_other(ACCOUNT)

    # --- rendering ------------------------------------------------------------------------

    @staticmethod
    def _sign_in(
        request: Request[Any, Any, Any],
        oidc: OidcClient | None,
        *,
        next_path: str,
        error: DomainError | None = None,
        email: str = "",
        message: str = "",
    ) -> Template:
        return page(
            request,
            "identity/sign_in.html",
            here=SIGN_IN,
            title=N_("Entrar"),
            status_code=error.status if error else 200,
            error=(
                (gettext(message) if message else gettext(COULD_NOT, detail=error.detail))
                if error
                else ""
            ),
            next_path=next_path,
            email=email,
            govbr=oidc is not None,
        )

    @staticmethod
    def _unavailable(request: Request[Any, Any, Any]) -> Template:
        return page(
            request,
            "error.html",
            title=N_("Entrar com gov.br"),
            status_code=404,
            detail=gettext(N_("A entrada com gov.br não está configurada nesta etapa.")),
        )

    @staticmethod
    async def _account(
        request: Request[Any, Any, Any],
        identity: Identity,
        principal: Principal,
        *,
        first: bool = False,
        error: str = "",
        notice: str = "",
        new_secret: str = "",
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "identity/account.html",
            here=ACCOUNT,
            title=N_("Sua conta"),
            status_code=status,
            me=await identity.me(principal),
            tokens=await identity.tokens(principal),
            first=first,
            error=error,
            notice=notice,
            new_secret=new_secret,
            levels=LEVELS,
        )
