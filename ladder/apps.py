from __future__ import annotations

from django.apps import AppConfig


class LadderConfig(AppConfig):
    name = "ladder"
    verbose_name = "Career ladders"

    def ready(self) -> None:
        from ladder import freshness

        freshness.connect()
