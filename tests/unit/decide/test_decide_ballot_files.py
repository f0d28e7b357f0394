"""Ballot file parsers: PrefLib (current and legacy), BLT, CSV; malformed files name the line."""

from __future__ import annotations

import pytest

from shared.core.decide.ballot_files import (
    BallotFormat,
    guess_format,
    parse_ballot_file,
    parse_blt,
    parse_csv_ballots,
    parse_preflib,
)
from shared.core.decide.ballots import Ballot
from shared.core.decide.errors import BallotError, BallotFileError
from shared.core.decide.tally import tally
from tests.support.paths import DECIDE_DATA

DATA = DECIDE_DATA


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_preflib_soc_reads_names_counts_and_orders() -> None:
    parsed = parse_preflib(read("schulze_45.soc"), "soc")
    assert parsed.profile.candidates == ("A", "B", "C", "D", "E")
    assert parsed.profile.total == 45
    assert parsed.profile.ballots[0] == Ballot.of("A", "C", "B", "E", "D", count=5)
    assert parsed.title is not None and "Schulze" in parsed.title


def test_preflib_legacy_format() -> None:
    parsed = parse_preflib(read("tennessee_legacy.soi"), "soi")
    assert parsed.profile.candidates == ("Memphis", "Nashville", "Chattanooga", "Knoxville")
    assert tally(parsed.profile, "irv").winners == ("Knoxville",)


def test_preflib_toc_ties_and_truncation() -> None:
    parsed = parse_preflib(read("ties.toc"), "toc")
    first = parsed.profile.ballots[0]
    assert first.ranking == (
        frozenset({"Saúde mental"}),
        frozenset({"Atenção básica", "Vigilância"}),
    )
    assert parsed.profile.ballots[1].ranking == (frozenset({"Atenção básica", "Vigilância"}),)


def test_blt_with_seats_title_withdrawn_and_ties() -> None:
    parsed = parse_ballot_file(read("food.blt"), BallotFormat.BLT)
    assert parsed.seats == 3 and parsed.title == "Wikipedia STV example"
    assert tally(parsed.profile, "stv", seats=3).winners[0] == "Chocolate"
    withdrawn = parse_blt('3 1\n-2\n2 1 2=3 0\n1 2 0\n0\n"a"\n"b"\n"c"\n')
    assert withdrawn.profile.candidates == ("a", "c")
    assert withdrawn.profile.ballots[0].ranking == (frozenset({"a"}), frozenset({"c"}))
    assert withdrawn.profile.ballots[1].ranking == ()


def test_csv_one_ballot_per_line() -> None:
    parsed = parse_csv_ballots(read("poll.csv"))
    assert parsed.profile.candidates == ("Ampliar UBS", "Reformar UBS", "Contratar médicos")
    assert len(parsed.profile.ballots) == 4
    assert parsed.profile.ballots[2].ranking == (frozenset({"Reformar UBS"}),)


def test_guess_format_by_extension() -> None:
    assert guess_format("x.TOC") is BallotFormat.TOC
    with pytest.raises(BallotError, match="cannot tell"):
        guess_format("ballots.txt")


HEADER = "# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: a\n# ALTERNATIVE NAME 2: b\n"


@pytest.mark.parametrize(
    ("text", "kind", "line", "reason"),
    [
        (HEADER + "2: 1,2,3\n1: 1,4\n", "soi", 5, "beyond the 3 declared"),
        (HEADER + "2: 1,2\n", "soc", 4, "must rank all 3"),
        (HEADER + "2: 1,{2,3}\n", "soi", 4, "ties are not allowed"),
        (HEADER + "0: 1,2,3\n", "soc", 4, "ballot count must be a positive integer"),
        (HEADER + "2: 1,1,3\n", "soc", 4, "appears twice"),
        (HEADER + "2: 1,{2,3\n", "toc", 4, "unclosed"),
        (HEADER + "2 1,2,3\n", "soc", 4, "expected 'count: order'"),
        ("# DATA TYPE: soi\n" + HEADER + "1: 1\n", "toc", 1, "declares 'soi'"),
        ("# NUMBER VOTERS: 5\n" + HEADER + "1: 1,2,3\n", "soc", 1, "declares 5 voters"),
    ],
)
def test_malformed_preflib_names_the_line(text: str, kind: str, line: int, reason: str) -> None:
    with pytest.raises(BallotFileError, match=reason) as caught:
        parse_preflib(text, kind)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}:")


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("2\n1 1 2 0\n0\n", 1, "candidates seats"),
        ("2 1\n1 1 3 0\n0\n", 2, "beyond the 2 declared"),
        ("2 1\n1 1 2\n0\n", 2, "weight c1 c2"),
        ('2 1\n1 1 1 0\n0\n"a"\n"b"\n', 2, "appears twice"),
        ('2 1\n1 1 2 0\n"a"\n"b"\n', 3, "weight c1 c2"),
        ('2 1\n1 1 2 0\n0\n"a"\n', 4, "expected 2 candidate names"),
    ],
)
def test_malformed_blt_names_the_line(text: str, line: int, reason: str) -> None:
    with pytest.raises(BallotFileError, match=reason) as caught:
        parse_blt(text)
    assert caught.value.line == line


def test_csv_duplicate_on_a_ballot_names_the_line() -> None:
    with pytest.raises(BallotFileError, match="line 3: 'a' appears twice"):
        parse_csv_ballots("a,b\n\na,c,a\n")


def test_empty_files_are_errors() -> None:
    for kind in BallotFormat:
        with pytest.raises(BallotFileError):
            parse_ballot_file("\n\n", kind)
