"""The pages' languages: pt-BR (the source language of every string) and English, from Babel
catalogues kept as ``.po`` files beside this module (``locale/<lang>/LC_MESSAGES/messages.po``)
and compiled in memory at start, so no build step and no binary file in the repository.

A request's language is, in order: ``?lang=`` (which also sets the ``plenaria_lang`` cookie, the
language switch), the cookie, the browser's ``Accept-Language``, pt-BR. Dates and numbers are
formatted for that locale by the ``date``, ``datetime`` and ``number`` template filters.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import Environment
from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "pt-BR"
#: Languages the pages speak, by their tag (``lang`` attribute, ``?lang=``, the cookie).
LANGUAGES: dict[str, str] = {"pt-BR": "Português", "en": "English"}
COOKIE = "plenaria_lang"
ONE_YEAR_S = 365 * 24 * 3600

_current: contextvars.ContextVar[str] = contextvars.ContextVar("plenaria_lang", default=DEFAULT)


def babel_locale(tag: str) -> Locale:
    return Locale.parse(tag.replace("-", "_"))


@cache
def translations(tag: str) -> NullTranslations:
    """The compiled catalogue of ``tag`` (the source language needs none)."""
    po = LOCALE_DIR / tag.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    if tag == DEFAULT or not po.exists():
        return NullTranslations()
    with po.open("rb") as source:
        catalogue = read_po(source, locale=babel_locale(tag))
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)


def current() -> str:
    return _current.get()


@contextmanager
def speaking(tag: str) -> Iterator[None]:
    """Render in ``tag`` within the block (tools and tests; requests set it per request)."""
    token = _current.set(tag)
    try:
        yield
    finally:
        _current.reset(token)


def number(value: float | int) -> str:
    """``value`` written as the current language writes numbers (1.234,5 or 1,234.5)."""
    return format_decimal(value, locale=babel_locale(current()))


def N_(message: str) -> str:
    """Mark a string for the catalogue where it is defined; translate it where it is shown."""
    return message


def gettext(message: str, **values: Any) -> str:
    text = translations(current()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    text = translations(current()).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def install(environment: Environment) -> None:
    """The i18n callables and locale-aware filters on the pages' Jinja environment."""
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True
    )
    environment.filters["date"] = lambda value: _format(value, "date")
    environment.filters["datetime"] = lambda value: _format(value, "datetime")
    environment.filters["number"] = number
    environment.globals["languages"] = LANGUAGES
    environment.globals["current_language"] = current


def _format(value: date | datetime | None, kind: str) -> str:
    if value is None:
        return ""
    where = babel_locale(current())
    if kind == "datetime" and isinstance(value, datetime):
        return format_datetime(value, "short", locale=where)
    return format_date(value, "short", locale=where)


def chosen(query: bytes, cookie: str | None, accept: str) -> tuple[str, bool]:
    """The request's language, and whether it was asked for by ``?lang=`` (set the cookie)."""
    asked = parse_qs(query.decode("latin-1")).get("lang", [""])[0]
    if asked in LANGUAGES:
        return asked, True
    if cookie in LANGUAGES:
        return str(cookie), False
    offered = [part.split(";")[0].strip().replace("-", "_") for part in accept.split(",")]
    found = negotiate_locale(
        [o for o in offered if o], [t.replace("-", "_") for t in LANGUAGES], sep="_"
    )
    if found:
        return found.replace("_", "-"), False
    return DEFAULT, False


class LanguageMiddleware(ASGIMiddleware):
    """Sets the request's language for the templates (and the cookie when switched)."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, *, secure: bool) -> None:
        self.secure = secure
        self.should_bypass_for_scope = lambda scope: str(scope.get("path", "")).startswith(
            ("/api/", "/static/", "/health/", "/metrics", "/schema")
        )

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = dict(scope.get("headers", []))
        cookies = _cookies(headers.get(b"cookie", b"").decode("latin-1"))
        tag, switched = chosen(
            scope.get("query_string", b""),
            cookies.get(COOKIE),
            headers.get(b"accept-language", b"").decode("latin-1"),
        )
        token = _current.set(tag)
        try:
            if not switched:
                await next_app(scope, receive, send)
                return
            cookie = Cookie(
                key=COOKIE,
                value=tag,
                max_age=ONE_YEAR_S,
                samesite="lax",
                secure=self.secure,
                httponly=True,
            ).to_header(header="")

            async def send_with_cookie(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [
                        *message.get("headers", []),
                        (b"set-cookie", cookie.encode("latin-1")),
                    ]
                await send(message)

            await next_app(scope, receive, send_with_cookie)
        finally:
            _current.reset(token)


def _cookies(header: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            found[name] = value
    return found
