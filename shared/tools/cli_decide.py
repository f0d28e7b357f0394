"""``plenaria apportion | tally | lottery | cluster``: the decision algorithms from the shell.

This is the edge where files are read; the arithmetic is ``shared.core.decide`` (pure). The flags and
JSON keys are a stable contract (docs/cli.md): more may be added, none changed.

- ``apportion`` prints ``unit,population,seats`` in input order; ``--format json`` prints
  ``{"method", "seats", "minimum", "maximum", "units": [{"unit", "population", "seats"}]}``.
- ``tally --format json`` prints ``{"method", "candidates", "ballots", "ranking", "winners",
  "tied", "scores"?, "quota"?, "rounds"?}``; numbers are exact integers, or decimals rounded to
  six places where a share is fractional (the ranking itself was computed exactly).
- ``lottery`` prints ``{"selected", "probabilities", "seed", "method", "requested_method",
  "probabilities_estimated", "panels"}``.
- ``cluster`` prints ``{"threshold", "clusters", "pairs": [{"a", "b", "score"}]}``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import click

from shared.core.decide.apportionment import (
    PopulationBand,
    apportion,
    by_population_bands,
    minimum_plus_proportional,
)
from shared.core.decide.ballot_files import BallotFormat, guess_format, parse_ballot_file
from shared.core.decide.clustering import DEFAULT_THRESHOLD, ClusterItem, cluster
from shared.core.decide.errors import DecisionError
from shared.core.decide.lottery import LotteryMethod, PoolMember, Quota
from shared.core.decide.tally import Round, TallyMethod, TallyResult, tally
from shared.platform.lottery_runner import DrawFailed, draw_in_child

APPORTION_METHODS = ["hamilton", "dhondt", "sainte-lague", "huntington-hill"]
EXTRA_APPORTION_METHODS = ["bands", "min-plus-proportional"]


# --- apportion ----------------------------------------------------------------------------------


@click.command("apportion")
@click.option("--seats", type=int, help="House size (not needed with --method bands).")
@click.option(
    "--method",
    type=click.Choice(APPORTION_METHODS + EXTRA_APPORTION_METHODS),
    required=True,
    help="Apportionment method; 'bands' and 'min-plus-proportional' are additions.",
)
@click.option("--min", "minimum", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--max", "maximum", type=click.IntRange(min=0), default=None)
@click.option("--bands", help="For --method bands: 'UP_TO:SEATS,…' with '*' for no upper limit.")
@click.option("--format", "output", type=click.Choice(["csv", "json"]), default="csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def apportion_command(
    seats: int | None,
    method: str,
    minimum: int,
    maximum: int | None,
    bands: str | None,
    output: str,
    file: Path,
) -> None:
    """Apportion seats among the units of FILE (CSV with columns unit,population)."""
    units, populations = _read_units(file)
    try:
        if method == "bands":
            if not bands:
                raise click.UsageError("--method bands needs --bands, e.g. '10000:2,50000:4,*:6'")
            result = by_population_bands(
                populations, _parse_bands(bands), minimum=minimum, maximum=maximum
            )
            if seats is not None and sum(result) != seats:
                raise click.ClickException(f"the bands give {sum(result)} seats, not {seats}")
        else:
            if seats is None:
                raise click.UsageError(f"--method {method} needs --seats")
            if method == "min-plus-proportional":
                result = minimum_plus_proportional(
                    populations, seats, minimum=minimum, maximum=maximum
                )
            else:
                result = apportion(populations, seats, method, minimum=minimum, maximum=maximum)
    except DecisionError as error:
        raise click.ClickException(str(error)) from None
    rows = [
        {"unit": u, "population": p, "seats": s}
        for u, p, s in zip(units, populations, result, strict=True)
    ]
    if output == "json":
        body = {
            "method": method,
            "seats": sum(result),
            "minimum": minimum,
            "maximum": maximum,
            "units": rows,
        }
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["unit", "population", "seats"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    click.echo(buffer.getvalue(), nl=False)


def _read_units(file: Path) -> tuple[list[str], list[int]]:
    rows = _read_csv(file, required=("unit", "population"))
    units: list[str] = []
    populations: list[int] = []
    for line, row in rows:
        unit = row["unit"].strip()
        raw = row["population"].strip().replace("_", "")
        if not unit:
            raise click.ClickException(f"{file}: line {line}: empty unit name")
        if unit in units:
            raise click.ClickException(f"{file}: line {line}: unit {unit!r} appears twice")
        if not raw.isdigit() or int(raw) <= 0:
            raise click.ClickException(
                f"{file}: line {line}: population must be a positive integer, got {raw!r}"
            )
        units.append(unit)
        populations.append(int(raw))
    if not units:
        raise click.ClickException(f"{file}: no unit to apportion seats to")
    return units, populations


def _parse_bands(text: str) -> list[PopulationBand]:
    bands = []
    for part in text.split(","):
        limit, sep, seats = part.strip().partition(":")
        if not sep or not seats.strip().isdigit():
            raise click.UsageError(f"bad band {part.strip()!r}: use UP_TO:SEATS or *:SEATS")
        limit = limit.strip()
        if limit != "*" and not limit.isdigit():
            raise click.UsageError(f"bad band limit {limit!r}: a population or '*'")
        bands.append(PopulationBand(None if limit == "*" else int(limit), int(seats)))
    return bands


# --- tally --------------------------------------------------------------------------------------


@click.command("tally")
@click.option("--method", type=click.Choice([m.value for m in TallyMethod]), required=True)
@click.option(
    "--seats",
    type=click.IntRange(min=1),
    default=None,
    help="Seats or winners (default 1; STV on a BLT file defaults to the file's seats).",
)
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--input-format",
    type=click.Choice([f.value for f in BallotFormat]),
    default=None,
    help="Ballot file format when the extension does not tell it.",
)
@click.option(
    "--approvals",
    type=click.IntRange(min=1),
    default=None,
    help="Approval: count only each ballot's first K candidates.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def tally_command(
    method: str,
    seats: int | None,
    output: str,
    input_format: str | None,
    approvals: int | None,
    file: Path,
) -> None:
    """Tally the ballots of FILE (PrefLib .soc/.soi/.toc, BLT or CSV)."""
    try:
        chosen_format = BallotFormat(input_format) if input_format else guess_format(file.name)
        parsed = parse_ballot_file(_read_text(file), chosen_format)
        wanted = seats or (parsed.seats if method == "stv" and parsed.seats else 1)
        result = tally(parsed.profile, method, seats=wanted, approvals=approvals)
    except DecisionError as error:
        raise click.ClickException(f"{file}: {error}") from None
    body = _tally_json(result, parsed.profile.candidates, parsed.profile.total)
    if output == "json":
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        click.echo(_tally_text(result))


def _number(value: Fraction | int) -> int | float:
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else round(float(value), 6)


def _round_json(round_: Round) -> dict[str, Any]:
    return {
        "action": round_.action,
        "candidates": list(round_.candidates),
        "votes": {c: _number(v) for c, v in round_.votes.items()},
        "exhausted": _number(round_.exhausted),
    }


def _tally_json(result: TallyResult, candidates: Sequence[str], ballots: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "method": result.method,
        "candidates": list(candidates),
        "ballots": ballots,
        "ranking": [list(group) for group in result.ranking],
        "winners": list(result.winners),
        "tied": result.tied,
    }
    if result.scores is not None:
        body["scores"] = {c: _number(v) for c, v in result.scores.items()}
    if result.quota is not None:
        body["quota"] = _number(result.quota)
    if result.rounds:
        body["rounds"] = [_round_json(r) for r in result.rounds]
    return body


def _tally_text(result: TallyResult) -> str:
    lines = [f"method: {result.method}"]
    lines.append(f"winners: {', '.join(result.winners)}" + (" (tie)" if result.tied else ""))
    if result.quota is not None:
        lines.append(f"quota: {_number(result.quota)}")
    lines.append("ranking:")
    for place, group in enumerate(result.ranking, start=1):
        scores = result.scores
        shown = [f"{c} ({_number(scores[c])})" if scores is not None else c for c in group]
        lines.append(f"  {place}. {' = '.join(shown)}")
    for number, round_ in enumerate(result.rounds, start=1):
        votes = ", ".join(f"{c} {_number(v)}" for c, v in round_.votes.items())
        who = ", ".join(round_.candidates)
        lines.append(f"round {number}: {round_.action} {who} — {votes}".rstrip())
    return "\n".join(lines)


# --- lottery ------------------------------------------------------------------------------------


@click.command("lottery")
@click.option("--size", type=click.IntRange(min=1), required=True, help="Panel size.")
@click.option(
    "--quotas",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="CSV with feature,value,min,max.",
)
@click.option(
    "--pool",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="CSV with id plus one column per feature.",
)
@click.option("--seed", type=click.IntRange(min=1, max=2**31 - 1), default=None)
@click.option("--method", type=click.Choice([m.value for m in LotteryMethod]), default="leximin")
def lottery_command(size: int, quotas: Path, pool: Path, seed: int | None, method: str) -> None:
    """Draw a civic-lottery panel meeting QUOTAS from POOL and print it as JSON.

    The same seed, quotas and pool give the same draw: the solver runs with Python's hash seed
    fixed so that even its tie-breaking repeats."""
    request = {
        "size": size,
        "quotas": [_quota_json(q) for q in _read_quotas(quotas)],
        "pool": [{"id": m.id, "features": dict(m.features)} for m in _read_pool(pool)],
        "seed": seed,
        "method": method,
    }
    try:
        response = draw_in_child(request)
    except DrawFailed as error:
        raise click.ClickException(str(error)) from None
    if "error" in response:
        raise click.ClickException(str(response["error"]))
    click.echo(json.dumps(response, ensure_ascii=False, indent=2))


def _quota_json(quota: Quota) -> dict[str, Any]:
    return {"feature": quota.feature, "value": quota.value, "min": quota.min, "max": quota.max}


def _read_quotas(file: Path) -> list[Quota]:
    quotas = []
    for line, row in _read_csv(file, required=("feature", "value", "min", "max")):
        # pool headers are matched case-insensitively, so features are too
        feature, value = row["feature"].strip().lower(), row["value"].strip()
        if not feature or not value:
            raise click.ClickException(f"{file}: line {line}: feature and value are required")
        bounds = []
        for key in ("min", "max"):
            raw = row[key].strip()
            if not raw.isdigit():
                raise click.ClickException(
                    f"{file}: line {line}: {key} of feature {feature!r} must be a whole number, "
                    f"got {raw!r}"
                )
            bounds.append(int(raw))
        quotas.append(Quota(feature, value, bounds[0], bounds[1]))
    if not quotas:
        raise click.ClickException(f"{file}: no quota rows")
    return quotas


def _read_pool(file: Path) -> list[PoolMember]:
    members = []
    for line, row in _read_csv(file, required=("id",)):
        member_id = row["id"].strip()
        if not member_id:
            raise click.ClickException(f"{file}: line {line}: empty id")
        features = {k.strip(): (v or "").strip() for k, v in row.items() if k and k != "id"}
        members.append(PoolMember(member_id, features))
    return members


# --- cluster ------------------------------------------------------------------------------------


@click.command("cluster")
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Average similarity at which clusters merge.",
)
@click.option("--format", "output", type=click.Choice(["json", "text"]), default="json")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def cluster_command(threshold: float, output: str, file: Path) -> None:
    """Cluster near-duplicate proposals of FILE (CSV with id,text and optional axis)."""
    items = []
    for line, row in _read_csv(file, required=("id", "text")):
        item_id = row["id"].strip()
        if not item_id:
            raise click.ClickException(f"{file}: line {line}: empty id")
        items.append(ClusterItem(item_id, row["text"] or "", (row.get("axis") or "").strip()))
    try:
        result = cluster(items, threshold)
    except DecisionError as error:
        raise click.ClickException(f"{file}: {error}") from None
    if output == "text":
        text = {item.id: item.text for item in items}
        for members in result.clusters:
            if len(members) > 1:
                click.echo(f"{len(members)} proposals:")
                for member in members:
                    click.echo(f"  {member}: {text[member]}")
        click.echo(f"{len(result.clusters)} clusters from {len(items)} proposals")
        return
    body = {
        "threshold": threshold,
        "clusters": result.clusters,
        "pairs": [{"a": p.a, "b": p.b, "score": p.score} for p in result.pairs],
    }
    click.echo(json.dumps(body, ensure_ascii=False))


# --- shared file reading ------------------------------------------------------------------------


def _read_text(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{file}: not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise click.ClickException(f"{file}: {error.strerror}") from None


def _read_csv(file: Path, *, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows with their 1-based line number; header names are matched case-insensitively."""
    reader = csv.reader(io.StringIO(_read_text(file)))
    try:
        header = next(reader, None)
        if header is None:
            raise click.ClickException(f"{file}: the file is empty")
        names = [name.strip().lower() for name in header]
        missing = [name for name in required if name not in names]
        if missing:
            raise click.ClickException(
                f"{file}: missing column(s) {', '.join(missing)} (found {', '.join(names)})"
            )
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(names):
                raise click.ClickException(
                    f"{file}: line {reader.line_num}: {len(cells)} cells for {len(names)} columns"
                )
            padded = cells + [""] * (len(names) - len(cells))
            rows.append((reader.line_num, dict(zip(names, padded, strict=True))))
    except csv.Error as error:
        raise click.ClickException(f"{file}: line {reader.line_num}: {error}") from None
    return rows


def register(group: click.Group) -> None:
    """Add the decision commands to the ``plenaria`` group."""
    for command in (apportion_command, tally_command, lottery_command, cluster_command):
        group.add_command(command)
