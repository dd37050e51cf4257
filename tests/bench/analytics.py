"""Fill a fresh database with attempts and time the analytics page and the CSV export.

    uv run python -m tests.bench.analytics                     # SQLite, in a temporary file
    uv run python -m tests.bench.analytics --database-url postgres://postgres@127.0.0.1:5432/bench_analytics

The shipped Machine Learning Engineer quiz is imported and answered 200,000
times (`--attempts`): three in four complete, the rest stop at a random step;
spread over 180 days, three channels, twenty partners and a few refs. Results
are real ones (the placement engine's, for a pool of plausible answer sets),
so rows are as wide as in production. Then it times the page (the median of
`--renders` renders through Django's test client, as a superuser: every
attempt; as a partner manager: two partners' attempts; one partner over the
last 30 days) and streams the whole CSV export, reporting rows per second.

PostgreSQL: the database in the URL is created first and dropped at the end
(unless `--keep`), so it must not exist. SQLite: the temporary file is deleted
at the end; give `--database-url sqlite:///FILE` to keep one. `--measure-only`
measures a database a run kept, without filling it again.
Nothing here runs in the test suite; run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:  # imported for real once Django is set up, in the functions below
    from django.contrib.auth.models import User

    from careerquiz.partners.models import Partner

BATCH = 5000
POOL = 3000  # distinct answer sets, each placed once by the real engine
PARTNERS = 20
REFS = ["", "", "", "spring", "newsletter", "webinar-3"]


@dataclass(frozen=True, kw_only=True)
class Filled:
    admin: User
    manager: User  # manages the first two partners
    partner: Partner


def main() -> None:
    # WhiteNoise notes, once per test client, that collectstatic has not run: it needs not.
    warnings.filterwarnings("ignore", message="No directory at")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="postgres://...; default: a temporary SQLite file")
    parser.add_argument("--attempts", type=int, default=200_000)
    parser.add_argument("--renders", type=int, default=5)
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="measure a database an earlier run filled and kept (--keep, or a SQLite file URL)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="do not drop the PostgreSQL database at the end"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-analytics-") as scratch:
        url = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
        os.environ["DATABASE_URL"] = url
        # One plain connection: a pool would keep the database open when it is dropped.
        os.environ["DATABASE_POOL"] = "false"
        os.environ.pop("REDIS_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerquiz.settings")
        postgres = url.startswith(("postgres://", "postgresql://")) and not args.measure_only
        if postgres:
            create_database(url)
        try:
            run(attempts=args.attempts, renders=args.renders, fill_first=not args.measure_only)
        finally:
            if postgres and not args.keep:
                from django.db import connections

                connections.close_all()
                drop_database(url)


def _server(url: str) -> tuple[str, str]:
    """The URL of the server's `postgres` database, and the name of the one in `url`."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def create_database(url: str) -> None:
    import psycopg

    server, name = _server(url)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    server, name = _server(url)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(*, attempts: int, renders: int, fill_first: bool) -> None:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    filled = fill(attempts) if fill_first else already_filled()
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE quiz_attempt")
    engine = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"\n{engine}: {attempts:,} attempts in {seconds:.0f} s ({database_size()})")
    measure(filled, renders=renders)


