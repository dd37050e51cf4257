"""Fill a fresh database with attempts and time the analytics page and the CSV export.

    uv run python -m tests.bench.analytics                     # SQLite, in a temporary file
    uv run python -m tests.bench.analytics --database-url postgres://postgres@127.0.0.1:5432/bench_analytics
    uv run python -m tests.bench.analytics --fast --attempts 1000000 --database-url postgres://…

The shipped Machine Learning Engineer quiz is imported and answered 200,000
times (`--attempts`): three in four complete, the rest stop at a random step;
spread over 180 days, three channels, twenty partners and a few refs. Results
are real ones (the placement engine's, for a pool of plausible answer sets),
so rows are as wide as in production. Then it times the page (the median of
`--renders` renders through Django's test client, as a superuser: every
attempt; as a partner manager: two partners' attempts; one partner over the
last 30 days) and streams the whole CSV export, reporting rows per second.

`--fast` fills in SQL instead of the ORM (a million attempts in about a
minute): the pool of real placements is written as template attempts, and one
INSERT … SELECT over generate_series (a recursive CTE on SQLite) copies them,
spreading start dates, channels, partners and refs by arithmetic on the row
number; the stored result JSON is left empty, as attempts store no result once
it is built from the version and the answers (issue 19). The tallies are then
counted by `quiz.tallies.rebuild` (timed: what the migration costs on such a
table). Beside the page it times the figures counted from the attempts instead
of the tallies (the ratio is the tallies' gain, and both must be equal), and
`--writes N` times N attempts started then completed and N API placements on
the filled table, which is what the attempts' indexes and the tallies cost.

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
from functools import partial
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
    parser.add_argument("--fast", action="store_true", help="fill in SQL, not through the ORM")
    parser.add_argument("--writes", type=int, default=0, help="time this many attempt writes")
    parser.add_argument("--no-export", action="store_true", help="do not time the CSV export")
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
            run(
                attempts=args.attempts,
                renders=args.renders,
                fill_first=not args.measure_only,
                fast=args.fast,
                writes=args.writes,
                export=not args.no_export,
            )
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


def run(
    *, attempts: int, renders: int, fill_first: bool, fast: bool, writes: int, export: bool
) -> None:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if not fill_first:
        filled = already_filled()
    else:
        filled = fill_in_sql(attempts) if fast else fill(attempts)
    seconds = time.perf_counter() - started
    engine = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"\n{engine}: {attempts:,} attempts in {seconds:.0f} s")
    if fill_first and tallies_module() is not None:
        started = time.perf_counter()
        rows = tallies_module().rebuild()
        seconds = time.perf_counter() - started
        print(f"tallies counted from the attempts: {rows:,} rows in {seconds:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"({database_size()}; {attempt_indexes()})")
    measure(filled, renders=renders, export=export)
    if tallies_module() is not None:
        compare(filled, renders=renders)
    if writes:
        measure_writes(writes)


def tallies_module() -> Any:
    """quiz.tallies, or None in a tree from before it (to measure that tree the same way)."""
    try:
        from quiz import tallies
    except ImportError:
        return None
    return tallies


def attempt_indexes() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*), pg_size_pretty(sum(pg_relation_size(indexrelid))),"
                " pg_size_pretty(pg_relation_size('quiz_attempt'))"
                " FROM pg_index WHERE indrelid = 'quiz_attempt'::regclass"
            )
            count, size, table = cursor.fetchone()
            return f"quiz_attempt: {table} of rows, {count} indexes of {size}"
        cursor.execute("SELECT count(*) FROM pragma_index_list('quiz_attempt')")
        return f"quiz_attempt: {cursor.fetchone()[0]} indexes (with the primary key's rowid: +1)"


def fill(count: int) -> Filled:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import models
    from django.utils import timezone

    from careerquiz import roles
    from careerquiz.content import SHIPPED_CONTENT, import_content, load_file
    from careerquiz.partners.models import Partner
    from quiz.attempts import analytics_columns
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
        pool.append((answers, analytics_columns(spec, placement)))

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
                answers, columns = rng.choice(pool)
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
                    attempt.answers = answers  # the result is built from them when read
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


def fill_in_sql(count: int) -> Filled:
    """Real placements written once as template attempts, copied `count` times in SQL."""
    from django.db import connection, transaction
    from django.utils import timezone

    from careerquiz.partners.models import Partner
    from quiz.models import Attempt
    from quiz.progress import total_steps
    from quiz.versions import spec_for

    filled = fill(POOL)  # the template attempts, through the ORM, as `fill` makes them
    partners = sorted(Partner.objects.values_list("pk", flat=True))
    assert partners == list(range(partners[0], partners[0] + PARTNERS)), "partner ids have gaps"
    unfinished = Attempt.objects.filter(completed_at__isnull=True).order_by("pk")[0]
    last_template = Attempt.objects.order_by("-pk")[0].pk
    steps = total_steps(spec_for(unfinished.version))
    postgres = connection.vendor == "postgresql"
    now = timezone.now()
    moment: Any = now if postgres else now.strftime("%Y-%m-%d %H:%M:%S.%f")

    def expressions(n: str, done: bool) -> dict[str, str]:
        offset = f"(({n} * 48271) % {180 * 86400})"
        minutes = f"(2 + ({n} * 7) % 14)"
        by_partner = f"{n} % 10 < 5"  # half the attempts come from our own site
        refs = " ".join(f"WHEN {i} THEN '{ref}'" for i, ref in enumerate(REFS))
        if postgres:
            started = f"(%s::timestamptz - make_interval(secs => {offset}))"
            completed = f"({started} + make_interval(mins => {minutes}::int))"
            token, empty = f"md5({n}::text || 'bench')::uuid", "'{}'::jsonb"
        else:
            started = f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s, '-' || {offset} || ' seconds')"
            completed = (
                f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s, '-' || {offset} || ' seconds',"
                f" '+' || {minutes} || ' minutes')"
            )
            token, empty = "lower(hex(randomblob(16)))", "'{}'"
        chosen = {
            "token_id": token,
            "result_id": f"'b' || {n}",
            "started_at": started,
            "channel": f"(CASE WHEN {by_partner} THEN 'web' WHEN {n} % 10 < 9 THEN 'embed'"
            " ELSE 'api' END)",
            "partner_id": f"(CASE WHEN {by_partner} THEN NULL"
            f" ELSE {partners[0]} + ({n} * 31) % {PARTNERS} END)",
            "ref": f"(CASE WHEN {by_partner} THEN ''"
            f" ELSE (CASE ({n} * 17) % {len(REFS)} {refs} END) END)",
            "result": empty,  # built from the version and answers, not stored (issue 19)
        }
        if done:
            chosen["completed_at"] = completed
        else:
            chosen["step_reached"] = f"1 + ({n} * 13) % {steps}"
        return chosen

    quote = connection.ops.quote_name
    fields = [str(f.column) for f in Attempt._meta.concrete_fields if f.column != "id"]
    completed = count * 3 // 4
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_template (k integer, id integer)")
        cursor.execute(
            "INSERT INTO bench_template SELECT row_number() OVER (ORDER BY id) - 1, id"
            " FROM quiz_attempt WHERE completed_at IS NOT NULL"
        )
        cursor.execute("SELECT count(*) FROM bench_template")
        templates = cursor.fetchone()[0]
        for done, rows, first in ((True, completed, 1), (False, count - completed, completed + 1)):
            n = f"(s.i + {first - 1})"
            chosen = expressions(n, done)
            values = [chosen.get(column, f"t.{quote(column)}") for column in fields]
            params = [moment] * sum(value.count("%s") for value in values)
            if postgres:
                series = f"generate_series(1::bigint, {rows}) AS s(i)"
            else:
                series = (
                    "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s"
                    f" WHERE i < {rows}) SELECT i FROM s) AS s"
                )
            if done:
                source = (
                    f"JOIN bench_template m ON m.k = ({n} * 7919) % {templates}"
                    " JOIN quiz_attempt t ON t.id = m.id"
                )
            else:
                source = f"JOIN quiz_attempt t ON t.id = {unfinished.pk}"
            sql = (
                f"INSERT INTO quiz_attempt ({', '.join(quote(c) for c in fields)})"
                f" SELECT {', '.join(values)} FROM {series} {source}"
            )
            cursor.execute(sql.replace(" % ", " %% "), params)  # modulo, beside parameters
            print(
                f"\r  {rows:,} {'completed' if done else 'unfinished'} attempts copied", flush=True
            )
        # The templates go; the tallies are counted after (run), so none are kept for them.
        cursor.execute("DELETE FROM quiz_attempt WHERE id <= %s", [last_template])
        cursor.execute("DROP TABLE bench_template")
    return filled


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


def measure(filled: Filled, *, renders: int, export: bool = True) -> None:
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
    print(
        f"\n{'what':<40} {'first':>9} {'median':>9} {'no flush':>9} {'queries':>8}"
        "\n(median: each render runs the progress flush, as after a pause; no flush: as"
        " within FLUSH_INTERVAL of the last)"
    )
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for label, user, query in pages:
            client = Client()
            client.force_login(user)

            def render(
                client: Client = client, query: dict[str, Any] = query, flush: bool = True
            ) -> None:
                if flush:
                    cache.delete(progress.FLUSH_LOCK)  # every render flushes, as after a pause
                response = client.get("/admin/analytics/", query)
                assert response.status_code == 200, response.status_code
                assert b"Counting the attempts started" in response.content

            queries = QueryCount()
            with connection.execute_wrapper(queries):
                render()
            first, median = timed(render, renders)
            _, unflushed = timed(partial(render, flush=False), renders)
            print(
                f"{label:<40} {first * 1000:>7.0f}ms {median * 1000:>7.0f}ms"
                f" {unflushed * 1000:>7.0f}ms {queries.count:>8}"
            )

        if not export:
            return
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


def compare(filled: Filled, *, renders: int) -> None:
    """The figures from the tallies against the same figures counted from the attempts."""
    from django.utils import timezone

    from careerquiz.analytics import figures
    from careerquiz.analytics.content import Published, rungs_of
    from careerquiz.analytics.counts import TallyCounts
    from careerquiz.analytics.filters import Filters
    from quiz.models import Attempt, AttemptQuerySet, Quiz, Tally

    quiz = Quiz.objects.get(slug="ml-engineer")
    published, rungs = Published.of(quiz), rungs_of(quiz)
    recent = timezone.localdate() - timedelta(days=30)
    print(f"\n{'figures (no page), from':<40} {'tallies':>9} {'attempts':>9} {'ratio':>7}")
    for label, chosen in (
        ("every attempt", Filters(quiz=quiz)),
        ("one partner, last 30 days", Filters(quiz=quiz, partner=filled.partner, start=recent)),
    ):
        attempts = chosen.apply(Attempt.objects.all())
        every = Tally.objects.all()
        tallied = TallyCounts(
            chosen.apply_to_tallies(every), together=chosen.tallies_together(every)
        )
        shown: dict[str, figures.Dashboard] = {}

        def from_tallies(
            shown: dict[str, figures.Dashboard] = shown,
            attempts: AttemptQuerySet = attempts,
            tallied: TallyCounts = tallied,
        ) -> None:
            shown["tallies"] = figures.dashboard(
                attempts, counts=tallied, published=published, rungs=rungs
            )

        def from_attempts(
            shown: dict[str, figures.Dashboard] = shown, attempts: AttemptQuerySet = attempts
        ) -> None:
            shown["attempts"] = figures.dashboard(attempts, published=published, rungs=rungs)

        _, fast = timed(from_tallies, renders)
        _, slow = timed(from_attempts, max(1, renders // 2))
        assert shown["tallies"] == shown["attempts"], f"{label}: tallies differ from attempts"
        print(f"{label:<40} {fast * 1000:>7.0f}ms {slow * 1000:>7.0f}ms {slow / fast:>6.1f}x")
    print("(the same figures both ways: checked)")


def measure_writes(count: int) -> None:
    """Attempts written the site's ways on the filled table: what its indexes (and the
    tallies, where they exist) cost each INSERT and completion UPDATE."""
    from careerquiz.partners.models import Partner
    from quiz.attempts import complete_attempt, place_and_record, start_attempt
    from quiz.models import Attempt, Quiz
    from tests.factories import live_version, plausible_answers

    version = live_version(Quiz.objects.get(slug="ml-engineer"))
    partner = Partner.objects.order_by("pk")[0]
    rng = random.Random(19)
    answers = [plausible_answers(rng, version) for _ in range(count)]

    def each(action: Callable[[int], object]) -> float:
        seconds = []
        for index in range(count):
            started = time.perf_counter()
            action(index)
            seconds.append(time.perf_counter() - started)
        return statistics.median(seconds)

    def begin(_: int) -> Attempt:
        return start_attempt(version, channel="embed", partner_id=partner.pk, ref="spring")

    def begin_and_complete(index: int) -> object:
        return complete_attempt(begin(index), answers[index], region="IN")

    def placed(index: int) -> object:
        return place_and_record(
            version, answers[index], region="IN", channel="api", partner_id=partner.pk
        )

    start = each(begin)
    both = each(begin_and_complete)
    api = each(placed)
    print(f"\n{'writes (median of ' + str(count) + ')':<40} {'ms':>9}")
    print(f"{'start an attempt':<40} {start * 1000:>8.2f}")
    print(f"{'start, then complete':<40} {both * 1000:>8.2f}")
    print(f"{'API placement (one INSERT)':<40} {api * 1000:>8.2f}")


if __name__ == "__main__":
    main()
