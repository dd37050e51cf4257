"""`manage.py roles`: (re)create the "Editor" and "Partner manager" groups (careerquiz.roles).

`migrate` does this too; run it after changing careerquiz.roles without a migration.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from careerquiz.roles import ROLES, ensure_roles


class Command(BaseCommand):
    help = 'Create or update the "Editor" and "Partner manager" groups and their permissions.'

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_roles()
        for name in ROLES:
            self.stdout.write(f"{name}: up to date")
