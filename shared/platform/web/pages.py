"""Server-rendered pages: one Jinja environment per tier, CSRF on every form, and the page
helpers features use (a redirect that stays on this site, the signed-in principal).

Templates are looked up in each feature's template folder, then here (``base.html`` and the
error page). Strings are marked for translation (``{{ _("…") }}``, jinja2's i18n extension);
the source language is pt-BR, the language of the people who run the conferences, and the
catalogues of other languages come from Babel (:mod:`shared.platform.web.i18n`).

The HTTP API (``/api/…``) takes bearer tokens only and is outside both the browser session and
CSRF: a browser's cookie can never authorise an API call, so a forged cross-site request has
nothing to ride on; the pages take the session and every unsafe request there needs the CSRF
token (double-submit cookie, checked by Litestar's ``CSRFMiddleware``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from litestar import Request, get
from litestar.config.csrf import CSRFConfig
from litestar.params import FromQuery
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from litestar.template.config import TemplateConfig

from shared.core.access import Principal
from shared.core.errors import DomainError
from shared.core.vocabulary import Tier
from shared.platform.secrets import derived_secret
from shared.platform.settings import Settings
from shared.platform.web import i18n
from shared.platform.web.auth import principal_of

TEMPLATES = Path(__file__).parent / "templates"
#: How the pages name each tier (msgids in pt-BR, translated like every other string).
TIER_NAMES: dict[Tier, str] = {
    "local": i18n.N_("Etapa municipal e local"),
    "regional": i18n.N_("Etapa estadual"),
    "national": i18n.N_("Etapa nacional"),
}
#: Paths outside CSRF (and outside the browser session): the bearer API, the explorer, probes.
NOT_PAGES = ["^/api/", "^/schema", "^/health/", "^/metrics", "^/static/"]
CSRF_COOKIE = "plenaria_csrf"
#: The high-contrast preference (``1``), set by ``/contraste`` and kept for a year.
CONTRAST_COOKIE = "plenaria_contraste"
CSRF_HEADER = "x-csrftoken"


def template_config(directories: Sequence[Path]) -> TemplateConfig[JinjaTemplateEngine]:
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader([*directories, TEMPLATES])]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(environment)
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def csrf_config(settings: Settings, seed: str) -> CSRFConfig:
    return CSRFConfig(
        secret=settings.web_secret or derived_secret(seed, "csrf"),
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=settings.secure_cookies,
        cookie_httponly=False,  # HTMX reads it to send the header
        cookie_samesite="lax",
        exclude=NOT_PAGES,
    )


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def page(
    request: Request[Any, Any, Any],
    name: str,
    *,
    title: str,
    status_code: int = 200,
    here: str | None = None,
    **context: Any,
) -> Template:
    """A page of this tier: ``name`` rendered with the signed-in principal and the tier's
    title beside ``context`` (``title`` is a catalogue string, marked with ``N_``). ``here``
    is the page's own address for links such as the language switch (default: the request's
    path; a page rendered as the answer to a form post names the page it belongs to)."""
    return Template(
        template_name=name,
        context={
            "title": i18n.gettext(title),
            "principal": principal_of(request),
            "tier_title": i18n.gettext(request.app.state.tier_title),
            "here": here or request.url.path,
            **context,
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


def see_other(path: str) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER)


def sign_in_first(request: Request[Any, Any, Any], principal: Principal) -> Redirect | None:
    """A redirect to the sign-in page (coming back here) when nobody is signed in."""
    if principal.kind != "person":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return see_other(f"/entrar?{urlencode({'next_path': target})}")
    return None


def refused(request: Request[Any, Any, Any], error: DomainError) -> Template:
    """A use case's refusal as a page, with its status (403, 404, 409, 422…)."""
    return page(
        request,
        "error.html",
        title=i18n.N_("Não foi possível"),
        status_code=error.status,
        detail=error.detail,
    )


@get("/", include_in_schema=False, sync_to_thread=False)
def home(request: Request[Any, Any, Any]) -> Template:
    """The tier's front page: where to sign in, the open data, the API."""
    return page(
        request,
        "home.html",
        title=request.app.state.tier_title,
        front_links=request.app.state.front_links,
    )


@get("/acessibilidade", include_in_schema=False, sync_to_thread=False)
def accessibility(request: Request[Any, Any, Any]) -> Template:
    """eMAG's "Acessibilidade" page: what the pages do for access, and their shortcuts."""
    return page(request, "accessibility.html", title=i18n.N_("Acessibilidade"))


@get("/contraste", include_in_schema=False, sync_to_thread=False)
def contrast(request: Request[Any, Any, Any], voltar: FromQuery[str] = "/") -> Redirect:
    """Switch high contrast on or off (a link: works without JavaScript) and go back."""
    on = request.cookies.get(CONTRAST_COOKIE) != "1"
    response = see_other(local_path(voltar))
    response.set_cookie(
        CONTRAST_COOKIE,
        "1" if on else "0",
        max_age=365 * 24 * 3600,
        samesite="lax",
        httponly=True,
        secure=request.app.state.settings.secure_cookies,
    )
    return response
