"""Analytics' counts, kept up to date as attempts happen (the Tally table).

Counting a million attempts for every view of the analytics page would need
either a scan of the attempts or wide covering indexes that every attempt's
INSERT and completion UPDATE pay for. Instead each change to an attempt adds
its difference to a few Tally rows, in the same transaction: starting adds one
to the step it reached, moving on (quiz.progress.flush) moves it to a further
step, completing moves it to the last step and adds its placement, its held-back
answers and how long it took, deleting takes it all away again, and a call to
action followed adds a click. A change is one INSERT … ON CONFLICT DO UPDATE
that adds to the counts (SQLite and PostgreSQL both have it), so concurrent
completions never lose a count; its rows go in key order, so two of them lock
rows in the same order and never deadlock.

A Tally row counts the attempts that started on one day (in the site's time
zone, TallyState.zone) of one quiz version, partner, channel and ref, by one
more thing per kind (Kind). `rebuild` recounts every row from the attempts
(the migration that made the table ran it; `manage.py rebuild_tallies` runs it
again, for instance after TIME_ZONE changed).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from enum import IntEnum
from functools import cache
from itertools import batched
from typing import Any, Protocol

import psycopg
from django.apps import apps as installed_apps
from django.apps.registry import Apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from quiz.models import TALLY_KEY, Tally, TallyState

NO_PARTNER = 0  # Tally.partner_id of the attempts that came with no partner
# Every fact is counted twice: by partner, channel and ref, and once more with these
# in their place, for all partners, channels and refs together. The page asks the
# second when nothing narrows by those (the commonest view): a day then holds a few
# rows of each kind instead of a few per partner, channel and ref.
EVERY_PARTNER, EVERY_CHANNEL, EVERY_REF = -1, "*", "*"
NO_CLAIM = -1  # Tally.claimed_rung_order when the title named no rung
MASK_BITS = 63


class Kind(IntEnum):
    """What a Tally row counts, and by which of its columns."""

    REACHED = 1  # by step_reached (the furthest step): n started, `also` of them completed
    PLACED = 2  # by rung_order, claimed_rung_order, confidence_label, context_answer: n completed
    HELD = 3  # by bit (an evidence question): n held back by it, `also` below the rung placed too
    TOOK = 4  # by band (DURATION_LIMITS): n completed within it
    CLICKED = 5  # n calls to action followed (careerquiz.partners.CallToActionClick)


# The upper bounds of the time-to-complete bands; the last band has none.
DURATION_LIMITS = (
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=10),
    timedelta(minutes=30),
)


def band_of(took: timedelta) -> int:
    return next(
        (band for band, limit in enumerate(DURATION_LIMITS) if took < limit), len(DURATION_LIMITS)
    )


class Counted(Protocol):
    """What an attempt is counted by: Attempt has all of these."""

    started_at: Any
    completed_at: Any
    quiz_id: int
    version_id: int
    partner_id: int | None
    channel: str
    ref: str
    step_reached: int
    rung_order: int | None
    claimed_rung_order: int | None
    confidence_label: str
    context_answer: str
    held_back_mask: int
    below_placed_mask: int


Row = tuple[Any, ...]  # a Tally key, in TALLY_KEY's order
Changes = dict[Row, list[int]]  # key -> [n, also] to add


def day_of(attempt: Counted) -> date:
    return timezone.localdate(attempt.started_at, timezone.get_default_timezone())


def _row(attempt: Counted, kind: Kind, **by: Any) -> Row:
    counted = {
        "quiz_id": attempt.quiz_id,
        "kind": int(kind),
        "day": day_of(attempt),
        "version_id": attempt.version_id,
        "partner_id": attempt.partner_id or NO_PARTNER,
        "channel": attempt.channel,
        "ref": attempt.ref,
        "step_reached": 0,
        "rung_order": 0,
        "claimed_rung_order": NO_CLAIM,
        "confidence_label": "",
        "context_answer": "",
        "bit": 0,
        "band": 0,
    } | by
    return tuple(counted[name] for name in TALLY_KEY)


def _with_everyone(counts: Changes) -> Changes:
    """`counts`, and the same facts again for every partner, channel and ref together."""
    both: Changes = defaultdict(lambda: [0, 0])
    for key, (n, also) in counts.items():
        for row in (key, _everyone(key)):
            both[row][0] += n
            both[row][1] += also
    return dict(both)


def _everyone(key: Row) -> Row:
    row = list(key)
    row[PARTNER], row[CHANNEL], row[REF] = EVERY_PARTNER, EVERY_CHANNEL, EVERY_REF
    return tuple(row)


def counts_of(attempt: Counted) -> Changes:
    """What one attempt, as it stands, adds to the tallies (clicks apart)."""
    return _with_everyone(_facts(attempt))


def _facts(attempt: Counted) -> Changes:
    done = attempt.completed_at is not None
    counts: Changes = {
        _row(attempt, Kind.REACHED, step_reached=attempt.step_reached): [1, int(done)]
    }
    if not done:
        return counts
    claimed = attempt.claimed_rung_order
    placed = _row(
        attempt,
        Kind.PLACED,
        rung_order=attempt.rung_order or 0,
        claimed_rung_order=NO_CLAIM if claimed is None else claimed,
        confidence_label=attempt.confidence_label,
        context_answer=attempt.context_answer,
    )
    counts[placed] = [1, 0]
    counts[_row(attempt, Kind.TOOK, band=band_of(attempt.completed_at - attempt.started_at))] = [
        1,
        0,
    ]
    held, below = attempt.held_back_mask, attempt.below_placed_mask
    for bit in range(min((held | below).bit_length(), MASK_BITS)):
        if (held | below) >> bit & 1:
            counts[_row(attempt, Kind.HELD, bit=bit)] = [held >> bit & 1, below >> bit & 1]
    return counts


def difference(before: Changes, after: Changes) -> Changes:
    changes: Changes = defaultdict(lambda: [0, 0])
    for sign, counts in ((-1, before), (1, after)):
        for key, (n, also) in counts.items():
            changes[key][0] += sign * n
            changes[key][1] += sign * also
    return dict(changes)


def add(changes: Mapping[Row, list[int]]) -> None:
    """Add `changes` to the tallies: one upsert per few hundred rows, in key order.

    Call it inside the transaction that changes the attempts, so the counts
    and the attempts commit or roll back together.
    """
    if connection.vendor == "postgresql":
        if any(any(counts) for counts in changes.values()):
            with server_bound_cursor() as cursor:
                cursor.execute(json_upsert_sql(), [rows_json(changes)])
        return
    rows = _in_key_order(changes)
    for chunk in batched(rows, UPSERT_ROWS):
        params: list[Any] = []
        for key, (n, also) in chunk:
            values = list(key)
            values[DAY] = connection.ops.adapt_datefield_value(values[DAY])
            params += [*values, n, also]
        with connection.cursor() as cursor:
            cursor.execute(_upsert_sql(len(chunk)), params)


def _in_key_order(changes: Mapping[Row, list[int]]) -> list[tuple[Row, list[int]]]:
    return sorted((key, counts) for key, counts in changes.items() if any(counts))


def rows_json(changes: Mapping[Row, list[int]]) -> str:
    """json_upsert_sql's parameter for `changes`, on PostgreSQL: a JSON array of rows (each
    an array in TALLY_KEY's order, then n and also), in key order."""
    # One short parameter whatever the number of rows, written by the json module's C
    # encoder: psycopg re-parses a statement over 4 KB every time (the VALUES form of a
    # completion's 20-50 rows was about 3 ms of Python per placement), and dumps arrays
    # element by element in Python (a third of a placement's writing, as 16 arrays).
    rows = []
    for key, counts in _in_key_order(changes):
        row = [*key, *counts]
        row[DAY] = row[DAY].isoformat()
        rows.append(row)
    return json.dumps(rows, separators=(",", ":"))


