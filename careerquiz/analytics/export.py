"""The CSV export: one row per attempt the filters select, streamed.

Rows come from the database in chunks (a server-side cursor on PostgreSQL)
and leave as they are written, so a million attempts never sit in memory. A
cell that a spreadsheet would read as a formula (it starts with = + - @, a tab
or a carriage return) gets a leading apostrophe: partner names, refs and
answer texts are typed by people, and a CSV is opened by others.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date, datetime, tzinfo
from typing import Any

from django.db.models import OuterRef, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from careerquiz.partners.models import Partner
from quiz.models import AttemptQuerySet

# (column, the attempt's value it holds): text, except as noted in cells()
COLUMNS = (
    ("id", "result_id"),
    ("started_at", "started_at"),
    ("completed_at", "completed_at"),
    ("quiz", "quiz__slug"),
    ("version", "version__number"),
    ("partner", "partner_name"),
    ("ref", "ref"),
    ("passthrough", "passthrough_json"),
    ("channel", "channel"),
    ("region", "region"),
    ("steps_reached", "step_reached"),
    ("rung", "rung_slug"),
    ("title_claimed", "claimed_title"),
    ("claimed_rung", "claimed_rung_slug"),
    ("confidence", "confidence_label"),
    ("answers", "answers_json"),
)
HEADER = [column for column, _ in COLUMNS]
MOMENTS = {"started_at", "completed_at"}
NUMBERS = {"version", "steps_reached"}
CHUNK = 2000
ROWS_PER_WRITE = 200  # rows joined into one piece of the response
FORMULA_STARTS = frozenset("=+-@\t\r")


def filename(quiz_slug: str, today: date) -> str:
    return f"placements-{quiz_slug}-{today.isoformat()}.csv"


def text(value: str | None) -> str:
    """Text as a cell: a leading apostrophe keeps a spreadsheet from running it."""
    if not value:
        return ""
    return "'" + value if value[0] in FORMULA_STARTS else value


def number(value: int | None) -> int | str:
    return "" if value is None else value


def moment(zone: tzinfo) -> Callable[[datetime | None], str]:
    """A date and time as a cell: ISO 8601 in `zone`, to the second."""

    def cell(value: datetime | None) -> str:
        return value.astimezone(zone).isoformat(timespec="seconds") if value else ""

    return cell


def cells() -> list[Callable[[Any], str | int]]:
    """One function per column, turning the database's value into the cell."""
    when = moment(timezone.get_current_timezone())
    return [when if name in MOMENTS else number if name in NUMBERS else text for name, _ in COLUMNS]


class _Line:
    """A file-like object that hands back what csv.writer writes instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def rows(attempts: AttemptQuerySet) -> Iterator[list[str | int]]:
    # The answers as the database holds them, as text: no parsing and dumping per row.
    values = (
        attempts.order_by("pk")
        .annotate(
            answers_json=Cast("answers", TextField()),
            passthrough_json=Cast("passthrough", TextField()),
            partner_name=Subquery(Partner.objects.filter(pk=OuterRef("partner_id")).values("name")),
        )
        .values_list(*(field for _, field in COLUMNS))
    )
    convert = cells()
    for row in values.iterator(chunk_size=CHUNK):
        yield [cell(value) for cell, value in zip(convert, row, strict=True)]


def lines(attempts: AttemptQuerySet) -> Iterator[str]:
    """The CSV text, header first, a few hundred rows per piece."""
    writer = csv.writer(_Line())
    yield writer.writerow(HEADER)
    batch: list[str] = []
    for row in rows(attempts):
        batch.append(writer.writerow(row))
        if len(batch) == ROWS_PER_WRITE:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)
