"""Parsers for ballot files: PrefLib (``.soc``, ``.soi``, ``.toc``), BLT and CSV.

They take text, not paths, so they stay pure; the CLI and the services do the reading. Every error
names the 1-based line at fault (``BallotFileError.line``).

- PrefLib: the current format (``# KEY: value`` header, ``count: 1,{2,3},4`` orders) and the
  pre-2022 one (alternative count, ``n,name`` lines, a totals line, ``count,1,2,3`` orders) are
  both read. ``soc`` must hold complete strict orders, ``soi`` strict orders, ``toc`` may hold ties
  (``{…}``) and truncation.
- BLT: ``candidates seats``, optional withdrawn line (negative numbers), ballot lines
  ``weight c1 c2 … 0`` (``2=3`` ties two candidates, an extension of OpenSTV), a ``0`` line,
  candidate names (quoted) and the title. Withdrawn candidates are left out of the profile.
- CSV: one ballot per line, candidate names in order of preference, no header; blank cells are
  skipped and lines starting with ``#`` are comments.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from shared.core.decide.ballots import Ballot, Profile
from shared.core.decide.errors import BallotError, BallotFileError


class BallotFormat(StrEnum):
    SOC = "soc"
    SOI = "soi"
    TOC = "toc"
    BLT = "blt"
    CSV = "csv"


@dataclass(frozen=True, slots=True)
class BallotFile:
    """A parsed ballot file: the profile plus what the file says about the election."""

    profile: Profile
    format: BallotFormat
    seats: int | None = None
    title: str | None = None


def parse_ballot_file(text: str, file_format: BallotFormat | str) -> BallotFile:
    """Parse ``text`` written in ``file_format`` (one of ``BallotFormat``)."""
    chosen = BallotFormat(file_format)
    if chosen is BallotFormat.BLT:
        return parse_blt(text)
    if chosen is BallotFormat.CSV:
        return parse_csv_ballots(text)
    return parse_preflib(text, chosen)


def guess_format(file_name: str) -> BallotFormat:
    """The format named by a file's extension (``.soc``, ``.soi``, ``.toc``, ``.blt``, ``.csv``)."""
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    try:
        return BallotFormat(suffix)
    except ValueError:
        known = ", ".join(f".{f.value}" for f in BallotFormat)
        raise BallotError(
            f"cannot tell the ballot format of {file_name!r}; use one of {known}"
        ) from None


# --- PrefLib ------------------------------------------------------------------------------------

_HEADER = re.compile(r"#\s*([A-Z][A-Z0-9 ]*[A-Z0-9])\s*:\s*(.*)$")
_ALTERNATIVE = re.compile(r"ALTERNATIVE NAME (\d+)")
_NEW_ORDER = re.compile(r"^\s*(\d+)\s*:\s*(.*)$")


def parse_preflib(text: str, file_format: BallotFormat | str) -> BallotFile:
    kind = BallotFormat(file_format)
    if kind not in (BallotFormat.SOC, BallotFormat.SOI, BallotFormat.TOC):
        raise BallotError(f"{kind} is not a PrefLib order format")
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise BallotFileError(0, "the file is empty")
    if lines[first].lstrip().startswith("#"):
        return _parse_preflib_current(lines, kind)
    return _parse_preflib_legacy(lines, kind)


def _parse_preflib_current(lines: list[str], kind: BallotFormat) -> BallotFile:
    header: dict[str, tuple[int, str]] = {}
    names: dict[int, str] = {}
    orders: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            match = _HEADER.match(line)
            if match:
                key, value = match.group(1), match.group(2).strip()
                alternative = _ALTERNATIVE.fullmatch(key)
                if alternative:
                    names[int(alternative.group(1))] = value
                else:
                    header[key] = (number, value)
            continue
        orders.append((number, line))
    declared_type = header.get("DATA TYPE")
    if declared_type and declared_type[1].lower() != kind.value:
        raise BallotFileError(
            declared_type[0], f"the file declares {declared_type[1]!r} but is read as {kind.value}"
        )
    count_entry = header.get("NUMBER ALTERNATIVES")
    if count_entry is None:
        raise BallotFileError(0, "missing '# NUMBER ALTERNATIVES:' header")
    alternatives = _positive_int(count_entry[1], count_entry[0], "number of alternatives")
    candidates = _candidate_names(alternatives, names, count_entry[0])
    ballots = []
    for number, line in orders:
        match = _NEW_ORDER.match(line)
        if not match:
            raise BallotFileError(number, "expected 'count: order', e.g. '3: 1,2,{3,4}'")
        count = _positive_int(match.group(1), number, "ballot count")
        groups = _parse_order(match.group(2), number, alternatives)
        ballots.append(_checked_ballot(groups, count, number, kind, alternatives, candidates))
    voters = header.get("NUMBER VOTERS")
    if voters is not None:
        declared = _positive_int(voters[1], voters[0], "number of voters")
        total = sum(b.count for b in ballots)
        if declared != total:
            raise BallotFileError(
                voters[0], f"declares {declared} voters but the orders count {total}"
            )
    title = header.get("TITLE")
    return BallotFile(Profile(candidates, tuple(ballots)), kind, None, title[1] if title else None)


