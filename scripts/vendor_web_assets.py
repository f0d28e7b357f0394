"""Refresh the vendored web assets: the gov.br design system's CSS, the Raleway font and Font
Awesome's solid icons, from their npm packages, into ``shared/platform/web/static/vendor``.

A developer's tool, not part of the run time (the service never needs node or npm): it runs
``npm pack`` for the pinned versions in a temporary folder, copies only what the pages use,
points every ``url()`` at the copied files (woff2 only: every browser the pages support reads
it), and writes each folder's ``VENDORED.md`` with the sha256 of every file. Run it from the
repository root after changing a version below, then look at the pages (the browser tests keep
screenshots) and commit the result::

    python3 scripts/vendor_web_assets.py
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "shared/platform/web/static/vendor"

GOVBR_DS = "@govbr-ds/core@3.7.0"
#: The components the pages use (``dist/components/<name>/<name>.min.css``), in this order.
COMPONENTS = [
    "skiplink",
    "header",
    "signin",
    "footer",
    "divider",
    "list",
    "item",
    "button",
    "tag",
    "message",
    "card",
]
RALEWAY = "@fontsource/raleway@5.3.0"
#: The weights the design system's tokens use on these pages (light headings to bold).
WEIGHTS = [300, 400, 500, 600, 700]
#: Portuguese needs only ``latin``; ``latin-ext`` covers other people's names.
SUBSETS = ["latin", "latin-ext"]
FONT_AWESOME = "@fortawesome/fontawesome-free@5.15.4"


def pack(spec: str, into: Path) -> Path:
    """``npm pack`` ``spec`` into ``into`` and unpack it; the package's folder."""
    name = subprocess.run(
        ["npm", "pack", "--silent", spec], cwd=into, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    folder = into / name.removesuffix(".tgz")
    with tarfile.open(into / name) as archive:
        archive.extractall(folder, filter="data")
    return folder / "package"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_record(folder: Path, spec: str, how: str, sources: dict[str, str]) -> None:
    """``VENDORED.md``: the package, what was taken and how, each file's sha256."""
    lines = [
        f"# Vendored: `{spec}`",
        "",
        how,
        "",
        "Refresh: change the version in `scripts/vendor_web_assets.py`, run",
        "`python3 scripts/vendor_web_assets.py` (needs npm, a developer's tool only) and look",
        "at the pages before committing (docs/web-assets.md).",
        "",
        "| file | taken from | sha256 |",
        "| --- | --- | --- |",
    ]
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "VENDORED.md"):
        relative = path.relative_to(folder).as_posix()
        lines.append(f"| `{relative}` | {sources.get(relative, '-')} | `{sha256(path)}` |")
    (folder / "VENDORED.md").write_text("\n".join(lines) + "\n")


def fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def govbr_ds(work: Path) -> None:
    package = pack(GOVBR_DS, work)
    folder = fresh(VENDOR / "govbr-ds")
    parts = [package / "dist/core-tokens.min.css"] + [
        package / f"dist/components/{name}/{name}.min.css" for name in COMPONENTS
    ]
    bundle = "".join(
        f"/* @govbr-ds/core {p.relative_to(package).as_posix()} */\n{p.read_text().strip()}\n"
        for p in parts
    )
    (folder / "govbr-ds.min.css").write_text(bundle)
    shutil.copy(package / "LICENSE", folder / "LICENSE")
    taken = "".join(f"\n- `{p.relative_to(package).as_posix()}` `{sha256(p)}`" for p in parts)
    write_record(
        folder,
        GOVBR_DS,
        "The design system's tokens and the CSS of the components the pages use, each file "
        "unchanged and concatenated in this order into `govbr-ds.min.css` (each part under "
        "a comment naming it). No JavaScript: every component used works without it. MIT licence, © SERPRO "
        "(`LICENSE`). The package's own templates load Rawline, Raleway and Font Awesome "
        "from CDNs; here they come from `../raleway` and `../fontawesome`.\n\n"
        f"The parts, with the sha256 of each in the package:{taken}",
        {
            "govbr-ds.min.css": "dist (see above)",
            "LICENSE": "`LICENSE`",
        },
    )


def raleway(work: Path) -> None:
    package = pack(RALEWAY, work)
    folder = fresh(VENDOR / "raleway")
    faces = []
    sources = {}
    unicode_ranges = json.loads((package / "unicode.json").read_text())
    for subset in SUBSETS:
        ranges = unicode_ranges[subset]
        for weight in WEIGHTS:
            name = f"raleway-{subset}-{weight}-normal.woff2"
            shutil.copy(package / "files" / name, folder / name)
            sources[name] = f"`files/{name}`"
            faces.append(
                "@font-face{font-family:Raleway;font-style:normal;font-display:swap;"
                f"font-weight:{weight};src:url(./{name}) format('woff2');"
                f"unicode-range:{ranges}}}"
            )
    (folder / "raleway.css").write_text(
        f"/* Raleway from {RALEWAY} (SIL OFL 1.1, see OFL.txt), woff2 only. */\n"
        + "\n".join(faces)
        + "\n"
    )
    shutil.copy(package / "LICENSE", folder / "OFL.txt")
    sources["OFL.txt"] = "`LICENSE`"
    sources["raleway.css"] = "written from the files and `unicode.json` (woff2 only)"
    write_record(
        folder,
        RALEWAY,
        "Raleway, the design system's fallback for Rawline (Rawline is Raleway with lining "
        "numerals and has no maintained package: `plenaria.css` asks Raleway for lining "
        f"numerals instead). Weights {', '.join(map(str, WEIGHTS))}, subsets "
        f"{', '.join(SUBSETS)}; a browser downloads only the files a page's text needs. "
        "SIL Open Font License 1.1 (`OFL.txt`).",
        sources,
    )


def font_awesome(work: Path) -> None:
    package = pack(FONT_AWESOME, work)
    folder = fresh(VENDOR / "fontawesome")
    (folder / "css").mkdir()
    (folder / "webfonts").mkdir()
    shutil.copy(package / "css/fontawesome.min.css", folder / "css/fontawesome.min.css")
    shutil.copy(package / "webfonts/fa-solid-900.woff2", folder / "webfonts/fa-solid-900.woff2")
    (folder / "css/solid.min.css").write_text(
        f"/* Font Awesome Free solid style from {FONT_AWESOME}, woff2 only. */\n"
        '@font-face{font-family:"Font Awesome 5 Free";font-style:normal;font-weight:900;'
        "font-display:block;src:url(../webfonts/fa-solid-900.woff2) format('woff2')}"
        '.fa,.fas{font-family:"Font Awesome 5 Free";font-weight:900}\n'
    )
    shutil.copy(package / "LICENSE.txt", folder / "LICENSE.txt")
    write_record(
        folder,
        FONT_AWESOME,
        "Font Awesome Free 5 (the version the design system names, `Font Awesome 5 Free`): "
        "its icon classes and the solid webfont only. Icons CC BY 4.0, font SIL OFL 1.1, "
        "code MIT (`LICENSE.txt`).",
        {
            "css/fontawesome.min.css": "`css/fontawesome.min.css`",
            "css/solid.min.css": "`css/solid.min.css`, its `url()` cut to the woff2",
            "webfonts/fa-solid-900.woff2": "`webfonts/fa-solid-900.woff2`",
            "LICENSE.txt": "`LICENSE.txt`",
        },
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        govbr_ds(work)
        raleway(work)
        font_awesome(work)


if __name__ == "__main__":
    main()