def fill(count: int) -> Filled:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import models
    from django.utils import timezone

    from careerquiz import roles
    from careerquiz.content import SHIPPED_CONTENT, import_content, load_file
    from careerquiz.partners.models import Partner
    from quiz.attempts import analytics_columns, build_result
    from quiz.models import Attempt, Quiz
    from quiz.placement import place
    from quiz.progress import total_steps
    from quiz.versions import spec_for
    from tests.factories import live_version, plausible_answers

    import_content(load_file(SHIPPED_CONTENT))
    quiz = Quiz.objects.get(slug="ml-engineer")
    version = live_version(quiz)
    spec = spec_for(version)
    steps = total_steps(spec)
    rng = random.Random(2026)

    pool = []
    for _ in range(POOL):
        answers = plausible_answers(rng, version)
        placement = place(spec, answers)
        result = build_result(spec, placement, version=version, region="IN", result_id="x")
        pool.append((answers, result, analytics_columns(spec, placement)))

    partners = [Partner(name=f"Partner {n:02d}") for n in range(1, PARTNERS + 1)]
    Partner.objects.bulk_create(partners)
    User = get_user_model()
    admin = User.objects.create_superuser("bench-admin", password="x")
    manager = User.objects.create_user("bench-manager", password="x", is_staff=True)
    manager.groups.add(Group.objects.get(name=roles.PARTNER_MANAGER))
    for managed in partners[:2]:
        managed.managers.add(manager)

    now = timezone.now()
    # Attempts arrive in time order, as on a real site, over the last 180 days.
    offsets = sorted((rng.randint(0, 180 * 86400) for _ in range(count)), reverse=True)
    started_field = Attempt._meta.get_field("started_at")
    assert isinstance(started_field, models.DateTimeField)
    # started_at is auto_now_add: let the bulk insert keep the dates given here.
    started_field.auto_now_add = False
    try:
        for first in range(0, count, BATCH):
            rows = []
            for offset in offsets[first : first + BATCH]:
                answers, result, columns = rng.choice(pool)
                channel = rng.choices(["web", "embed", "api"], weights=[5, 4, 1])[0]
                brought_by = rng.choice(partners) if channel != "web" else None
                when = now - timedelta(seconds=offset)
                attempt = Attempt(
                    quiz=quiz,
                    version=version,
                    partner_id=brought_by.pk if brought_by else None,
                    channel=channel,
                    ref=rng.choice(REFS) if brought_by else "",
                    region="IN",
                    started_at=when,
                )
                if rng.random() < 0.75:
                    attempt.answers = answers
                    attempt.result = result
                    attempt.completed_at = when + timedelta(minutes=rng.randint(2, 15))
                    for name, value in columns.items():
                        setattr(attempt, name, value)
                else:
                    attempt.step_reached = rng.randint(1, steps)
                rows.append(attempt)
            Attempt.objects.bulk_create(rows)
            print(f"\r  {first + len(rows):,} attempts", end="", flush=True)
    finally:
        started_field.auto_now_add = True
    return Filled(admin=admin, manager=manager, partner=partners[0])


def already_filled() -> Filled:
    from django.contrib.auth.models import User

    from careerquiz.partners.models import Partner

    return Filled(
        admin=User.objects.get(username="bench-admin"),
        manager=User.objects.get(username="bench-manager"),
        partner=Partner.objects.get(name="Partner 01"),
    )


def database_size() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return f"database {cursor.fetchone()[0]}"
        size = Path(connection.settings_dict["NAME"]).stat().st_size
        return f"database {size / 2**20:,.0f} MB"


class QueryCount:
    """Counts the queries run through a connection (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def timed(action: Callable[[], None], times: int) -> tuple[float, float]:
    """(first, median of the rest) in seconds."""
    seconds = []
    for _ in range(times + 1):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return seconds[0], statistics.median(seconds[1:])


def measure(filled: Filled, *, renders: int) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.http import StreamingHttpResponse
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from quiz import progress

    recent = (timezone.localdate() - timedelta(days=30)).isoformat()
    pages: list[tuple[str, User, dict[str, Any]]] = [
        ("page, every attempt (superuser)", filled.admin, {}),
        (
            "page, one partner, last 30 days",
            filled.admin,
            {"partner": filled.partner.pk, "start": recent},
        ),
        ("page, partner manager (2 partners)", filled.manager, {}),
    ]
    print(f"\n{'what':<40} {'first':>9} {'median':>9} {'queries':>8}")
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for label, user, query in pages:
            client = Client()
            client.force_login(user)

            def render(client: Client = client, query: dict[str, Any] = query) -> None:
                cache.delete(progress.FLUSH_LOCK)  # every render flushes, as after a pause
                response = client.get("/admin/analytics/", query)
                assert response.status_code == 200, response.status_code
                assert b"Counting the attempts started" in response.content

            queries = QueryCount()
            with connection.execute_wrapper(queries):
                render()
            first, median = timed(render, renders)
            print(f"{label:<40} {first * 1000:>7.0f}ms {median * 1000:>7.0f}ms {queries.count:>8}")

        client = Client()
        client.force_login(filled.admin)
        started = time.perf_counter()
        response = cast(StreamingHttpResponse, client.get("/admin/analytics/placements.csv"))
        # Rows are counted by line ends: no cell of this data holds a newline.
        lines = -1  # the header
        for piece in cast(Iterator[bytes], response.streaming_content):
            lines += piece.count(b"\n")
        seconds = time.perf_counter() - started
        print(
            f"{'CSV export, every attempt':<40} {seconds:>8.1f}s {lines / seconds:>7,.0f}/s"
            f" rows: {lines:,}"
        )


if __name__ == "__main__":
    main()
