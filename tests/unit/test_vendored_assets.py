"""No request leaves the service: every stylesheet it serves loads only files it serves itself,
the pages link only to those, and each vendored file is the one its ``VENDORED.md`` records
(package, version, sha256), so a hand edit or a half-done refresh fails here."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "shared/platform/web/static"
VENDOR = STATIC / "vendor"
STYLESHEETS = sorted(STATIC.rglob("*.css"))
TEMPLATES = sorted(
    p for folder in ("shared", "services") for p in (ROOT / folder).rglob("templates/**/*.html")
)
#: A url() with its target quoted or not (quotes may hold escaped quotes, as in inline SVG).
URL = re.compile(r"""url\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^)\s]*))\s*\)""")
IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""")
COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
OFFSITE = re.compile(r"https?://|(?<![\w:])//[\w.-]+\.\w", re.IGNORECASE)
LOADS = re.compile(r"""<(?:link|script|img|source|iframe)\b[^>]*?\b(?:href|src)=["']([^"']+)["']""")


def targets(css: str) -> list[str]:
    """Every file a stylesheet asks the browser to fetch (``url()`` and ``@import``)."""
    found = [next(g for g in m.groups() if g is not None) for m in URL.finditer(css)]
    return found + [m.group(1) or m.group(2) for m in IMPORT.finditer(css)]


def without_comments_and_data(css: str) -> str:
    """The stylesheet less its comments (licence headers name their sites) and less inline
    ``data:`` resources (an inline SVG names its XML namespace with an http URL)."""
    css = COMMENT.sub("", css)
    return URL.sub(
        lambda m: "" if next(g for g in m.groups() if g is not None).startswith("data:") else m[0],
        css,
    )


def test_the_scanner_finds_what_it_must() -> None:
    # The scanner itself: it would catch each way a stylesheet can reach off the machine.
    for bad in (
        "@import url(https://fonts.googleapis.com/css?family=Raleway);",
        "@import 'https://cdn.example.org/all.css';",
        "a{background:url(//cdn.example.org/x.png)}",
        '@font-face{src:url("http://cdn.example.org/f.woff2")}',
    ):
        assert OFFSITE.search(without_comments_and_data(bad)), bad
    fine = '/*! https://fontawesome.com */a{b:url("data:image/svg+xml,<svg xmlns=\\"http://www.w3.org/2000/svg\\"/>")}'
    assert not OFFSITE.search(without_comments_and_data(fine))
    assert targets("a{src:url(./x.woff2) format('woff2'),url('y.woff')}") == ["./x.woff2", "y.woff"]


def test_there_are_stylesheets_to_scan() -> None:
    names = {p.relative_to(STATIC).as_posix() for p in STYLESHEETS}
    assert {
        "css/plenaria.css",
        "vendor/govbr-ds/govbr-ds.min.css",
        "vendor/raleway/raleway.css",
        "vendor/fontawesome/css/solid.min.css",
    } <= names


@pytest.mark.parametrize("sheet", STYLESHEETS, ids=lambda p: p.relative_to(STATIC).as_posix())
def test_a_stylesheet_loads_nothing_from_off_the_machine(sheet: Path) -> None:
    css = sheet.read_text(encoding="utf-8")
    offsite = OFFSITE.findall(without_comments_and_data(css))
    assert offsite == [], f"{sheet.name} reaches off the machine: {offsite}"
    for target in targets(COMMENT.sub("", css)):
        if target.startswith("data:"):
            continue
        path = target.split("?")[0].split("#")[0]
        served = (STATIC / path.lstrip("/")) if path.startswith("/") else (sheet.parent / path)
        assert served.resolve().is_file(), f"{sheet.name} asks for {target}, which is not served"
        assert served.resolve().is_relative_to(STATIC), target


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_page_loads_only_the_services_own_files(template: Path) -> None:
    for target in LOADS.findall(template.read_text(encoding="utf-8")):
        if "{{" in target or target.startswith("data:"):
            continue  # a page's own address (a QR code, a chart) built by the server
        assert target.startswith("/static/"), f"{template.name} loads {target}"
        assert (STATIC / target.removeprefix("/static/")).is_file(), target


def recorded(record: Path) -> dict[str, str]:
    rows = re.findall(r"^\| `([^`]+)` \|[^|]*\| `([0-9a-f]{64})` \|$", record.read_text(), re.M)
    return dict(rows)


@pytest.mark.parametrize("folder", ["govbr-ds", "raleway", "fontawesome"])
def test_vendored_files_are_the_recorded_ones(folder: str) -> None:
    base = VENDOR / folder
    sums = recorded(base / "VENDORED.md")
    present = {
        p.relative_to(base).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in base.rglob("*")
        if p.is_file() and p.name != "VENDORED.md"
    }
    assert present == sums, "run scripts/vendor_web_assets.py (see docs/web-assets.md)"
    assert any(name.upper().startswith(("LICENSE", "OFL")) for name in present), folder
