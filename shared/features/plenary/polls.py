"""Polls: open, vote (electronic, secretary counts, uploaded ballot file), close and publish.

Secrecy: casting writes the voter roll row and the ballot row in one transaction, but the ballot
row carries a random UUID4 key and no participant, timestamp or sequence. Counts and ballot files
are written already shuffled (one batch, random keys, random physical order); electronic ballots
arrive one by one, so their heap order follows the voter roll's and closing rewrites them in a
random order, in SQL. The public export is a canonical PrefLib ``.toc`` whose
SHA-256 goes into the tally manifest; the published result is the tally of that very text.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.messages import SignedRecord, TallyManifest
from shared.core.cycle import Decision
from shared.core.decide.ballot_files import BallotFormat, count_csv_ballots, parse_ballot_file
from shared.core.decide.ballots import TieGroups
from shared.core.decide.errors import DecisionError
from shared.core.decide.tally import tally
from shared.core.errors import Conflict, Forbidden, Invalid, NotFound
from shared.core.polls import (
    CHOICES,
    TALLY_METHOD,
    PollResult,
    Ranking,
    check_method,
    decide,
    decision_count,
    export_preflib,
    normalise_ranking,
    pairwise_counts,
    profile_of,
    ranking_lists,
    sha256_hex,
)
from shared.features.plenary.ballot_box import BallotBox, padded_length, unseal
from shared.features.plenary.model import Ballot, Poll, PollEligible, PollVoter, SealedBallot

_shuffler = random.SystemRandom()
MAX_CANDIDATES = 500
#: The largest total a poll may hold: ``plenary_poll.ballots_total`` and ``plenary_ballot.count``
#: are PostgreSQL ``integer`` columns; a total above it could never be written, so the poll
#: could never close.
MAX_BALLOTS = 2**31 - 1
#: Modes whose ballots the desk enters (counts by hand, ballot files): closing one takes two
#: people (:func:`confirm_counted`).
DESK_MODES = ("counts", "file")
#: A poll that is not yet closed: open, or counted and awaiting its confirmation.
UNFINISHED = ("open", "counted")
#: A closed priority poll's outcome: its ranking is the order of its items.
RANKED = "ranked"

#: Built once: constructing a statement costs more CPU than running a cached one.
_OPEN_POLLS = select(Poll.subject, Poll.id).where(
    Poll.assembly_id == bindparam("assembly_id"),
    Poll.kind == bindparam("kind"),
    Poll.subject.in_(bindparam("subjects", expanding=True)),
    Poll.status.in_(UNFINISHED),
)
_HELD = select(func.coalesce(func.sum(Ballot.count), 0)).where(
    Ballot.poll_id == bindparam("poll_id")
)
_ELIGIBLE = select(PollEligible.voter_id).where(
    PollEligible.poll_id == bindparam("poll_id"), PollEligible.voter_id == bindparam("voter_id")
)
_SEALED_OF = select(SealedBallot.box).where(SealedBallot.poll_id == bindparam("poll_id"))
_BALLOTS_OF = (
    select(Ballot.ranking, func.sum(Ballot.count))
    .where(Ballot.poll_id == bindparam("poll_id"))
    .group_by(Ballot.ranking)
)


async def open_poll(
    session: AsyncSession,
    *,
    assembly_id: str,
    kind: str,
    mode: str,
    subject: str,
    title: str,
    method: str,
    candidates: Sequence[str],
    approvals: int = 1,
    amended_text: str | None = None,
    electorate: Sequence[str] | None = None,
    box: BallotBox | None = None,
    audit_head: str = "",
) -> Poll:
    """Open a poll; decision and motion polls always offer yes / no / abstain.

    ``electorate`` (the voter ids credentialed now) is frozen as the poll's roll: nobody else
    casts a ballot in it, and counts cannot exceed it. An electronic poll is sealed to the
    assembly's ballot box key, which must exist. With ``box`` the poll's signed opening record
    (zerésima) is written: the roll's size and hash, the key's fingerprint and zero ballots.
    """
    if kind in ("decision", "motion"):
        candidates, method = CHOICES, "plurality"
    check_method(method)
    if not candidates:
        raise Invalid("a poll needs at least one candidate")
    if len(candidates) > MAX_CANDIDATES:
        raise Invalid(f"at most {MAX_CANDIDATES} candidates per poll")
    await _refuse_open(session, assembly_id, kind, [subject])
    fingerprint = None
    if mode == "electronic":
        if box is None:
            raise Conflict("electronic polls need the ballot box")
        fingerprint = await box.fingerprint(session, assembly_id)
        if fingerprint is None:
            raise Conflict("open the ballot box first: electronic ballots are sealed to its key")
    roll = sorted(set(electorate)) if electorate is not None else None
    poll = Poll(
        assembly_id=assembly_id,
        kind=kind,
        mode=mode,
        subject=subject,
        title=title,
        method=method,
        candidates=list(candidates),
        approvals=max(1, approvals),
        amended_text=amended_text,
        status="open",
        electorate=None if roll is None else len(roll),
        roll_sha256=None if roll is None else roll_hash(roll),
        key_fingerprint=fingerprint,
    )
    session.add(poll)
    await session.flush()
    if roll:
        await session.execute(
            insert(PollEligible), [{"poll_id": poll.id, "voter_id": v} for v in roll]
        )
    if box is not None:
        poll.opening = box.sign(
            {
                "record": "zeresima",
                "poll_id": str(poll.id),
                "assembly_id": assembly_id,
                "kind": kind,
                "mode": mode,
                "subject": subject,
                "title": title,
                "method": method,
                "candidates": list(poll.candidates),
                "electorate": poll.electorate,
                "roll_sha256": poll.roll_sha256,
                "key_fingerprint": fingerprint,
                "ballots": 0,
                "audit_head": audit_head,
            }
        )
        await session.flush()
    return poll


def roll_hash(voter_ids: Sequence[str]) -> str:
    """SHA-256 of a roll: its sorted voter ids, one a line."""
    return hashlib.sha256("".join(f"{v}\n" for v in sorted(voter_ids)).encode()).hexdigest()


async def _refuse_open(
    session: AsyncSession, assembly_id: str, kind: str, subjects: Sequence[str]
) -> None:
    """A conflict naming the first subject (in the given order) that already has an open poll."""
    rows = (
        await session.execute(
            _OPEN_POLLS, {"assembly_id": assembly_id, "kind": kind, "subjects": list(subjects)}
        )
    ).all()
    if rows:
        open_ids = {subject: poll_id for subject, poll_id in rows}
        subject = next(s for s in subjects if s in open_ids)
        raise Conflict(
            f"a {kind} poll on {subject} is already open", poll_id=str(open_ids[subject])
        )


async def get_poll(
    session: AsyncSession, poll_id: uuid.UUID, *, assembly_id: str, lock: bool = False
) -> Poll:
    poll = await session.get(Poll, poll_id, with_for_update=lock)
    if poll is None or poll.assembly_id != assembly_id:
        raise NotFound(f"no poll {poll_id} in this assembly")
    return poll


async def list_polls(session: AsyncSession, assembly_id: str) -> Sequence[Poll]:
    return (
        await session.scalars(select(Poll).where(Poll.assembly_id == assembly_id).order_by(Poll.id))
    ).all()


async def ballots_held(session: AsyncSession, poll_ids: Sequence[str]) -> dict[str, int]:
    """Poll id → ballots held so far (counts entered, files, sealed electronic ballots): an
    open poll's turnout, before closing settles ``ballots``. Public, like the polls."""
    keys = [uuid.UUID(p) for p in poll_ids]
    if not keys:
        return {}
    counted = await session.execute(
        select(Ballot.poll_id, func.sum(Ballot.count))
        .where(Ballot.poll_id.in_(keys))
        .group_by(Ballot.poll_id)
    )
    sealed = await session.execute(
        select(SealedBallot.poll_id, func.count())
        .where(SealedBallot.poll_id.in_(keys))
        .group_by(SealedBallot.poll_id)
    )
    held: dict[str, int] = {}
    for poll_id, n in [*counted, *sealed]:
        held[str(poll_id)] = held.get(str(poll_id), 0) + int(n or 0)
    return held


