"""Open-data exports (docs/cli.md): any tier mounts its datasets as CSV or JSON downloads.

A tier describes each dataset once — a name, its public columns and an async query that yields
rows — and :func:`open_data_controller` serves ``GET /api/v1/open-data/{dataset}?format=csv|json``
(plus the catalogue at ``/api/v1/open-data``). Only columns listed are exported, so personal
data never leaks by accident.

Exports stream: rows come from a server-side cursor :data:`PAGE_ROWS` at a time and leave as
soon as a page is encoded, so exporting every proposal of the country takes the memory of one
page, not of the whole set. CSV cells that a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) are neutralised with a leading ``'``
(OWASP's advice against CSV injection); JSON carries the text as it is.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Stream
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.core.errors import NotFound
from shared.platform.db.database import Database

Rows = Iterable[Mapping[str, Any]]
RowStream = AsyncIterator[Mapping[str, Any]]
Query = Callable[[AsyncSession, Mapping[str, str]], RowStream]
#: Rows fetched from the cursor, and encoded, at a time.
PAGE_ROWS = 1000
#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class DatasetInfo(msgspec.Struct, kw_only=True):
    name: str
    description: str
    columns: list[str]


@dataclass(frozen=True, slots=True)
class Dataset:
    """One public dataset: ``query(session, filters)`` gets the query-string filters."""

    name: str
    description: str
    columns: Sequence[str]
    query: Query


def row_of(obj: Any, columns: Sequence[str]) -> dict[str, Any]:
    """The listed columns of a table row, dates and ids as text (only what is listed goes out)."""
    row: dict[str, Any] = {}
    for c in columns:
        value = getattr(obj, c, None)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, uuid.UUID):
            value = str(value)
        row[c] = value
    return row


async def scalars(session: AsyncSession, statement: Select[Any]) -> AsyncIterator[Any]:
    """The statement's objects from a server-side cursor, :data:`PAGE_ROWS` at a time."""
    result = await session.stream_scalars(statement.execution_options(yield_per=PAGE_ROWS))
    async for found in result:
        yield found


async def tuples(session: AsyncSession, statement: Select[Any]) -> AsyncIterator[Any]:
    """The statement's rows (several columns) from a server-side cursor."""
    result = await session.stream(statement.execution_options(yield_per=PAGE_ROWS))
    async for found in result:
        yield found


def safe_cell(value: Any) -> Any:
    """A CSV cell: nested values (lists, maps) as JSON text, formulas neutralised."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_page(columns: Sequence[str], rows: Rows, *, header: bool = False) -> str:
    """CSV text of ``rows`` (with the header line first when ``header``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


async def pages(rows: RowStream) -> AsyncIterator[list[Mapping[str, Any]]]:
    page: list[Mapping[str, Any]] = []
    async for row in rows:
        page.append(row)
        if len(page) >= PAGE_ROWS:
            yield page
            page = []
    if page:
        yield page


async def csv_stream(columns: Sequence[str], rows: RowStream) -> AsyncIterator[bytes]:
    yield csv_page(columns, (), header=True).encode()
    async for page in pages(rows):
        yield csv_page(columns, page).encode()


async def json_stream(columns: Sequence[str], rows: RowStream) -> AsyncIterator[bytes]:
    """A JSON array of objects with exactly ``columns``, encoded page by page."""
    yield b"["
    first = True
    async for page in pages(rows):
        encoded = b",".join(msgspec.json.encode({c: r.get(c) for c in columns}) for r in page)
        yield encoded if first else b"," + encoded
        first = False
    yield b"]"


def open_data_controller(
    datasets: Sequence[Dataset], *, path: str = "/api/v1/open-data"
) -> type[Controller]:
    """A Litestar controller serving ``datasets`` (public, read-only)."""
    by_name = {d.name: d for d in datasets}

    class OpenDataController(Controller):
        tags = ["open data"]

        @get("/")
        async def catalogue(self) -> list[DatasetInfo]:
            """Every dataset this tier publishes, with its columns."""
            return [
                DatasetInfo(name=d.name, description=d.description, columns=list(d.columns))
                for d in datasets
            ]

        @get("/{dataset:str}")
        async def export(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[Database],
            dataset: FromPath[str],
            format: FromQuery[Literal["csv", "json"]] = "json",
        ) -> Stream:
            """One dataset as CSV or JSON, streamed page by page; other query parameters filter
            (e.g. ``cycle_id``)."""
            chosen = by_name.get(dataset)
            if chosen is None:
                raise NotFound(f"no dataset {dataset!r}; see {path}")
            filters = {k: v for k, v in request.query_params.items() if k != "format"}
            encode = csv_stream if format == "csv" else json_stream

            async def body() -> AsyncIterator[bytes]:
                async with db.reading() as session:
                    async for chunk in encode(chosen.columns, chosen.query(session, filters)):
                        yield chunk

            if format == "csv":
                return Stream(
                    body(),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{chosen.name}.csv"'},
                )
            return Stream(body(), media_type="application/json")

    OpenDataController.path = path
    return OpenDataController