def _parse_preflib_legacy(lines: list[str], kind: BallotFormat) -> BallotFile:
    numbered = [(i + 1, line.strip()) for i, line in enumerate(lines) if line.strip()]
    position = 0
    number, line = numbered[position]
    alternatives = _positive_int(line, number, "number of alternatives")
    names: dict[int, str] = {}
    for _ in range(alternatives):
        position += 1
        if position >= len(numbered):
            raise BallotFileError(number, "the file ends before every alternative is named")
        number, line = numbered[position]
        ident, _, name = line.partition(",")
        names[_positive_int(ident, number, "alternative number")] = name.strip()
    candidates = _candidate_names(alternatives, names, number)
    position += 1
    if position >= len(numbered):
        raise BallotFileError(number, "missing the 'voters,sum,unique orders' line")
    totals_number, totals = numbered[position]
    parts = [p.strip() for p in totals.split(",")]
    if len(parts) != 3:
        raise BallotFileError(totals_number, "expected 'voters,sum of counts,unique orders'")
    declared = _positive_int(parts[0], totals_number, "number of voters")
    ballots = []
    for number, line in numbered[position + 1 :]:
        count_text, _, order = line.partition(",")
        count = _positive_int(count_text, number, "ballot count")
        groups = _parse_order(order, number, alternatives)
        ballots.append(_checked_ballot(groups, count, number, kind, alternatives, candidates))
    total = sum(b.count for b in ballots)
    if declared != total:
        raise BallotFileError(
            totals_number, f"declares {declared} voters but the orders count {total}"
        )
    return BallotFile(Profile(candidates, tuple(ballots)), kind)


def _parse_order(text: str, number: int, alternatives: int) -> list[list[int]]:
    groups: list[list[int]] = []
    rest = text.strip()
    while rest:
        if rest.startswith("{"):
            end = rest.find("}")
            if end < 0:
                raise BallotFileError(number, "unclosed '{' in the order")
            inside, rest = rest[1:end], rest[end + 1 :]
            members = [p for p in (x.strip() for x in inside.split(",")) if p]
            if not members:
                raise BallotFileError(number, "empty '{}' in the order")
            groups.append([_alternative(m, number, alternatives) for m in members])
        else:
            token, _, rest = rest.partition(",")
            if token.strip() == "" or "}" in token:
                raise BallotFileError(number, "malformed order (stray comma or brace)")
            groups.append([_alternative(token.strip(), number, alternatives)])
            continue
        rest = rest.strip()
        if rest.startswith(","):
            rest = rest[1:].strip()
            if not rest:
                raise BallotFileError(number, "order ends with a comma")
        elif rest:
            raise BallotFileError(number, "expected ',' after '}'")
    return groups


def _checked_ballot(
    groups: list[list[int]],
    count: int,
    number: int,
    kind: BallotFormat,
    alternatives: int,
    candidates: tuple[str, ...],
) -> Ballot:
    seen: set[int] = set()
    for group in groups:
        for alternative in group:
            if alternative in seen:
                raise BallotFileError(number, f"alternative {alternative} appears twice")
            seen.add(alternative)
    if kind is not BallotFormat.TOC and any(len(g) > 1 for g in groups):
        raise BallotFileError(number, f"ties are not allowed in .{kind.value} (use .toc)")
    if kind is BallotFormat.SOC and len(seen) != alternatives:
        raise BallotFileError(
            number, f"a .soc order must rank all {alternatives} alternatives (use .soi or .toc)"
        )
    if not groups:
        raise BallotFileError(number, "empty order")
    ranking = tuple(frozenset(candidates[a - 1] for a in group) for group in groups)
    return Ballot(ranking, count)


