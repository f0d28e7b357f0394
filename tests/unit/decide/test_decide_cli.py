"""The docs/spec.md §7 contract of plenaria apportion / tally / lottery / cluster, through the real group."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shared.tools.cli import main
from tests.support.paths import DECIDE_DATA

DATA = DECIDE_DATA


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def states(tmp_path: Path) -> Path:
    # 1790 census (Balinski & Young, "Fair Representation", Appendix A); an extra column is ignored.
    path = tmp_path / "states.csv"
    path.write_text(
        "unit,population,region\nVA,630560,S\nMA,475327,N\nDE,55540,S\nRI,68446,N\n",
        encoding="utf-8",
    )
    return path


def test_apportion_prints_unit_population_seats_in_input_order(states: Path) -> None:
    code, out, _ = run("apportion", "--seats", "20", "--method", "hamilton", str(states))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["unit"] for r in rows] == ["VA", "MA", "DE", "RI"]
    assert list(rows[0]) == ["unit", "population", "seats"]
    assert sum(int(r["seats"]) for r in rows) == 20


def test_apportion_json_and_bounds(states: Path) -> None:
    code, out, _ = run(
        "apportion", "--seats", "20", "--method", "huntington-hill",
        "--min", "2", "--max", "8", "--format", "json", str(states),
    )  # fmt: skip
    assert code == 0
    body = json.loads(out)
    assert body["method"] == "huntington-hill" and body["seats"] == 20
    assert all({"unit", "population", "seats"} <= set(u) for u in body["units"])
    assert all(2 <= u["seats"] <= 8 for u in body["units"])


@pytest.mark.parametrize(
    ("args", "content", "message"),
    [
        (["--seats", "3", "--min", "1"], "unit,population\na,10\nb,10\nc,1\nd,1\n", "exceeds"),
        (["--seats", "9", "--max", "2"], "unit,population\na,10\nb,10\nc,1\nd,1\n", "is less than"),
        (["--seats", "9"], "unit,population\na,10\nb,0\n", "line 3: population must be"),
        (["--seats", "9"], "unit,population\na,10\nb,1.5\n", "line 3: population must be"),
        (["--seats", "9"], "unit,people\na,10\n", "missing column(s) population"),
    ],
)
def test_apportion_errors_are_messages_not_tracebacks(
    tmp_path: Path, args: list[str], content: str, message: str
) -> None:
    path = tmp_path / "units.csv"
    path.write_text(content, encoding="utf-8")
    code, out, err = run("apportion", "--method", "dhondt", *args, str(path))
    assert code != 0 and out == ""
    assert message in err and "Traceback" not in err


def test_apportion_bands(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("unit,population\nx,5000\ny,80000\n", encoding="utf-8")
    code, out, _ = run("apportion", "--method", "bands", "--bands", "10000:2,*:6", str(path))
    assert code == 0 and out.splitlines()[1:] == ["x,5000,2", "y,80000,6"]


def test_tally_json_contract() -> None:
    code, out, _ = run(
        "tally", "--method", "schulze", "--format", "json", str(DATA / "schulze_45.soc")
    )
    assert code == 0
    body = json.loads(out)
    assert body["method"] == "schulze"
    assert body["ranking"] == [["E"], ["A"], ["C"], ["B"], ["D"]]
    assert body["winners"] == ["E"]
    assert set(body["scores"]) == {"A", "B", "C", "D", "E"}


def test_tally_stv_takes_seats_from_the_blt_file() -> None:
    code, out, _ = run("tally", "--method", "stv", "--format", "json", str(DATA / "food.blt"))
    assert code == 0
    body = json.loads(out)
    assert sorted(body["winners"]) == ["Chocolate", "Oranges", "Strawberries"]
    assert body["quota"] == 6 and "scores" not in body and body["rounds"]


def test_tally_text_and_csv_input() -> None:
    code, out, _ = run("tally", "--method", "borda", str(DATA / "poll.csv"))
    assert code == 0 and out.startswith("method: borda\nwinners: Ampliar UBS")


def test_tally_malformed_file_names_the_line() -> None:
    code, _, err = run("tally", "--method", "irv", str(DATA / "bad_order.soi"))
    assert code != 0 and "line 7" in err and "Traceback" not in err


def test_lottery_json_contract_and_reproducible_seed() -> None:
    args = [
        "lottery", "--size", "8", "--quotas", str(DATA / "lottery_quotas.csv"),
        "--pool", str(DATA / "lottery_pool.csv"), "--seed", "7",
    ]  # fmt: skip
    code, out, _ = run(*args)
    assert code == 0
    body = json.loads(out)
    assert {"selected", "probabilities", "seed", "method"} <= set(body)
    assert body["seed"] == 7 and len(body["selected"]) == 8
    assert body["method"] in {"leximin", "maximin"}
    assert len(body["probabilities"]) == 40
    assert sum(body["probabilities"].values()) == pytest.approx(8, abs=1e-3)
    assert json.loads(run(*args)[1])["selected"] == body["selected"]


def test_lottery_infeasible_quota_exits_non_zero_naming_the_feature(tmp_path: Path) -> None:
    quotas = tmp_path / "q.csv"
    quotas.write_text(
        "feature,value,min,max\nregion,capital,0,20\nregion,interior,13,20\n", encoding="utf-8"
    )
    code, out, err = run(
        "lottery", "--size", "15", "--quotas", str(quotas),
        "--pool", str(DATA / "lottery_pool.csv"), "--seed", "1",
    )  # fmt: skip
    assert code != 0 and out == ""
    assert "'region'" in err and "interior" in err and "Traceback" not in err


def test_cluster_json_contract(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "id,text,axis\n"
        "1,Ampliar o número de UBS,ap\n"
        '2,"Aumentar a quantidade de unidades básicas de saúde",ap\n'
        "3,Reformar as UBS existentes,ap\n"
        "4,Ampliar o número de UBS,outro\n",
        encoding="utf-8",
    )
    code, out, _ = run("cluster", "--format", "json", str(path))
    assert code == 0
    body = json.loads(out)
    assert body["clusters"] == [["1", "2"], ["3"], ["4"]]
    assert all(set(p) == {"a", "b", "score"} and 0 <= p["score"] <= 1 for p in body["pairs"])
    code, _, err = run("cluster", "--threshold", "1.5", str(path))
    assert code != 0 and "Traceback" not in err


def test_lottery_matches_features_and_headers_case_insensitively(tmp_path: Path) -> None:
    quotas = tmp_path / "q.csv"
    quotas.write_text(
        "feature,value,min,max\nGender,mulher,1,2\nGender,homem,1,2\n", encoding="utf-8"
    )
    people = tmp_path / "p.csv"
    people.write_text("ID,GENDER\na,mulher\nb,homem\nc,Mulher\nd,homem\n", encoding="utf-8")
    code, out, err = run(
        "lottery", "--size", "2", "--quotas", str(quotas), "--pool", str(people), "--seed", "5",
        "--method", "maximin",
    )  # fmt: skip
    assert code == 0, err
    assert len(json.loads(out)["selected"]) == 2