def _require_open(poll: Poll, mode: str) -> None:
    if poll.status != "open":
        raise Conflict("the poll is closed")
    if poll.mode != mode:
        raise Conflict(f"this poll takes {poll.mode} votes, not {mode}")


async def cast_ballot(
    session: AsyncSession,
    poll: Poll,
    voter_id: str,
    ranking: Sequence[Sequence[str]],
    box: BallotBox,
) -> str:
    """One electronic ballot, sealed, written with the voter's roll row in one transaction; a
    second ballot by the same voter is a conflict, a voter not on the poll's frozen roll is
    refused. Returns the voter's receipt: the first 16 hex digits of the box's SHA-256, which
    the published list of sealed ballots lets them find."""
    _require_open(poll, "electronic")
    if poll.electorate is not None:
        eligible = await session.scalar(_ELIGIBLE, {"poll_id": poll.id, "voter_id": voter_id})
        if eligible is None:
            raise Forbidden("not on this poll's roll: it was frozen when the poll opened")
    content = normalise_ranking(
        ranking, poll.candidates, method=poll.method, approvals=poll.approvals
    )
    sealed, fingerprint = await box.seal(
        session,
        poll.assembly_id,
        json.dumps(_json(content), ensure_ascii=False).encode(),
        padded_length(poll.candidates),
    )
    if poll.key_fingerprint is not None and fingerprint != poll.key_fingerprint:
        raise Conflict("the ballot box key changed since the poll opened")
    claimed = await session.scalar(
        pg_insert(PollVoter)
        .values(poll_id=poll.id, voter_id=voter_id)
        .on_conflict_do_nothing()
        .returning(PollVoter.voter_id)
    )
    if claimed is None:
        raise Conflict("this participant has already voted in this poll")
    await session.execute(
        insert(SealedBallot), [{"id": uuid.uuid4(), "poll_id": poll.id, "box": sealed}]
    )
    return hashlib.sha256(sealed).hexdigest()[:16]


