"""A new attempt's INSERT with its tallies: one statement on PostgreSQL.

Every placement through the API writes one new row of the same columns, and
Model.save compiles that INSERT again on every call: profiled under load, about
a tenth of a placement's time in Python. Here the statement is written once per
process, and each row's values are prepared by the model's own fields, as save()
prepares them (`pre_save`, then `get_db_prep_save`). On PostgreSQL the tallies'
upsert rides in the same statement (a data-modifying WITH, which PostgreSQL runs
exactly once and to completion): one round trip instead of two. SQLite has no
such WITH and runs the two in turn, in the caller's transaction.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from django.db import connection
from django.db.models import Field

from quiz import tallies
from quiz.models import Attempt


def insert_counted(attempt: Attempt) -> None:
    """Save a new attempt, as attempt.save(force_insert=True) would, and add what it
    counts to the tallies. Call it inside the transaction that records it."""
    fields = _columns()
    values = [field.get_db_prep_save(field.pre_save(attempt, True), connection) for field in fields]
    counts = tallies.counts_of(attempt)  # after pre_save, which sets started_at
    if connection.vendor == "postgresql":
        with tallies.server_bound_cursor() as cursor:
            cursor.execute(_counted_insert_sql(), [*values, tallies.rows_json(counts)])
            (pk,) = cursor.fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute(_insert_sql(), values)
            pk = connection.ops.last_insert_id(cursor, Attempt._meta.db_table, "id")
        tallies.add(counts)
    attempt.pk = pk
    attempt._state.adding = False
    attempt._state.db = connection.alias


@cache
def _columns() -> tuple[Field[Any, Any], ...]:
    """Every column but the id, which the database assigns."""
    fields = tuple(f for f in Attempt._meta.local_concrete_fields if not f.primary_key)
    # A field that writes its own placeholder (a PostGIS geometry, say) needs the ORM's
    # compiler; none of Attempt's does, and a new one must not be written wrongly here.
    custom = [f.name for f in fields if "get_placeholder_sql" in type(f).__dict__]
    if custom:
        raise TypeError(f"quiz.inserts cannot write {custom}: use Model.save")
    return fields


@cache
def _insert_sql() -> str:
    quote = connection.ops.quote_name
    names = ", ".join(quote(cast(str, f.column)) for f in _columns())  # concrete: named
    marks = ", ".join(["%s"] * len(_columns()))
    return f"INSERT INTO {quote(Attempt._meta.db_table)} ({names}) VALUES ({marks})"


@cache
def _counted_insert_sql() -> str:
    # The tallies' upsert reads nothing of the new row: its counts come from the values.
    return (
        f"WITH attempt AS ({_insert_sql()} RETURNING {connection.ops.quote_name('id')}), "
        f"counted AS ({tallies.json_upsert_sql()}) SELECT id FROM attempt"
    )
