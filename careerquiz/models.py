"""The project's own table: the heartbeat row that /healthz/ writes."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    """One row, rewritten by /healthz/ to prove the database still takes a write."""

    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"heartbeat at {self.beat_at:%Y-%m-%d %H:%M:%S}"

    @staticmethod
    def beat() -> None:
        # One upsert that commits: a full disk, a read-only file or a stuck SQLite
        # writer fails it, while reads (and a rolled-back write, which SQLite never
        # puts on disk) would still succeed.
        Heartbeat.objects.bulk_create(
            [Heartbeat(pk=1, beat_at=timezone.now())],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["beat_at"],
        )
