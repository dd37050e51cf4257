from __future__ import annotations

from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "careerquiz.partners"
    label = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        from careerquiz.partners import attempts, cors, webhooks

        attempts.connect()
        cors.connect()
        webhooks.connect()