async def record_counts(
    session: AsyncSession, poll: Poll, entries: Sequence[tuple[Sequence[Sequence[str]], int]]
) -> int:
    """Counts the secretary entered (hands, paper): ``(ranking, count)`` pairs, added up."""
    _require_open(poll, "counts")
    rows = _counted(entries, poll.candidates, method=poll.method, approvals=poll.approvals)
    await _within_bounds(session, poll, sum(count for _, count in rows))
    return await _insert_ballots(session, poll.id, rows)


async def _within_bounds(session: AsyncSession, poll: Poll, added: int) -> None:
    """Refuse counts that would take the poll past what it can hold: the voters of its frozen
    roll when it has one, and in any case what its integer columns can store."""
    held = int(await session.scalar(_HELD, {"poll_id": poll.id}) or 0)
    limit = MAX_BALLOTS if poll.electorate is None else min(poll.electorate, MAX_BALLOTS)
    if held + added > limit:
        whom = "the poll can hold" if poll.electorate is None else "voters on the poll's roll"
        raise Invalid(
            f"{held} ballots held and {added} more is above the {limit} {whom}",
            held=held,
            added=added,
            limit=limit,
        )


async def void_counts(session: AsyncSession, poll: Poll) -> int:
    """Withdraw every count and file entered into an open poll (a mistyped or refused entry),
    so it can be counted again or closed; returns the ballots withdrawn."""
    if poll.status != "open":
        raise Conflict("the poll is closed")
    if poll.mode == "electronic":
        raise Conflict("an electronic poll's ballots are the voters', not the desk's")
    held = int(await session.scalar(_HELD, {"poll_id": poll.id}) or 0)
    await session.execute(delete(Ballot).where(Ballot.poll_id == poll.id))
    return held


def _counted(
    entries: Sequence[tuple[Sequence[Sequence[str]], int]],
    candidates: Sequence[str],
    *,
    method: str,
    approvals: int,
) -> list[tuple[Ranking, int]]:
    """Checked ``(ranking, count)`` entries, zero counts left out."""
    rows: list[tuple[Ranking, int]] = []
    for raw, count in entries:
        if count < 0:
            raise Invalid("counts cannot be negative")
        if count == 0:
            continue
        rows.append((normalise_ranking(raw, candidates, method=method, approvals=approvals), count))
    return rows


