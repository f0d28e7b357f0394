"""``plenaria cycle check | seats``: a convener checks a cycle file before announcing it.

``check FILE`` exits 0 for a valid cycle, else 1 with one line per problem, each naming the
setting's path — the same lines the services answer with when they refuse the file (422).
``seats FILE --stage NAME`` prints the seats that stage would allocate, computed by the same
function the services use (``shared.core.seats.stage_table``): CSV ``unit,territory,value,
seats,<segment>…`` (ex officio rows after the units, their unit prefixed ``ex officio:``, then a
``total`` row: the whole house, ex officio included, by segment) or JSON ``{"stage", "method",
"basis", "census", "apportioned", "ex_officio_seats", "total", "per_segment", "units": [{"unit",
"territory", "value", "seats", "per_segment", "per_sphere", "kind", "by_formula"}],
"ex_officio": [{"id", "title_pt", "seats", "segment"}]}`` (``per_segment``: the whole house by
segment, ex officio seats of an entry that names a segment included; ``by_formula``: the unit's
kind has a participant formula at this stage, and ``value`` is its participants). The units are the 27 UFs at the national stage; for other stages, or to override,
``--populations CSV`` (``unit,population`` and optional ``participants``, ``municipalities``,
``territory``, ``kind``: a unit of a kind with a participant formula is seated by it) or ``--uf UF`` (that state's municipalities with their 2022 populations).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click

from shared.core.cycle import STAGES
from shared.core.cycle_check import check_text
from shared.core.errors import Invalid
from shared.core.seats import SeatTable, SeatUnit, national_units, stage_table
from shared.core.territory import is_uf, municipalities


@click.group("cycle")
def cycle_group() -> None:
    """Check a cycle file and preview its seat tables."""


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{file}: {exc}") from None


@cycle_group.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(file: Path) -> None:
    """Exit 0 if FILE is a valid cycle; else print one line per problem and exit 1."""
    _, problems = check_text(_read(file))
    if problems:
        for problem in problems:
            click.echo(str(problem))
        raise SystemExit(1)
    click.echo(f"{file}: valid cycle", err=True)


def _figure(value: str | None, what: str, line: int) -> int:
    raw = (value or "").strip().replace("_", "")
    if not raw:
        return 0
    if not raw.isdigit():
        raise click.ClickException(f"line {line}: {what} must be a whole number, got {raw!r}")
    return int(raw)


def _units_from_csv(file: Path) -> list[SeatUnit]:
    reader = csv.DictReader(io.StringIO(_read(file)))
    if not reader.fieldnames or "unit" not in reader.fieldnames:
        raise click.ClickException(f"{file}: needs a header with at least the column 'unit'")
    units = []
    for line, row in enumerate(reader, start=2):
        name = (row.get("unit") or "").strip()
        if not name:
            raise click.ClickException(f"{file}: line {line}: empty unit")
        units.append(
            SeatUnit(
                unit=name,
                territory=(row.get("territory") or name).strip(),
                population=_figure(row.get("population"), "population", line),
                participants=_figure(row.get("participants"), "participants", line),
                municipalities=_figure(row.get("municipalities"), "municipalities", line),
                kind=(row.get("kind") or "").strip(),
            )
        )
    if not units:
        raise click.ClickException(f"{file}: no unit to allocate seats to")
    return units


@cycle_group.command("seats")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--stage", type=click.Choice(STAGES), required=True, help="Whose seats.")
@click.option(
    "--populations",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of units: unit,population[,participants,municipalities,territory,kind].",
)
@click.option("--uf", help="Units: this state's municipalities (2022 census).")
@click.option("--seats", type=click.IntRange(min=0), help="House size (default: the rule's total).")
@click.option("--format", "output", type=click.Choice(["csv", "json"]), default="csv")
def seats_command(
    file: Path,
    stage: str,
    populations: Path | None,
    uf: str | None,
    seats: int | None,
    output: str,
) -> None:
    """Print the seats STAGE allocates under the cycle in FILE."""
    rules, problems = check_text(_read(file))
    if rules is None or problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{file} is not a valid cycle (see `plenaria cycle check`)")
    rule = rules.stage_seats(stage)
    if populations is not None:
        units = _units_from_csv(populations)
    elif uf is not None:
        if not is_uf(uf):
            raise click.UsageError(f"--uf: {uf!r} is not a UF")
        units = [
            SeatUnit(unit=t.ibge_code, territory=t.ibge_code, population=t.population_2022)
            for t in municipalities(uf)
        ]
    elif stage == "national":
        units = national_units(rule.census)
    else:
        raise click.UsageError(f"--stage {stage} needs --populations CSV or --uf UF")
    try:
        table = stage_table(rules, stage, units, seats)
    except Invalid as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(_json(table) if output == "json" else _csv(table, rules.segment_ids()), nl=False)


def _json(table: SeatTable) -> str:
    body = {
        "stage": table.stage,
        "method": table.method,
        "basis": table.basis,
        "census": table.census,
        "apportioned": table.apportioned,
        "ex_officio_seats": table.ex_officio_seats,
        "total": table.total,
        "per_segment": table.per_segment(),
        "units": [
            {
                "unit": row.unit,
                "territory": row.territory,
                "value": row.value,
                "seats": row.seats,
                "per_segment": row.per_segment,
                "per_sphere": row.per_sphere,
                "kind": row.kind,
                "by_formula": row.by_formula,
            }
            for row in table.units
        ],
        "ex_officio": [
            {"id": e.id, "title_pt": e.title_pt, "seats": e.seats, "segment": e.segment}
            for e in table.ex_officio
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def _csv(table: SeatTable, segments: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["unit", "territory", "value", "seats", *segments])
    for row in table.units:
        writer.writerow(
            [
                row.unit,
                row.territory,
                row.value,
                row.seats,
                *(row.per_segment.get(s, "") for s in segments),
            ]
        )
    for member in table.ex_officio:
        writer.writerow(
            [
                f"ex officio: {member.id}",
                "",
                "",
                member.seats,
                *(member.seats if s == member.segment else "" for s in segments),
            ]
        )
    house = table.per_segment()
    writer.writerow(["total", "", "", table.total, *(house.get(s, 0) for s in segments)])
    return buffer.getvalue()


def register(group: click.Group) -> None:
    """Add the ``cycle`` command group to the ``plenaria`` group."""
    group.add_command(cycle_group)
