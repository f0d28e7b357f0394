"""The CSV ballot scan reads plain files line by line (each distinct line parsed once) instead of
through the ``csv`` module: it must agree with the ``csv`` reading it replaced on every file,
valid or not — same candidates, same ballots, same error on the same line."""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.core.decide.ballot_files import (
    count_csv_ballots,
    parse_csv_ballots,
    scan_csv_ballots,
)
from shared.core.decide.errors import BallotFileError


def reference_scan(text: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """``scan_csv_ballots`` as it was before the plain-line path: every row through ``csv``."""
    rankings: list[tuple[str, ...]] = []
    reader = csv.reader(io.StringIO(text))
    try:
        for row in reader:
            cells = [cell.strip() for cell in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            names = tuple(filter(None, cells))
            if len(set(names)) != len(names):
                duplicate = next(n for i, n in enumerate(names) if n in names[:i])
                raise BallotFileError(
                    reader.line_num, f"{duplicate!r} appears twice on the same ballot"
                )
            rankings.append(names)
    except csv.Error as error:
        raise BallotFileError(reader.line_num, f"malformed CSV: {error}") from None
    if not rankings:
        raise BallotFileError(0, "the file holds no ballot")
    return tuple(dict.fromkeys(itertools.chain.from_iterable(rankings))), rankings


def outcome(function, text: str):  # type: ignore[no-untyped-def]
    try:
        return "ok", function(text)
    except BallotFileError as error:
        return "error", error.line, str(error)


# Few names and separators, so lines repeat, cells go blank, names repeat on a line, comments,
# quotes, stray carriage returns and unicode whitespace all turn up often.
_cell = st.sampled_from(["a", "b", "c", "d", " a", "b ", "\tc", "", " ", "#", "#x", '"a"', '"'])
_line = st.lists(_cell, max_size=5).map(",".join)
_end = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", "\x0b", "\u2028"])
_file = st.lists(st.tuples(_line, _end), max_size=25).map(
    lambda lines: "".join(line + end for line, end in lines)
)
_tail = st.sampled_from(["", "a,b", "c\r", "\n"])


@settings(max_examples=600, deadline=None)
@given(_file, _tail)
def test_scan_agrees_with_the_csv_reader(body: str, tail: str) -> None:
    text = body + tail
    expected = outcome(reference_scan, text)
    assert outcome(scan_csv_ballots, text) == expected
    counted = outcome(count_csv_ballots, text)
    if expected[0] == "ok":
        candidates, rankings = expected[1]
        assert counted == ("ok", (candidates, dict(Counter(rankings))))
        assert list(counted[1][1]) == list(dict.fromkeys(rankings))  # first appearance order
    else:
        assert counted == expected


@settings(max_examples=200, deadline=None)
@given(_file)
def test_crlf_files_read_like_lf_files(body: str) -> None:
    plain = body.replace("\r", "")
    windows = plain.replace("\n", "\r\n")
    assert outcome(scan_csv_ballots, windows) == outcome(reference_scan, windows)
    if '"' not in plain:  # a quoted cell keeps the line end it spans
        assert outcome(scan_csv_ballots, windows) == outcome(scan_csv_ballots, plain)


def test_the_first_bad_line_is_named_even_when_it_repeats_later() -> None:
    text = "a,b\nb,c,b\na,b\nc,a,c\nb,c,b\n"
    with pytest.raises(BallotFileError, match="line 2: 'b' appears twice") as caught:
        count_csv_ballots(text)
    assert caught.value.line == 2
    with pytest.raises(BallotFileError, match="line 2: 'b' appears twice"):
        scan_csv_ballots(text)


def test_identical_lines_share_one_ranking_and_one_ballot() -> None:
    text = "a,b,c\n" * 1000 + "c, b\n" + "c,b\n" * 10
    candidates, counts = count_csv_ballots(text)
    assert candidates == ("a", "b", "c")
    assert counts == {("a", "b", "c"): 1000, ("c", "b"): 11}
    _, rankings = scan_csv_ballots(text)
    assert len(rankings) == 1011 and len({id(r) for r in rankings[:1000]}) == 1
    profile = parse_csv_ballots(text).profile
    assert profile.total == 1011 and len(profile.ballots) == 1011
    assert profile.ballots[0] is profile.ballots[999]


def test_quoted_files_still_go_through_the_csv_module() -> None:
    candidates, counts = count_csv_ballots('"a, b",c\n"a, b",c\n')
    assert candidates == ("a, b", "c") and counts == {("a, b", "c"): 2}
    with pytest.raises(BallotFileError, match="line 1: malformed CSV"):
        count_csv_ballots("a\rb\n")