DAY, PARTNER = TALLY_KEY.index("day"), TALLY_KEY.index("partner_id")
CHANNEL, REF = TALLY_KEY.index("channel"), TALLY_KEY.index("ref")
# Rows per statement: 16 parameters each, under SQLite's 32,766.
UPSERT_ROWS = 500


class _BoundCursor(psycopg.Cursor[Any]):
    """Server-side binding, never a named prepared statement: safe behind a pooler in
    transaction mode (PgBouncer), where a statement prepared on one server connection is
    unknown on the next."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        return super().execute(query, params, **kwargs | {"prepare": False})


def server_bound_cursor() -> Any:
    """A Django cursor over psycopg's server-side binding, for the statements every
    placement runs: arrays go as parameters rather than quoted into the statement's text
    in Python (the connection's other queries keep Django's client-side binding)."""
    connection.ensure_connection()
    raw: Any = _BoundCursor(connection.connection)  # Django wraps DB-API cursors
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


@cache
def json_upsert_sql() -> str:
    """The upsert of rows_json's rows, on PostgreSQL; jsonb_array_elements keeps their order."""
    quote = connection.ops.quote_name
    table = quote(Tally._meta.db_table)
    columns = [*TALLY_KEY, "n", "also"]
    values = ", ".join(
        f"(r->>{i})::{Tally._meta.get_field(c).db_type(connection)}" for i, c in enumerate(columns)
    )
    return (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
        f"SELECT {values} FROM jsonb_array_elements(%s::jsonb) AS r "
        f"ON CONFLICT ({', '.join(quote(c) for c in TALLY_KEY)}) DO UPDATE SET "
        + ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in ("n", "also"))
    )


