"""Every string the pages show is in every catalogue: extracted the way `pybabel extract -F
babel.cfg -k N_` does, each must have a translation in English with the same placeholders."""

from __future__ import annotations

import re

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from shared.platform.web.i18n import LANGUAGES, LOCALE_DIR
from tests.support.paths import REPO

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true"}}


def source_strings() -> set[str]:
    found: set[str] = set()
    for folder in ("shared", "services"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            REPO / folder,
            METHODS,
            OPTIONS,
            keywords={"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)},
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_shown_string_is_translated() -> None:
    wanted = source_strings()
    assert len(wanted) > 40
    for tag in LANGUAGES:
        if tag == "pt-BR":
            continue
        with (LOCALE_DIR / tag.replace("-", "_") / "LC_MESSAGES" / "messages.po").open("rb") as f:
            catalogue = {
                # A plural entry by its singular, translated when every form is.
                (m.id if isinstance(m.id, str) else m.id[0]): (
                    m.string
                    if isinstance(m.string, str)
                    else " ".join(m.string)
                    if all(m.string)
                    else ""
                )
                for m in read_po(f)
                if m.id
            }
        missing = sorted(w for w in wanted if not catalogue.get(w))
        assert missing == [], f"{tag} lacks translations"
        wrong = [
            w
            for w in wanted
            if not set(PLACEHOLDER.findall(w)) <= set(PLACEHOLDER.findall(catalogue[w]))
            or not set(PLACEHOLDER.findall(catalogue[w])) <= set(PLACEHOLDER.findall(w)) | {"count"}
        ]
        assert wrong == []
