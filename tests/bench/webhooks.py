"""Time webhook deliveries through the real worker, and what a webhook adds to a placement.

    uv run python -m tests.bench.webhooks                      # SQLite, in a temporary file
    uv run python -m tests.bench.webhooks --deliveries 2000 --placements 500

On a fresh database with the shipped quiz: (1) `--placements` API-style placements
(quiz.attempts.place_and_record) for a partner without a webhook, then as many for one
with an endpoint (each also writes its outbox row and enqueues its task), reporting
the median time of each and their ratio; (2) `--deliveries` pending deliveries sent by
one `manage.py db_worker` to a receiver on 127.0.0.1 that answers 200 at once,
reporting deliveries per second from the worker's start to the last one delivered.
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--placements", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as scratch:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
        os.environ.pop("REDIS_URL", None)
        os.environ["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = "true"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerquiz.settings")
        run(deliveries=args.deliveries, placements=args.placements)


class Quiet(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def run(*, deliveries: int, placements: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from careerquiz.content import SHIPPED_CONTENT, import_content, load_file
    from careerquiz.partners.models import PLACEMENT_COMPLETED, Partner, WebhookEndpoint
    from quiz.models import Quiz

    call_command("migrate", verbosity=0)
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

    rate = time_worker(version, hooked.pk, deliveries)
    print(f"worker (SQLite, one db_worker): {rate:.0f} deliveries/s over {deliveries}")
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


def time_worker(version: Any, partner_id: int, count: int) -> float:
    from django.db import close_old_connections
    from django_tasks_db.models import DBTaskResult

    from careerquiz.partners.models import WebhookDelivery
    from quiz.attempts import place_and_record

    # What the placements above queued is sent first; then `count` more, timed.
    WebhookDelivery.objects.all().delete()
    DBTaskResult.objects.all().delete()
    answers = answers_for(version)
    for _ in range(count):
        place_and_record(version, answers, partner_id=partner_id)
    close_old_connections()
    command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*"]
    command += ["--interval", "0.05", "--no-reload", "--no-startup-delay", "-v", "0"]
    started = time.perf_counter()
    worker = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())
    try:
        delivered = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED)
        while delivered.count() < count:
            if time.perf_counter() - started > 600:
                raise SystemExit(f"only {delivered.count()} of {count} delivered in 600 s")
            time.sleep(0.2)
        return count / (time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


if __name__ == "__main__":
    main()