def _candidate_names(alternatives: int, names: dict[int, str], number: int) -> tuple[str, ...]:
    extra = [n for n in names if not 1 <= n <= alternatives]
    if extra:
        raise BallotFileError(
            number, f"alternative {extra[0]} is beyond the {alternatives} declared"
        )
    chosen = [names.get(i) or str(i) for i in range(1, alternatives + 1)]
    if len(set(chosen)) != len(chosen):  # duplicate names: fall back to numbers to stay unambiguous
        chosen = [str(i) for i in range(1, alternatives + 1)]
    return tuple(chosen)


def _alternative(token: str, number: int, alternatives: int) -> int:
    value = _positive_int(token, number, "alternative")
    if value > alternatives:
        raise BallotFileError(number, f"alternative {value} is beyond the {alternatives} declared")
    return value


def _positive_int(text: str, number: int, what: str) -> int:
    token = text.strip()
    if not token.isdigit() or int(token) <= 0:
        raise BallotFileError(number, f"{what} must be a positive integer, got {token!r}")
    return int(token)


# --- BLT ----------------------------------------------------------------------------------------


def parse_blt(text: str) -> BallotFile:
    numbered = [(i + 1, line.strip()) for i, line in enumerate(text.splitlines())]
    numbered = [(n, line) for n, line in numbered if line and not line.startswith("#")]
    if not numbered:
        raise BallotFileError(0, "the file is empty")
    number, line = numbered[0]
    head = line.split()
    if len(head) != 2:
        raise BallotFileError(number, "expected 'candidates seats' on the first line")
    count = _positive_int(head[0], number, "number of candidates")
    seats = _positive_int(head[1], number, "number of seats")
    position = 1
    withdrawn: set[int] = set()
    if position < len(numbered) and numbered[position][1].startswith("-"):
        number, line = numbered[position]
        for token in line.split():
            if not re.fullmatch(r"-\d+", token) or not 1 <= -int(token) <= count:
                raise BallotFileError(number, f"bad withdrawn candidate {token!r}")
            withdrawn.add(-int(token))
        position += 1
    raw_ballots: list[tuple[int, int, list[list[int]]]] = []
    while True:
        if position >= len(numbered):
            raise BallotFileError(number, "missing the '0' line that ends the ballots")
        number, line = numbered[position]
        position += 1
        tokens = line.split()
        if tokens == ["0"]:
            break
        if len(tokens) < 2 or tokens[-1] != "0":
            raise BallotFileError(number, "a ballot line is 'weight c1 c2 … 0'")
        weight = _positive_int(tokens[0], number, "ballot weight")
        groups = []
        for token in tokens[1:-1]:
            groups.append([_blt_candidate(part, number, count) for part in token.split("=")])
        raw_ballots.append((number, weight, groups))
    names: list[str] = []
    for _ in range(count):
        if position >= len(numbered):
            raise BallotFileError(number, f"expected {count} candidate names")
        number, line = numbered[position]
        position += 1
        names.append(_unquote(line))
    if len(set(names)) != len(names):
        raise BallotFileError(number, "two candidates have the same name")
    title = _unquote(numbered[position][1]) if position < len(numbered) else None
    keep = tuple(name for i, name in enumerate(names, start=1) if i not in withdrawn)
    if seats > len(keep):
        raise BallotFileError(numbered[0][0], f"{seats} seats but only {len(keep)} candidates")
    ballots = []
    for number, weight, groups in raw_ballots:
        seen: set[int] = set()
        ranking = []
        for group in groups:
            if seen & set(group):
                raise BallotFileError(
                    number, f"candidate {sorted(seen & set(group))[0]} appears twice"
                )
            seen |= set(group)
            live = frozenset(names[c - 1] for c in group if c not in withdrawn)
            if live:
                ranking.append(live)
        ballots.append(Ballot(tuple(ranking), weight))
    return BallotFile(Profile(keep, tuple(ballots)), BallotFormat.BLT, seats, title)


def _blt_candidate(token: str, number: int, count: int) -> int:
    value = _positive_int(token, number, "candidate number")
    if value > count:
        raise BallotFileError(number, f"candidate {value} is beyond the {count} declared")
    return value


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


# --- CSV ----------------------------------------------------------------------------------------


def parse_csv_ballots(text: str) -> BallotFile:
    candidates, rankings = scan_csv_ballots(text)
    singleton = {name: frozenset((name,)) for name in candidates}
    # Lines repeat (a paper poll has few distinct rankings) and the scan hands back one tuple per
    # distinct ranking, so each distinct ballot is built once and shared: ballots are immutable.
    made: dict[tuple[str, ...], Ballot] = {}
    ballots = []
    for names in rankings:
        ballot = made.get(names)
        if ballot is None:
            ballot = made[names] = Ballot(tuple(singleton[n] for n in names))
        ballots.append(ballot)
    return BallotFile(Profile(candidates, tuple(ballots)), BallotFormat.CSV)


