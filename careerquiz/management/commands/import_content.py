"""`manage.py import_content FILE [--dry-run]`: load careerquiz/1 content into the database.

The whole file is validated first; a bad file changes nothing and every error
is printed as `path: message` on stderr, with a non-zero exit status.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careerquiz.content import ContentInvalid, import_content, load_file, loads

MSG_INVALID = "{file}: {count} error(s); nothing was imported."
MSG_IMPORTED = "Imported {file}:"
MSG_DRY_RUN = "Dry run of {file}, nothing written. An import would make these changes:"
MSG_NO_CHANGES = "Nothing to change: the database already holds this content."


class Command(BaseCommand):
    help = "Import ladders and quizzes from a careerquiz/1 JSON (or YAML) file; - reads stdin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The content file, or - for standard input.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate and report what would change, then roll back.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        try:
            data = loads(sys.stdin.read()) if name == "-" else load_file(name)
            report = import_content(data, by="import_content", dry_run=options["dry_run"])
        except ContentInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(MSG_INVALID.format(file=name, count=len(exc.errors))) from exc

        if not report.changed:
            self.stdout.write(MSG_NO_CHANGES)
            return
        heading = MSG_DRY_RUN if report.dry_run else MSG_IMPORTED
        self.stdout.write(heading.format(file=name))
        for line in report.lines():
            self.stdout.write(f"  {line}")
