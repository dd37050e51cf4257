"""Time webhook deliveries through the real worker, and what a webhook adds to a placement.

    uv run python -m tests.bench.webhooks                      # SQLite, then PostgreSQL + Redis
    uv run python -m tests.bench.webhooks --databases sqlite --deliveries 2000 --placements 500
    uv run python -m tests.bench.webhooks --databases postgres \
        --postgres-url postgres://postgres@127.0.0.1:5432/mine --redis-url redis://127.0.0.1:6379/8

For each database, on a fresh one with the shipped quiz: (1) `--placements` API-style
placements (quiz.attempts.place_and_record) for a partner without a webhook, then as
many for one with an endpoint (each also writes its outbox row and enqueues its task),
reporting the median time of each and their ratio; (2) `--deliveries` pending
deliveries sent by one worker to a receiver on 127.0.0.1 that answers 200 at once,
reporting deliveries per second from the worker's start to the last one delivered.
SQLite runs as shipped (django-tasks-db, `manage.py db_worker`); PostgreSQL with Redis
as production may (`TASKS_BACKEND=rq`, `manage.py rqworker`, Redis also the cache).
Without `--postgres-url` a temporary PostgreSQL database is made and dropped; with it,
that database is emptied first (`flush`), and so is the Redis database of `--redis-url`.
Nothing here runs in the test suite; run it alone, on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LABELS = {"sqlite": "SQLite, one db_worker", "postgres": "PostgreSQL + Redis, one rqworker"}
RQ_WORKER = ["rqworker", "default", "webhooks", "--with-scheduler"]
RQ_WORKER += ["--job-class", "django_tasks_rq.backend.Job"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--placements", type=int, default=300)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--postgres-url", default="")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument(
        "--rq-worker-class", default="", help="e.g. rq.worker.SimpleWorker (no fork per job)"
    )
    parser.add_argument("--one", choices=sorted(LABELS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a child process, its settings already in the environment
        run(args.one, deliveries=args.deliveries, placements=args.placements)
        return
    rates = {}
    for kind in args.databases:
        with environment(kind, args) as env:
            command = [sys.executable, "-m", "tests.bench.webhooks", "--one", kind]
            command += ["--deliveries", str(args.deliveries)]
            command += ["--placements", str(args.placements)]
            if args.rq_worker_class:
                env["BENCH_RQ_WORKER_CLASS"] = args.rq_worker_class
            output = subprocess.run(
                command, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True
            ).stdout
            print(output, end="")
            rates[kind] = float(output.rsplit("deliveries/s", 1)[0].split()[-1])
    if len(rates) == 2:
        ratio = rates["postgres"] / rates["sqlite"]
        print(f"worker, PostgreSQL + Redis / SQLite: {ratio:.2f}")


@contextmanager
def environment(kind: str, args: argparse.Namespace) -> Iterator[dict[str, str]]:
    """The settings of one run; what it made is removed afterwards."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "careerquiz.settings",
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
    }
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as scratch:
        if kind == "sqlite":
            env.pop("REDIS_URL", None)
            yield env | {
                "DATABASE_URL": f"sqlite:///{scratch}/bench.sqlite3",
                "TASKS_BACKEND": "database",
            }
            return
        from tests.servers import database, flush_redis

        flush_redis(args.redis_url)
        redis = {"REDIS_URL": args.redis_url, "TASKS_BACKEND": "rq"}
        redis["TASKS_REDIS_URL"] = args.redis_url
        if args.postgres_url:
            create_if_missing(args.postgres_url)
            yield env | redis | {"DATABASE_URL": args.postgres_url, "BENCH_FLUSH": "1"}
            return
        with database("postgres", Path(scratch)) as url:
            yield env | redis | {"DATABASE_URL": url}


def create_if_missing(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as pg:
        found = pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            pg.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


class Quiet(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def run(kind: str, *, deliveries: int, placements: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from careerquiz.content import SHIPPED_CONTENT, import_content, load_file
    from careerquiz.partners.models import PLACEMENT_COMPLETED, Partner, WebhookEndpoint
    from quiz.models import Quiz

    call_command("migrate", verbosity=0)
    if os.environ.get("BENCH_FLUSH"):  # a database named on the command line: empty it
        call_command("flush", interactive=False, verbosity=0)
    import_content(load_file(SHIPPED_CONTENT))
    version = Quiz.objects.get(slug="ml-engineer").live_version
    assert version is not None
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    Thread(target=receiver.serve_forever, daemon=True).start()
    plain = Partner.objects.create(name="Without webhooks")
    hooked = Partner.objects.create(name="With a webhook")
    WebhookEndpoint.objects.create(
        partner=hooked,
        url=f"http://127.0.0.1:{receiver.server_port}/hooks",
        events=[PLACEMENT_COMPLETED],
    )

    without = time_placements(version, plain.pk, placements)
    with_hook = time_placements(version, hooked.pk, placements)
    print(f"placement without a webhook: {without * 1000:.2f} ms (median of {placements})")
    print(f"placement with a webhook:    {with_hook * 1000:.2f} ms")
    print(f"ratio:                       {with_hook / without:.2f}")

    rate = time_worker(version, hooked.pk, deliveries, rq=kind == "postgres")
    label = LABELS[kind]
    if kind == "postgres" and os.environ.get("BENCH_RQ_WORKER_CLASS"):
        label += f" --worker-class {os.environ['BENCH_RQ_WORKER_CLASS']}"
    print(f"worker ({label}): {rate:.0f} deliveries/s over {deliveries}")
    receiver.shutdown()


def answers_for(version: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in version.snapshot["questions"]:
        first = question["options"][0]["key"]
        answers[question["key"]] = [first] if question["role"] == "skills" else first
    return answers


def time_placements(version: Any, partner_id: int, count: int) -> float:
    from quiz.attempts import place_and_record

    answers = answers_for(version)
    for _ in range(10):  # warm the caches
        place_and_record(version, answers, partner_id=partner_id)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        place_and_record(version, answers, partner_id=partner_id)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def time_worker(version: Any, partner_id: int, count: int, *, rq: bool) -> float:
    from django.db import close_old_connections
    from django_tasks_db.models import DBTaskResult

    from careerquiz.partners.models import WebhookDelivery
    from quiz.attempts import place_and_record
    from tests.servers import flush_redis

    # What the placements above queued is sent first; then `count` more, timed.
    WebhookDelivery.objects.all().delete()
    DBTaskResult.objects.all().delete()
    if rq:
        flush_redis(os.environ["TASKS_REDIS_URL"])
    answers = answers_for(version)
    for _ in range(count):
        place_and_record(version, answers, partner_id=partner_id)
    close_old_connections()
    if rq:
        command = [sys.executable, "manage.py", *RQ_WORKER]
        if worker_class := os.environ.get("BENCH_RQ_WORKER_CLASS"):
            command += ["--worker-class", worker_class]
    else:
        command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*"]
        command += ["--interval", "0.05", "--no-reload", "--no-startup-delay", "-v", "0"]
    started = time.perf_counter()
    worker = subprocess.Popen(
        command,
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        delivered = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED)
        while delivered.count() < count:
            if worker.poll() is not None:
                raise SystemExit(f"the worker stopped (exit {worker.returncode}): {command}")
            if time.perf_counter() - started > 600:
                raise SystemExit(f"only {delivered.count()} of {count} delivered in 600 s")
            time.sleep(0.2)
        return count / (time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


if __name__ == "__main__":
    main()