async def upload_ballot_file(session: AsyncSession, poll: Poll, text: str, file_format: str) -> int:
    """Paper ballots typed into a PrefLib or CSV file; names must be the poll's candidate ids
    (PrefLib files may also number the candidates in the poll's order)."""
    _require_open(poll, "file")
    # Identical rankings are checked and stored once with their summed count: the export merges
    # them anyway, so the tally is the same, and a file of many lines becomes fewer rows.
    merged: Counter[TieGroups] = Counter()
    lines: dict[tuple[str, ...], int] = {}
    try:
        chosen = BallotFormat(file_format)
        if chosen is BallotFormat.CSV:  # each distinct line parsed once, counted, no profile
            names, lines = count_csv_ballots(text)
        else:
            profile = parse_ballot_file(text, chosen).profile
            names = profile.candidates
            for ballot in profile.ballots:
                merged[ballot.ranking] += ballot.count
    except ValueError as exc:  # BallotFileError / BallotError are ValueErrors too
        raise Invalid(f"malformed ballot file: {exc}") from exc
    known = set(poll.candidates)
    mapping: dict[str, str]
    if set(names) <= known:
        mapping = {n: n for n in names}
    elif chosen is not BallotFormat.CSV and len(names) == len(poll.candidates):
        mapping = dict(zip(names, poll.candidates, strict=True))
    else:
        unknown = sorted(set(names) - known)
        raise Invalid(f"the file names unknown candidates: {unknown[:5]}")
    rows: list[tuple[Ranking, int]]
    if chosen is BallotFormat.CSV and poll.method not in ("approval", "plurality"):
        # A CSV line already is what normalise_ranking would make of it: names of the poll
        # (checked above, mapped to themselves), none twice (checked by the scan), at least one,
        # one per group. Only approval and plurality polls reshape or refuse it.
        rows = [(tuple((n,) for n in ranked), count) for ranked, count in lines.items()]
        await _within_bounds(session, poll, sum(count for _, count in rows))
        return await _insert_ballots(session, poll.id, rows)
    entries: Iterable[tuple[TieGroups | tuple[str, ...], int]] = (
        lines.items() if chosen is BallotFormat.CSV else merged.items()
    )
    rows = []
    for ranking, count in entries:
        raw = [
            [mapping[group]] if isinstance(group, str) else [mapping[c] for c in sorted(group)]
            for group in ranking
        ]
        try:
            content = normalise_ranking(
                raw, poll.candidates, method=poll.method, approvals=poll.approvals
            )
        except Invalid as exc:
            raise Invalid(f"malformed ballot file: {exc.detail}") from exc
        rows.append((content, count))
    await _within_bounds(session, poll, sum(count for _, count in rows))
    return await _insert_ballots(session, poll.id, rows)


async def _insert_ballots(
    session: AsyncSession, poll_id: uuid.UUID, rows: list[tuple[Ranking, int]]
) -> int:
    """Write validated ballots with one ``COPY``, in a random order under random keys.

    The shuffle happens before anything reaches the table, so neither the keys nor the heap
    order of a batch say which line of the file (or which entry) a row came from. The COPY runs
    on the session's own connection, inside its transaction: a later failure rolls it back.
    """
    await _copy_ballots(session, [(poll_id, content, count) for content, count in rows])
    return sum(count for _, count in rows)


async def _copy_ballots(session: AsyncSession, rows: list[tuple[uuid.UUID, Ranking, int]]) -> None:
    """``(poll id, ranking, count)`` rows shuffled, under random keys, in one ``COPY``."""
    if not rows:
        return
    _shuffler.shuffle(rows)
    keys = _random_uuids(len(rows))
    # Rankings repeat their groups (and a file's rows share candidates), so each distinct group
    # is JSON-encoded once and a ranking's text is joined from them: the same text as
    # ``json.dumps(_json(content))``, without encoding every name of every row.
    encoded: dict[tuple[str, ...], str] = {}
    records = []
    for key, (poll_id, content, count) in zip(keys, rows, strict=True):
        parts = []
        for group in content:
            text = encoded.get(group)
            if text is None:
                text = encoded[group] = json.dumps(list(group))
            parts.append(text)
        records.append((key, poll_id, "[" + ", ".join(parts) + "]", count))
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    await driver.copy_records_to_table(
        Ballot.__tablename__, records=records, columns=("id", "poll_id", "ranking", "count")
    )


def _random_uuids(n: int) -> list[str]:
    """``n`` random (version 4) UUIDs as text, from one ``os.urandom`` call: as random as
    ``uuid.uuid4()``, without a system call and a ``UUID`` object per ballot."""
    block = bytearray(os.urandom(16 * n))
    block[6::16] = bytes((b & 0x0F) | 0x40 for b in block[6::16])  # version 4
    block[8::16] = bytes((b & 0x3F) | 0x80 for b in block[8::16])  # RFC 4122 variant
    digits = block.hex()
    return [
        f"{digits[i : i + 8]}-{digits[i + 8 : i + 12]}-{digits[i + 12 : i + 16]}-"
        f"{digits[i + 16 : i + 20]}-{digits[i + 20 : i + 32]}"
        for i in range(0, 32 * n, 32)
    ]