def scan_csv_ballots(text: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """A CSV ballot file as plain data: the candidates in order of first mention and one tuple of
    names per ballot line, checked exactly as :func:`parse_csv_ballots` checks them (a caller that
    only needs counts should use :func:`count_csv_ballots`). Identical lines share one tuple."""
    lines = _plain_lines(text)
    if lines is None:
        return _scan_csv_reader(text)
    parsed = _parse_distinct(lines, dict.fromkeys(lines))
    rankings = [names for names in map(parsed.__getitem__, lines) if names is not None]
    if not rankings:
        raise BallotFileError(0, "the file holds no ballot")
    return _first_mentions(n for n in parsed.values() if n is not None), rankings


def count_csv_ballots(text: str) -> tuple[tuple[str, ...], dict[tuple[str, ...], int]]:
    """:func:`scan_csv_ballots` with identical rankings merged: the candidates in order of first
    mention and each distinct ranking (in order of first appearance) with its number of lines.
    Same checks, same errors; each distinct line is parsed once."""
    lines = _plain_lines(text)
    if lines is None:
        candidates, rankings = _scan_csv_reader(text)
        return candidates, dict(Counter(rankings))
    repeats = Counter(lines)
    counts: dict[tuple[str, ...], int] = {}
    for line, names in _parse_distinct(lines, repeats).items():
        if names is not None:
            counts[names] = counts.get(names, 0) + repeats[line]
    if not counts:
        raise BallotFileError(0, "the file holds no ballot")
    return _first_mentions(counts), counts


def _plain_lines(text: str) -> list[str] | None:
    """The file's lines when the ``csv`` module would read every one of them as plain cells split
    at commas: no quote, no carriage return but in ``\r\n`` line ends, no line as long as the
    csv field limit. Otherwise ``None``, and the caller reads the file with the ``csv`` module."""
    if '"' in text:
        return None
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    limit = csv.field_size_limit()
    if len(text) >= limit and max(map(len, lines)) >= limit:
        return None
    return lines


def _parse_distinct(lines: list[str], distinct: Iterable[str]) -> dict[str, tuple[str, ...] | None]:
    """Each distinct line (in order of first appearance) to its names, or ``None`` for a blank or
    comment line. A bad line raises naming its first appearance, which is the first bad line of
    the file: the distinct lines come in order of first appearance."""
    parsed: dict[str, tuple[str, ...] | None] = {}
    for line in distinct:
        cells = line.split(",")
        if "" not in cells and line.split(None, 1) == [line]:  # no blank cell, no whitespace
            names = None if line.startswith("#") else tuple(cells)
        else:
            names = _ballot_names(cells)
        if names is not None:
            duplicate = _duplicate(names)
            if duplicate is not None:
                raise BallotFileError(
                    lines.index(line) + 1, f"{duplicate!r} appears twice on the same ballot"
                )
        parsed[line] = names
    return parsed


def _scan_csv_reader(text: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """:func:`scan_csv_ballots` through the ``csv`` module, for files with quotes or odd line
    ends (and the reference the plain-line path must agree with)."""
    rankings: list[tuple[str, ...]] = []
    reader = csv.reader(io.StringIO(text))
    try:
        for row in reader:
            names = _ballot_names(row)
            if names is None:
                continue
            duplicate = _duplicate(names)
            if duplicate is not None:
                raise BallotFileError(
                    reader.line_num, f"{duplicate!r} appears twice on the same ballot"
                )
            rankings.append(names)
    except csv.Error as error:
        raise BallotFileError(reader.line_num, f"malformed CSV: {error}") from None
    if not rankings:
        raise BallotFileError(0, "the file holds no ballot")
    return _first_mentions(rankings), rankings


def _ballot_names(row: list[str]) -> tuple[str, ...] | None:
    """A row's names (blank cells skipped), or ``None`` for a blank or ``#`` comment line."""
    cells = [cell.strip() for cell in row]
    if not any(cells) or cells[0].startswith("#"):
        return None
    return tuple(filter(None, cells))


def _duplicate(names: tuple[str, ...]) -> str | None:
    if len(set(names)) == len(names):
        return None
    return next(n for i, n in enumerate(names) if n in names[:i])


def _first_mentions(rankings: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(itertools.chain.from_iterable(rankings)))
