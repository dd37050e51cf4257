"""`manage.py demo`: everything a newcomer needs, then the development server.

Safe to run again: migrations are idempotent, the shipped content is only
imported when its ladder is missing, and an admin is only created when no
superuser exists at all.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ladder.content_io import SHIPPED_CONTENT, import_content, load_file
from ladder.models import Ladder

DEMO_ADMIN_USERNAME = "admin"
MSG_NOT_IN_DEBUG = (
    "demo creates a local admin account and serves with the development server; "
    "it is meant for DJANGO_DEBUG=true. Pass --force to run it anyway."
)


class Command(BaseCommand):
    help = "Set up the SQLite database with the shipped ML ladder and quiz, then run the server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="Where to serve.")
        parser.add_argument(
            "--no-server", action="store_true", help="Only set up; do not start the server."
        )
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(MSG_NOT_IN_DEBUG)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready (migrations applied).")
        self._import_shipped_content()
        self._ensure_admin()
        base = f"http://{options['addrport']}"
        if ":" not in options["addrport"]:
            base = f"http://127.0.0.1:{options['addrport']}"
        self._print_urls(base)
        if not options["no_server"]:
            call_command("runserver", options["addrport"], use_reloader=False)

    def _import_shipped_content(self) -> None:
        data = load_file(SHIPPED_CONTENT)
        slugs = [ladder["slug"] for ladder in data.get("ladders", [])]
        if Ladder.objects.filter(slug__in=slugs).count() == len(slugs):
            self.stdout.write("Shipped content already present; left as it is.")
            return
        report = import_content(data, by="demo")
        self.stdout.write(f"Imported the shipped content: {report}")

    def _ensure_admin(self) -> None:
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin account already exists; log in with it at /admin/.")
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser(DEMO_ADMIN_USERNAME, "", password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created a local admin account: username {DEMO_ADMIN_USERNAME!r}, "
                f"password {password!r}. It is shown only this once; "
                "change it with `uv run manage.py changepassword admin`."
            )
        )

    def _print_urls(self, base: str) -> None:
        self.stdout.write("\ncareerquiz is ready:")
        for label, path in [
            ("The quiz", "/quiz/ml-engineer/"),
            ("The ladder", "/ladders/ml-engineer/"),
            ("Admin (editors)", "/admin/"),
            ("API docs", "/api/docs/"),
            ("API", "/api/v1/quizzes/"),
        ]:
            self.stdout.write(f"  {label:<16} {base}{path}")
        self.stdout.write("")