def _json(content: Ranking) -> list[list[str]]:
    return [list(group) for group in content]


async def ballots_of(session: AsyncSession, poll: Poll) -> list[tuple[Ranking, int]]:
    """The poll's distinct rankings with their total counts (merged in the database: the
    export merges identical ballots anyway)."""
    rows = (await session.execute(_BALLOTS_OF, {"poll_id": poll.id})).all()
    return [(tuple(tuple(g) for g in ranking), int(count)) for ranking, count in rows]


def export_title(poll: Poll) -> str:
    return _title(poll.kind, poll.subject, poll.method)


def _title(kind: str, subject: str, method: str) -> str:
    return f"{kind} {subject} ({method})"


async def export_text(session: AsyncSession, poll: Poll) -> str:
    """The public ballot export; only once the poll is closed (a running export would let
    someone diff it against the voter roll)."""
    if poll.status != "closed":
        raise Conflict("ballots are published when the poll closes")
    return export_preflib(
        poll.candidates, await ballots_of(session, poll), title=export_title(poll)
    )


async def close_poll(
    session: AsyncSession,
    poll: Poll,
    decision_rule: Decision | None,
    box: BallotBox | None = None,
    audit_head: str = "",
    *,
    counted_by: str | None = None,
) -> Poll:
    """Close: open an electronic poll's sealed ballots in memory, shuffle them with the OS
    CSPRNG and write them as the public manifest, all in this one transaction, which reads and
    writes no roll table (``plenary_voter``, ``plenary_eligible``); then publish the export's
    hash, the tally of the export and the signed closing record (boletim de urna).

    Counts and ballot files are the desk's, not the voters': when ``counted_by`` names who
    closes such a poll, it is tallied but only ``counted`` — a second person confirms it
    (:func:`confirm_counted`) before it is closed and its record signed."""
    if poll.status != "open":
        raise Conflict("the poll is already closed")
    voted, null, sealed_sha256 = 0, 0, ""
    if poll.mode == "electronic":
        if box is None:
            raise Conflict("electronic polls need the ballot box")
        opener = box.opener(poll.assembly_id, poll.key_fingerprint)
        boxes = list((await session.scalars(_SEALED_OF, {"poll_id": poll.id})).all())
        voted = len(boxes)
        sealed_sha256 = hashlib.sha256(b"".join(sorted(boxes))).hexdigest()
        opened: list[tuple[uuid.UUID, Ranking, int]] = []
        for sealed in boxes:
            content = _opened(unseal(opener, sealed), poll)
            if content is None:
                null += 1
            else:
                opened.append((poll.id, content, 1))
        del boxes
        await _copy_ballots(session, opened)  # shuffled, under fresh random keys
    counted = _tally(
        kind=poll.kind,
        subject=poll.subject,
        method=poll.method,
        candidates=poll.candidates,
        approvals=poll.approvals,
        amended=bool(poll.amended_text),
        ballots=await ballots_of(session, poll),
        decision_rule=decision_rule,
    )
    if counted.ballots_total > MAX_BALLOTS:  # entered before totals were bounded
        raise Invalid(
            f"{counted.ballots_total} ballots cannot be stored: void the counts and enter them "
            "again",
            ballots=counted.ballots_total,
        )
    if counted.outcome is not None:
        poll.outcome = counted.outcome
    poll.result = msgspec.to_builtins(counted.result)
    poll.export_sha256 = counted.export_sha256
    poll.ballots_total = counted.ballots_total
    if counted_by is not None and poll.mode in DESK_MODES:
        poll.status = "counted"
        poll.counted_by = counted_by
        await session.flush()
        return poll
    poll.status = "closed"
    if box is not None:
        poll.closing = _boletim(
            poll, box, voted=voted, null=null, sealed_sha256=sealed_sha256, audit_head=audit_head
        )
    await session.flush()
    return poll


