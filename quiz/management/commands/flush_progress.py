"""`manage.py flush_progress`: write how far unfinished attempts got to the database.

Steps are marked in the cache, not the database (quiz.progress). Run this from
cron every few minutes; the analytics page also runs it when it is due.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from quiz import progress


class Command(BaseCommand):
    help = "Copy the steps visitors reached from the cache to their attempts."

    def handle(self, *args: Any, **options: Any) -> None:
        moved = progress.flush()
        self.stdout.write(f"{moved} unfinished attempt{'s' if moved != 1 else ''} moved on")
