"""``plenaria cycle check | seats`` through the real command group (docs/cli.md)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from shared.core.cycle import preset_text
from shared.tools.cli import main

PRESETS = Path(__file__).resolve().parents[2] / "shared" / "core" / "presets"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_passes_a_valid_cycle() -> None:
    code, out, _ = run("cycle", "check", str(PRESETS / "health.toml"))
    assert code == 0 and out == ""


def test_check_prints_one_line_per_problem_and_exits_1(tmp_path: Path) -> None:
    text = (
        preset_text("health")
        .replace(
            'id = "managers"\ntitle_pt = "Gestores e prestadores"\nshare = 0.25',
            'id = "managers"\ntitle_pt = "Gestores e prestadores"\nshare = 0.5',
        )
        .replace("[caps.intermunicipal]", "[caps.intermunicpal]")
    )
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    code, out, _ = run("cycle", "check", str(bad))
    assert code == 1
    assert out.splitlines() == [
        "delegates.segments: the segment shares sum to 1.25, not 1 (0.5 + 0.25 + 0.5)",
        "caps.intermunicpal: unknown assembly kind 'intermunicpal'; known: neighbourhood, "
        "municipal, intermunicipal, free, digital, macro, state, national",
    ]


def test_seats_prints_the_lgbtqia_table_as_csv() -> None:
    code, out, _ = run("cycle", "seats", str(PRESETS / "lgbtqia.toml"), "--stage", "national")
    assert code == 0
    rows = {r["unit"]: r for r in csv.DictReader(io.StringIO(out))}
    total = rows.pop("total")
    assert len(rows) == 27 and sum(int(r["seats"]) for r in rows.values()) == 1212
    assert rows["SC"]["seats"] == "45" and rows["SC"]["value"] == "7609601"
    assert int(rows["SC"]["civil"]) + int(rows["SC"]["government"]) == 45
    assert total["seats"] == "1212"
    assert int(total["civil"]) == sum(int(r["civil"]) for r in rows.values())


def test_seats_json_with_ex_officio_and_a_populations_file(tmp_path: Path) -> None:
    code, out, _ = run(
        "cycle", "seats", str(PRESETS / "social-assistance.toml"), "--stage", "national",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    body = json.loads(out)
    assert body["apportioned"] == 1200 and body["total"] == 1236
    assert body["ex_officio_seats"] == 36
    assert [e["seats"] for e in body["ex_officio"]] == [18, 18]
    # The house by segment counts the 18 government natos; the civil entry names no segment.
    by_units = {s: sum(u["per_segment"][s] for u in body["units"]) for s in body["per_segment"]}
    assert body["per_segment"]["government"] == by_units["government"] + 18
    assert body["per_segment"]["users"] == by_units["users"]
    assert sum(body["per_segment"].values()) == 1236 - 18
    code, out, _ = run(
        "cycle", "seats", str(PRESETS / "social-assistance.toml"), "--stage", "national",
    )  # fmt: skip
    rows = {r["unit"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["ex officio: cnas-governo"]["government"] == "18"
    assert rows["total"]["seats"] == "1236"
    assert rows["total"]["government"] == str(body["per_segment"]["government"])
    towns = tmp_path / "towns.csv"
    towns.write_text("unit,population\nA,9000\nB,1000\n", encoding="utf-8")
    code, out, _ = run(
        "cycle", "seats", str(PRESETS / "health.toml"), "--stage", "state",
        "--populations", str(towns), "--seats", "20", "--format", "json",
    )  # fmt: skip
    assert code == 0
    assert [u["seats"] for u in json.loads(out)["units"]] == [18, 2]


def test_seats_refuses_an_invalid_cycle_or_a_stage_without_units(tmp_path: Path) -> None:
    code, _, err = run("cycle", "seats", str(PRESETS / "health.toml"), "--stage", "state")
    assert code == 2 and "needs --populations CSV or --uf UF" in err
    bad = tmp_path / "bad.toml"
    bad.write_text(preset_text("health").replace("share = 0.5", "share = 0.9", 1), encoding="utf-8")
    code, _, err = run("cycle", "seats", str(bad), "--stage", "national")
    assert code == 1 and "segment shares sum to 1.4" in err


def test_seats_prints_units_seated_by_a_participant_formula(tmp_path: Path) -> None:
    """A ``kind`` column names each unit's kind: culture's municipal conferences earn 5 % of
    their 25–500 participants, the intermunicipal one shares the rest by population."""
    towns = tmp_path / "towns.csv"
    towns.write_text(
        "unit,population,participants,kind\nA,9000,300,municipal\nB,1000,800,municipal\n"
        "C,5000,100,intermunicipal\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        "cycle", "seats", str(PRESETS / "culture.toml"), "--stage", "state",
        "--populations", str(towns), "--seats", "60", "--format", "json",
    )  # fmt: skip
    assert code == 0, out
    units = json.loads(out)["units"]
    assert [(u["unit"], u["seats"], u["by_formula"], u["value"]) for u in units] == [
        ("A", 15, True, 300),
        ("B", 25, True, 800),
        ("C", 20, False, 5000),
    ]