def _boletim(
    poll: Poll, box: BallotBox, *, voted: int, null: int, sealed_sha256: str, audit_head: str
) -> dict[str, Any]:
    """The signed closing record of a tallied poll."""
    return box.sign(
        {
            "record": "boletim",
            "poll_id": str(poll.id),
            "assembly_id": poll.assembly_id,
            "kind": poll.kind,
            "mode": poll.mode,
            "subject": poll.subject,
            "outcome": poll.outcome,
            "result": poll.result,
            "ballots": poll.ballots_total,
            "electorate": poll.electorate,
            "voted": voted if poll.mode == "electronic" else poll.ballots_total,
            "null": null,
            "export_sha256": poll.export_sha256,
            "sealed_sha256": sealed_sha256,
            "key_fingerprint": poll.key_fingerprint,
            "opening_sha256": _record_hash(poll.opening),
            "counted_by": poll.counted_by,
            "confirmed_by": poll.confirmed_by,
            "audit_head": audit_head,
        }
    )


async def confirm_counted(
    session: AsyncSession, poll: Poll, by: str, box: BallotBox | None, audit_head: str = ""
) -> Poll:
    """A second person of the desk confirms a counted poll's tally: it is closed, and its
    closing record, naming both, signed."""
    if poll.status != "counted":
        raise Conflict(f"the poll is {poll.status}; only a counted poll awaits confirmation")
    if by == poll.counted_by:
        raise Forbidden(
            "whoever closed a counted poll cannot also confirm it: another person of the desk must"
        )
    poll.status = "closed"
    poll.confirmed_by = by
    if box is not None:
        poll.closing = _boletim(poll, box, voted=0, null=0, sealed_sha256="", audit_head=audit_head)
    await session.flush()
    return poll


async def send_back(session: AsyncSession, poll: Poll) -> Poll:
    """The second person does not confirm: the counted poll is open again, its entries kept,
    to be voided, corrected or closed again."""
    if poll.status != "counted":
        raise Conflict(f"the poll is {poll.status}; only a counted poll can be sent back")
    poll.status = "open"
    poll.counted_by = None
    poll.result = None
    poll.outcome = None
    poll.export_sha256 = None
    poll.ballots_total = 0
    await session.flush()
    return poll


def _record_hash(signed: dict[str, object] | None) -> str:
    if not signed:
        return ""
    return hashlib.sha256(str(signed.get("record", "")).encode()).hexdigest()


def _opened(plain: bytes | None, poll: Poll) -> Ranking | None:
    """A ballot out of its box, checked again as at cast time (None: counted as null)."""
    if plain is None:
        return None
    try:
        raw = json.loads(plain)
        return normalise_ranking(raw, poll.candidates, method=poll.method, approvals=poll.approvals)
    except (ValueError, TypeError, Invalid):
        return None


@dataclass(frozen=True, slots=True)
class _Tally:
    result: PollResult
    export_sha256: str
    ballots_total: int
    outcome: str | None


def _tally(
    *,
    kind: str,
    subject: str,
    method: str,
    candidates: Sequence[str],
    approvals: int,
    amended: bool,
    ballots: Iterable[tuple[Ranking, int]],
    decision_rule: Decision | None,
) -> _Tally:
    """What closing publishes: the tally of the canonical export of ``ballots`` (the export is
    parsed back once, as ``plenaria tally`` would read the downloaded file)."""
    export = export_preflib(candidates, ballots, title=_title(kind, subject, method))
    profile = profile_of(export)
    if not profile.candidates:
        raise Invalid("a poll needs at least one candidate")
    try:
        tallied = tally(
            profile, TALLY_METHOD[method], approvals=None if method == "approval" else approvals
        )
    except DecisionError as exc:
        raise Invalid(str(exc)) from exc
    result = PollResult(
        method=method,
        ranking=ranking_lists(tallied),
        winners=list(tallied.winners),
        scores={k: float(v) for k, v in (tallied.scores or {}).items()},
        ballots=profile.total,
    )
    outcome: str | None = None
    if kind in ("decision", "motion"):
        count = decision_count(profile)
        result = msgspec.structs.replace(result, yes=count.yes, no=count.no, abstain=count.abstain)
        if kind == "decision" and decision_rule is not None:
            outcome = decide(count, decision_rule, amended=amended)
    elif kind == "priority":
        result = msgspec.structs.replace(
            result, pairwise=pairwise_counts(profile), pairwise_candidates=list(profile.candidates)
        )
        # Like a decision's "approved": what the poll settled. Its ranking becomes the ranks
        # of its items (the proposals', or the consolidated items') once it is closed.
        outcome = RANKED
    return _Tally(result, sha256_hex(export), profile.total, outcome)


