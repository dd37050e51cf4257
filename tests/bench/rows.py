"""Bytes per attempt on PostgreSQL, indexes included: lean rows against rows storing results.

    uv run python -m tests.bench.rows                   # 100,000 attempts
    uv run python -m tests.bench.rows --database-url postgres://postgres@127.0.0.1:5432/cqcore_rows

The shipped quiz is imported and a pool of plausible answer sets placed by the
real engine; `--attempts` completed attempts are written with them (half brought
by a partner with a ref and passed-through context, as the embed writes them),
first as this code writes them (no result document: it is built when read),
then given the result documents their answers place at, as attempts were
written before lean attempts (the whole document in the row, `Attempt.result`;
one UPDATE joining on the answers, so the server compresses each as an INSERT
would). After each and a VACUUM FULL, it reports
pg_total_relation_size('quiz_attempt') (heap, TOAST and every index) divided by
the number of rows, and the ratio of the two.

The database in the URL is created first and dropped at the end, so it must not
exist. Nothing here runs in the test suite; other processes on the machine
share its disk and cores, so run it on a quiet machine for figures to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
import warnings
from typing import Any

from tests.bench.analytics import create_database, drop_database

BATCH = 2000
POOL = 500
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cqcore_rows"

# Per answer set: the answers, their analytics columns, the result as schema 1 stored it.
Pool = list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]


def main() -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--attempts", type=int, default=100_000)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DATABASE_POOL"] = "false"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerquiz.settings")
    create_database(args.database_url)
    try:
        run(args.attempts)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(args.database_url)


def run(count: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    pool = answer_pool()
    fill(count, pool)
    lean = measure()
    print(f"lean attempts (result built when read): {lean:,.0f} bytes per attempt")
    store_results(pool)
    stored = measure()
    print(f"attempts storing their result (before):  {stored:,.0f} bytes per attempt")
    print(f"lean / before: {lean / stored:.3f} ({stored / lean:.1f}x smaller)")


def answer_pool() -> Pool:
    """(answers, analytics columns, the result document as it used to be stored) per set."""
    from careerquiz.content import SHIPPED_CONTENT, import_content, load_file
    from quiz.attempts import analytics_columns
    from quiz.models import Quiz
    from quiz.placement import place
    from quiz.results import build_result
    from quiz.versions import spec_for
    from tests.factories import live_version, plausible_answers

    import_content(load_file(SHIPPED_CONTENT))
    version = live_version(Quiz.objects.get(slug="ml-engineer"))
    spec = spec_for(version)
    rng = random.Random(2026)
    pool = []
    for _ in range(POOL):
        answers = plausible_answers(rng, version)
        placement = place(spec, answers)
        result = build_result(
            spec,
            placement,
            frozen=version.document,
            version_number=version.number,
            region="IN",
            result_id="x" * 22,
            completed_at="2026-12-03T15:00:00.000000+00:00",
        ).to_json()
        del result["schema_version"]  # as schema 1 stored it
        pool.append((answers, analytics_columns(spec, placement), result))
    return pool


def fill(count: int, pool: Pool) -> None:
    """Write `count` completed attempts as completing one writes them today."""
    from django.utils import timezone

    from careerquiz.partners.models import Partner
    from quiz.models import Attempt, Quiz

    quiz = Quiz.objects.get(slug="ml-engineer")
    version = quiz.live_version
    partners = Partner.objects.bulk_create([Partner(name=f"Partner {n:02d}") for n in range(1, 21)])
    rng = random.Random(19)
    now = timezone.now()
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        rows = []
        for _ in range(min(BATCH, count - first)):
            answers, columns, _result = rng.choice(pool)
            partner = rng.choice(partners) if rng.random() < 0.5 else None
            attempt = Attempt(
                quiz=quiz,
                version=version,
                partner_id=partner.pk if partner else None,
                channel="embed" if partner else "web",
                ref="spring" if partner else "",
                passthrough={"utm_source": "newsletter"} if partner else {},
                region="IN",
                answers=answers,
                completed_at=now,
                **columns,
            )
            rows.append(attempt)
        Attempt.objects.bulk_create(rows)
        print(f"\r  {first + len(rows):,} attempts", end="", flush=True)
    print(f" in {time.perf_counter() - started:.0f} s")


def store_results(pool: Pool) -> None:
    """Give every attempt the result document of its answers, as schema 1 stored it."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE pool (answers jsonb, result jsonb)")
        cursor.executemany(
            "INSERT INTO pool VALUES (%s::jsonb, %s::jsonb)",
            [(json.dumps(answers), json.dumps(result)) for answers, _, result in pool],
        )
        cursor.execute(
            "UPDATE quiz_attempt a SET result = p.result, result_schema = 1"
            " FROM (SELECT DISTINCT ON (answers) answers, result FROM pool) p"
            " WHERE a.answers = p.answers"
        )
        updated = cursor.rowcount
    print(f"  {updated:,} results stored in {time.perf_counter() - started:.0f} s")


def measure() -> float:
    """The attempt table's bytes per row, heap, TOAST and indexes, after a VACUUM FULL."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM FULL ANALYZE quiz_attempt")
        cursor.execute(
            "SELECT pg_total_relation_size('quiz_attempt'), pg_relation_size('quiz_attempt'),"
            " pg_indexes_size('quiz_attempt'), (SELECT count(*) FROM quiz_attempt)"
        )
        total, heap, indexes, rows_counted = cursor.fetchone()
    print(
        f"  total {total / 2**20:,.1f} MiB: heap {heap / 2**20:,.1f} MiB, "
        f"indexes {indexes / 2**20:,.1f} MiB, TOAST {(total - heap - indexes) / 2**20:,.1f} MiB"
    )
    return float(total) / rows_counted


if __name__ == "__main__":
    main()
