from __future__ import annotations

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class CareerquizConfig(AppConfig):
    name = "careerquiz"
    verbose_name = "careerquiz"

    def ready(self) -> None:
        from careerquiz import checks  # noqa: F401  (registers the deploy checks)
        from careerquiz.api.views import placement_event_data
        from careerquiz.partners.webhooks import register_placement_data
        from careerquiz.roles import ensure_roles

        # A webhook's data is the API's placement body, which the partners app cannot import.
        register_placement_data(placement_event_data)

        # After the partners app migrates, every app's permissions exist (Django creates
        # them per app, in INSTALLED_APPS order, and partners is our last app with models).
        post_migrate.connect(ensure_roles, sender=apps.get_app_config("partners"))