@dataclass(frozen=True, slots=True)
class CountedDecision:
    """A decision poll opened, counted from entered yes / no / abstain and closed at once."""

    subject: str
    title: str
    entries: Sequence[tuple[Sequence[Sequence[str]], int]]
    rule: Decision
    amended_text: str | None = None


async def decide_counted(
    session: AsyncSession,
    *,
    assembly_id: str,
    decisions: Sequence[CountedDecision],
    electorate: int | None = None,
    counted_by: str | None = None,
) -> list[Poll]:
    """Many decision polls in counts mode, each opened, counted and closed exactly as one by one
    (same checks, same rows, same published tally), written with one insert of the closed polls
    and one shuffled ``COPY`` of all their counts. Every entry is checked before any write."""
    if not decisions:
        return []
    await _refuse_open(session, assembly_id, "decision", [d.subject for d in decisions])
    counted = [_counted(d.entries, CHOICES, method="plurality", approvals=1) for d in decisions]
    for d, rows in zip(decisions, counted, strict=True):
        total = sum(count for _, count in rows)
        limit = MAX_BALLOTS if electorate is None else min(electorate, MAX_BALLOTS)
        if total > limit:
            raise Invalid(
                f"{total} ballots on {d.subject} is above the {limit} voters present",
                subject=d.subject,
                limit=limit,
            )
    tallies = [
        _tally(
            kind="decision",
            subject=d.subject,
            method="plurality",
            candidates=CHOICES,
            approvals=1,
            amended=bool(d.amended_text),
            ballots=rows,
            decision_rule=d.rule,
        )
        for d, rows in zip(decisions, counted, strict=True)
    ]
    created = await session.scalars(
        insert(Poll).returning(Poll, sort_by_parameter_order=True),
        [
            {
                "assembly_id": assembly_id,
                "kind": "decision",
                "mode": "counts",
                "subject": d.subject,
                "title": d.title,
                "method": "plurality",
                "candidates": list(CHOICES),
                "approvals": 1,
                "amended_text": d.amended_text,
                "status": "closed" if counted_by is None else "counted",
                "counted_by": counted_by,
                "outcome": t.outcome,
                "result": msgspec.to_builtins(t.result),
                "export_sha256": t.export_sha256,
                "ballots_total": t.ballots_total,
                "electorate": electorate,
            }
            for d, t in zip(decisions, tallies, strict=True)
        ],
    )
    closed = list(created.all())
    await _copy_ballots(
        session,
        [
            (poll.id, content, count)
            for poll, rows in zip(closed, counted, strict=True)
            for content, count in rows
        ],
    )
    return closed


def result_of(poll: Poll) -> PollResult | None:
    """The typed result a closed poll published (None while it is open)."""
    if poll.result is None:
        return None
    return msgspec.convert(poll.result, PollResult)


def set_result(poll: Poll, result: PollResult) -> None:
    poll.result = msgspec.to_builtins(result)


def priority_positions(closed: Sequence[Poll]) -> dict[str, dict[str, int]]:
    """``{axis: {candidate: tie group index}}`` from each axis's latest closed priority poll."""
    order: dict[str, dict[str, int]] = {}
    for poll in sorted(closed, key=lambda p: p.id):
        result = result_of(poll) if poll.kind == "priority" and poll.status == "closed" else None
        if result is not None:
            groups = result.ranking
            order[poll.subject] = {
                item: position for position, group in enumerate(groups) for item in group
            }
    return order


def tally_manifests(closed: Sequence[Poll]) -> list[TallyManifest]:
    """What a report publishes of each closed poll so anyone can recount it, in poll-id order."""
    return [
        TallyManifest(
            poll_id=str(poll.id),
            axis=poll.subject if poll.kind == "priority" else "",
            method=poll.method,
            ballots_sha256=poll.export_sha256 or "",
            ballots=poll.ballots_total,
            ranking=result.ranking if (result := result_of(poll)) else [],
            kind=poll.kind,
            subject=poll.subject,
            outcome=poll.outcome or "",
            electorate=poll.electorate,
            opening=msgspec.convert(poll.opening, SignedRecord) if poll.opening else None,
            closing=msgspec.convert(poll.closing, SignedRecord) if poll.closing else None,
        )
        for poll in sorted(closed, key=lambda p: str(p.id))
    ]
