"""`manage.py rebuild_tallies`: count analytics' tallies again from the attempts.

Tallies are kept up to date as attempts change (quiz.tallies); run this after
TIME_ZONE changed (their days are the site's days: until then the analytics
page counts the attempts themselves, slowly) or after attempts were changed
around the application, with SQL of one's own.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from quiz import tallies


class Command(BaseCommand):
    help = "Recount analytics' tallies from the attempts, in the current TIME_ZONE."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = tallies.rebuild()
        self.stdout.write(f"{rows} tally row{'s' if rows != 1 else ''} written ({tallies.zone()})")