def _upsert_sql(rows: int) -> str:
    quote = connection.ops.quote_name
    table = quote(Tally._meta.db_table)
    columns = [*TALLY_KEY, "n", "also"]
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    key = ", ".join(quote(c) for c in TALLY_KEY)
    adds = ", ".join(
        f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in ("n", "also")
    )
    return (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES {', '.join([one] * rows)} "
        f"ON CONFLICT ({key}) DO UPDATE SET {adds}"
    )


def forgotten(attempt: Counted) -> None:
    add(difference(counts_of(attempt), {}))


def clicked(attempt: Counted, *, sign: int = 1) -> None:
    add(_with_everyone({_row(attempt, Kind.CLICKED): [sign, 0]}))


def partner_removed(partner_id: int) -> None:
    """A deleted partner's attempts come with no partner now (Attempt.partner's SET_NULL):
    move their counts to no partner."""
    changes: Changes = defaultdict(lambda: [0, 0])
    for *key, n, also in Tally.objects.filter(partner_id=partner_id).values_list(
        *TALLY_KEY, "n", "also"
    ):
        unpartnered = (*key[:PARTNER], NO_PARTNER, *key[PARTNER + 1 :])
        changes[tuple(key)] = [-n, -also]
        changes[unpartnered][0] += n
        changes[unpartnered][1] += also
    add(changes)


# --- How the page knows the tallies fit ---------------------------------------------------------


def zone() -> str:
    """The time zone the tallies' days are in: the one they were last rebuilt in."""
    state = TallyState.objects.filter(pk=1).values_list("zone", flat=True).first()
    return state or settings.TIME_ZONE


def fit_current_zone() -> bool:
    """Whether the tallies' days are days in the current time zone: if not (TIME_ZONE
    changed since the last rebuild), analytics counts the attempts instead."""
    return zone() == timezone.get_current_timezone_name()


# --- Recounting everything -----------------------------------------------------------------------

REBUILD_BATCH = 5000


