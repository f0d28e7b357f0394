"""Open-data exports (docs/cli.md): any tier mounts its datasets as CSV or JSON downloads.

A tier describes each dataset once — a name, its public columns and an async query returning
rows — and :func:`open_data_controller` serves ``GET /api/v1/open-data/{dataset}?format=csv|json``
(plus the catalogue at ``/api/v1/open-data``). Only columns listed are exported, so personal
data never leaks by accident. The local tier can mount its own datasets with the same helper.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from shared.core.errors import NotFound
from shared.platform.db.database import Database

Rows = Iterable[Mapping[str, Any]]
Query = Callable[[AsyncSession, Mapping[str, str]], Awaitable[Rows]]


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


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else value


def to_csv(columns: Sequence[str], rows: Rows) -> str:
    """CSV with a header; nested values (lists, maps) are JSON text in their cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def to_json_rows(columns: Sequence[str], rows: Rows) -> list[dict[str, Any]]:
    return [{c: row.get(c) for c in columns} for row in rows]


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
        ) -> Response[Any]:
            """One dataset as CSV or JSON; other query parameters filter (e.g. ``cycle_id``)."""
            chosen = by_name.get(dataset)
            if chosen is None:
                raise NotFound(f"no dataset {dataset!r}; see {path}")
            filters = {k: v for k, v in request.query_params.items() if k != "format"}
            async with db.reading() as session:
                rows = list(await chosen.query(session, filters))
            if format == "csv":
                return Response(
                    to_csv(chosen.columns, rows),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{chosen.name}.csv"'},
                )
            return Response(to_json_rows(chosen.columns, rows))

    OpenDataController.path = path
    return OpenDataController
