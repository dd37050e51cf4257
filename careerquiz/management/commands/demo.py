"""`manage.py demo`: everything a newcomer needs, then the development server.

Safe to run again: migrations are idempotent, a shipped ladder or quiz is only
imported when it is missing (an editor's changes to one that exists are kept),
and the local admin is only created when no superuser exists at all.

Beside the app it serves a partner's page on another origin (127.0.0.1 on the
next port, embedding the app from localhost: a different site to a browser),
so the embed can be seen working cross-site, and runs the task worker
(`manage.py db_worker`) that delivers webhooks, stopped with the server.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from careerquiz.content import SHIPPED_CONTENT, import_content, load_file
from careerquiz.partners.demo import demo_partner, partner_page, serve_pages
from ladder.models import Ladder
from quiz.models import Quiz

DEFAULT_ADDRPORT = "127.0.0.1:8000"
ADMIN_USERNAME = "admin"

MSG_NOT_IN_DEBUG = (
    "demo creates a local admin account with a printed password and serves with the "
    "development server; it is meant for DJANGO_DEBUG=true. Pass --force to run it anyway."
)
MSG_MIGRATED = "Database ready: migrations applied."
MSG_CONTENT_IMPORTED = "Imported the shipped content ({file}): {report}"
MSG_CONTENT_PRESENT = "The shipped ladder and quiz are already present; left as they are."
MSG_ADMIN_CREATED = (
    "Created a local admin account. Log in at {url} with\n"
    "  username: {username}\n"
    "  password: {password}\n"
    "This password is shown only this once; change it with "
    "`uv run manage.py changepassword {username}`."
)
MSG_ADMIN_EXISTS = (
    "An admin account already exists; log in at {url} with it "
    "(forgot it? `uv run manage.py changepassword USERNAME`)."
)
MSG_ADMIN_NAME_TAKEN = (
    "No superuser exists, but a user named {username!r} does; "
    "create an admin with `uv run manage.py createsuperuser`."
)
MSG_READY = "careerquiz is ready:"
MSG_WORKER = "  {label:<11} manage.py db_worker (delivers webhooks; stops with the server)"
MSG_PARTNER_PAGE = "  {label:<11} {url}  (a partner's page on another origin, embedding the quiz)"
DEMO_QUIZ = "ml-engineer"

# What a newcomer wants to open, in the order they will want it.
URLS = [
    ("the quiz", "/quiz/ml-engineer/"),
    ("the ladder", "/ladders/ml-engineer/"),
    ("the admin", "admin:index"),
    ("API docs", "/api/docs/"),
    ("the API", "/api/v1/quizzes/"),
]


class Command(BaseCommand):
    help = (
        "Set up the database with the shipped ML ladder and quiz and a local admin, "
        "then run the development server. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "addrport",
            nargs="?",
            default=DEFAULT_ADDRPORT,
            help=f"Address and/or port to serve on (default {DEFAULT_ADDRPORT}).",
        )
        parser.add_argument(
            "--no-server", action="store_true", help="Only set up; do not start the server."
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even with DJANGO_DEBUG off (not advised)."
        )
        parser.add_argument(
            "--partner-port",
            type=int,
            help="Port of the demo partner page (default: the app's port + 1).",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not run the task worker that delivers webhooks beside the server.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(MSG_NOT_IN_DEBUG)
        base = browsable_base(options["addrport"])

        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(MSG_MIGRATED)
        self.import_missing_content()
        self.ensure_admin(base + reverse("admin:index"))
        port = options["partner_port"] or int(base.rsplit(":", 1)[1]) + 1
        partner_url = f"http://127.0.0.1:{port}"
        partner = demo_partner(partner_url)

        self.stdout.write(f"\n{MSG_READY}")
        for label, path in URLS:
            path = path if path.startswith("/") else reverse(path)
            self.stdout.write(f"  {label:<11} {base}{path}")
        self.stdout.write(MSG_PARTNER_PAGE.format(label="embed demo", url=f"{partner_url}/"))
        with_worker = not options["no_server"] and not options["no_worker"]
        if with_worker:
            self.stdout.write(MSG_WORKER.format(label="webhooks"))
        self.stdout.write("")

        if not options["no_server"]:
            html = partner_page(app_url=cross_site(base), quiz=DEMO_QUIZ, key=partner.public_key)
            serve_pages({"/": html}, port=port)
            worker = start_worker() if with_worker else None
            try:
                # No autoreloader: it would re-run this whole command in a child process.
                call_command("runserver", options["addrport"], use_reloader=False)
            finally:
                if worker is not None:
                    stop_worker(worker)

    def import_missing_content(self) -> None:
        data = load_file(SHIPPED_CONTENT)
        present_ladders = set(Ladder.objects.values_list("slug", flat=True))
        present_quizzes = set(Quiz.objects.values_list("slug", flat=True))
        # Import only what is missing: a quiz of the file may name a stored ladder.
        missing = {
            **data,
            "ladders": [item for item in data["ladders"] if item["slug"] not in present_ladders],
            "quizzes": [item for item in data["quizzes"] if item["slug"] not in present_quizzes],
        }
        if not missing["ladders"] and not missing["quizzes"]:
            self.stdout.write(MSG_CONTENT_PRESENT)
            return
        report = import_content(missing, by="demo")
        self.stdout.write(MSG_CONTENT_IMPORTED.format(file=SHIPPED_CONTENT.name, report=report))

    def ensure_admin(self, admin_url: str) -> None:
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            self.stdout.write(MSG_ADMIN_EXISTS.format(url=admin_url))
            return
        if users.objects.filter(username=ADMIN_USERNAME).exists():
            self.stdout.write(
                self.style.WARNING(MSG_ADMIN_NAME_TAKEN.format(username=ADMIN_USERNAME))
            )
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser(ADMIN_USERNAME, "", password)
        message = MSG_ADMIN_CREATED.format(
            url=admin_url, username=ADMIN_USERNAME, password=password
        )
        self.stdout.write(self.style.SUCCESS(message))


def start_worker() -> subprocess.Popen[bytes]:
    """`manage.py db_worker` on every queue, in this environment (so this database)."""
    manage = settings.BASE_DIR / "manage.py"
    command = [sys.executable, str(manage), "db_worker", "--queue-name", "*", "--no-reload"]
    return subprocess.Popen(command)


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()  # SIGTERM: the worker finishes its current task's bookkeeping
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def cross_site(base: str) -> str:
    """The app's base URL as the partner page (on 127.0.0.1) loads it: via localhost,
    which a browser counts as another site, so the embed is truly cross-site."""
    return base.replace("//127.0.0.1:", "//localhost:", 1)


def browsable_base(addrport: str) -> str:
    """The base URL a browser on this machine can open for runserver's `addrport`."""
    host, _, port = addrport.rpartition(":")
    if addrport.endswith("]") or (not host and not port.isdigit()):
        host, port = addrport, "8000"
    if host in ("", "0", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "[::]":
        host = "[::1]"
    return f"http://{host}:{port or '8000'}"