def rebuild(*, models: Apps | None = None) -> int:
    """Recount every tally from the attempts, in the current TIME_ZONE: a few GROUP BY
    queries streamed into bulk inserts. Returns the number of rows written.

    `models` is a migration's app registry, so the migration that made the table
    fills it with the models of its time.
    """
    registry = models or installed_apps
    attempt_model = registry.get_model("quiz", "Attempt")
    tally_model = registry.get_model("quiz", "Tally")
    state_model = registry.get_model("quiz", "TallyState")
    click_model = registry.get_model("partners", "CallToActionClick")
    zone = timezone.get_default_timezone()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Live writers wait until the recount commits: an upsert landing between the
            # delete and the inserts would be counted twice or break the unique key.
            table = connection.ops.quote_name(tally_model._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        tally_model.objects.all().delete()
        written = 0
        quote = connection.ops.quote_name
        columns = [*TALLY_KEY, "n", "also"]
        insert = (
            f"INSERT INTO {quote(tally_model._meta.db_table)} "
            f"({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        )
        defaults = {f.name: f.get_default() for f in tally_model._meta.concrete_fields}
        with connection.cursor() as cursor:
            # executemany: one prepared INSERT run over each batch, far faster than
            # bulk_create's many small statements on SQLite.
            everyone: Changes = defaultdict(lambda: [0, 0])
            for rows in batched(_recount(attempt_model, click_model, zone), REBUILD_BATCH):
                values = [_values(defaults | row, columns) for row in rows]
                cursor.executemany(insert, values)
                written += len(rows)
                for *key, n, also in values:
                    counted = everyone[_everyone(tuple(key))]
                    counted[0] += n
                    counted[1] += also
            for together in batched(everyone.items(), REBUILD_BATCH):
                cursor.executemany(insert, [[*key, n, also] for key, (n, also) in together])
                written += len(together)
        state_model.objects.update_or_create(pk=1, defaults={"zone": str(zone)})
    return written


def _values(row: Mapping[str, Any], columns: list[str]) -> list[Any]:
    values = [row[column] for column in columns]
    values[DAY] = connection.ops.adapt_datefield_value(values[DAY])
    return values


def _dims(prefix: str = "") -> dict[str, Any]:
    return {
        "quiz_id": F(f"{prefix}quiz_id"),
        "version_id": F(f"{prefix}version_id"),
        "partner_id": Coalesce(f"{prefix}partner_id", Value(NO_PARTNER)),
        "channel": F(f"{prefix}channel"),
        "ref": F(f"{prefix}ref"),
    }


def _recount(attempt_model: Any, click_model: Any, zone: Any) -> Iterator[dict[str, Any]]:
    """The tallies, as rows of Tally's fields, one GROUP BY per kind."""
    attempts = attempt_model.objects.order_by().annotate(
        day=TruncDate("started_at", tzinfo=zone), **{f"t_{k}": v for k, v in _dims().items()}
    )
    dims = ["day", *(f"t_{k}" for k in _dims())]
    done = attempts.filter(completed_at__isnull=False)

    def rows(
        query: Iterable[Mapping[str, Any]], kind: Kind, **fixed: Any
    ) -> Iterator[dict[str, Any]]:
        for row in query:
            yield {
                "day": row["day"],
                **{k: row[f"t_{k}"] for k in _dims()},
                "kind": int(kind),
                **{k: v for k, v in row.items() if k != "day" and not k.startswith("t_")},
                **fixed,
            }

    completed = Count("pk", filter=Q(completed_at__isnull=False))
    yield from rows(
        attempts.values(*dims, "step_reached").annotate(n=Count("pk"), also=completed).iterator(),
        Kind.REACHED,
    )
    placed = done.annotate(claimed=Coalesce("claimed_rung_order", Value(NO_CLAIM)))
    for row in rows(
        placed.values(*dims, "rung_order", "claimed", "confidence_label", "context_answer")
        .annotate(n=Count("pk"))
        .iterator(),
        Kind.PLACED,
    ):
        row["claimed_rung_order"] = row.pop("claimed")
        yield row
    took = ExpressionWrapper(F("completed_at") - F("started_at"), output_field=DurationField())
    band = Case(
        *(When(took__lt=limit, then=Value(b)) for b, limit in enumerate(DURATION_LIMITS)),
        default=Value(len(DURATION_LIMITS)),
    )
    yield from rows(
        done.annotate(took=took, band=band)
        .values(*dims, "band")
        .annotate(n=Count("pk"))
        .iterator(),
        Kind.TOOK,
    )
    yield from _held(done, dims)
    clicks = click_model.objects.order_by().annotate(
        day=TruncDate("attempt__started_at", tzinfo=zone),
        **{f"t_{k}": v for k, v in _dims("attempt__").items()},
    )
    yield from rows(clicks.values(*dims).annotate(n=Count("pk")).iterator(), Kind.CLICKED)


def _held(done: Any, dims: list[str]) -> Iterator[dict[str, Any]]:
    """Per group, one SUM per mask bit (evidence question) that any attempt has set."""
    # The highest bit set anywhere is the highest bit of the largest mask.
    widest = done.aggregate(held=Max("held_back_mask"), below=Max("below_placed_mask"))
    bits = min(max(widest["held"] or 0, widest["below"] or 0).bit_length(), MASK_BITS)
    if not bits:
        return
    sums = {}
    for bit in range(bits):
        sums[f"held_{bit}"] = Sum(F("held_back_mask").bitrightshift(bit).bitand(1))
        sums[f"below_{bit}"] = Sum(F("below_placed_mask").bitrightshift(bit).bitand(1))
    for row in done.values(*dims).annotate(**sums).iterator():
        for bit in range(bits):
            held, below = int(row[f"held_{bit}"] or 0), int(row[f"below_{bit}"] or 0)
            if held or below:
                yield {
                    "day": row["day"],
                    **{k: row[f"t_{k}"] for k in _dims()},
                    "kind": int(Kind.HELD),
                    "bit": bit,
                    "n": held,
                    "also": below,
                }
