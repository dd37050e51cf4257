"""`manage.py export_content FILE [--ladder SLUG] [--quiz SLUG]`: write careerquiz/1 JSON.

FILE `-` writes to standard output. With no --ladder/--quiz everything is
exported; naming some exports only those.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careerquiz.content import dumps, export_content

MSG_WROTE = "Wrote {ladders} ladder(s) and {quizzes} quiz(zes) to {file}."


class Command(BaseCommand):
    help = "Export ladders and quizzes as careerquiz/1 JSON; FILE - writes to stdout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Where to write, or - for standard output.")
        parser.add_argument(
            "--ladder", action="append", metavar="SLUG", help="Export this ladder (repeatable)."
        )
        parser.add_argument(
            "--quiz", action="append", metavar="SLUG", help="Export this quiz (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = export_content(ladders=options["ladder"], quizzes=options["quiz"])
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        text = dumps(data)
        name = options["file"]
        if name == "-":
            # BaseCommand's stdout wrapper would add a second newline.
            self.stdout.write(text, ending="")
            return
        try:
            Path(name).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {name}: {exc.strerror or exc}") from exc
        summary = MSG_WROTE.format(
            ladders=len(data["ladders"]), quizzes=len(data["quizzes"]), file=name
        )
        self.stdout.write(summary)
