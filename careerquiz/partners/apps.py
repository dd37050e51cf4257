from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save, pre_delete


class PartnersConfig(AppConfig):
    name = "careerquiz.partners"
    label = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        from careerquiz.partners import attempts, cors, lookup, webhooks

        attempts.connect()
        cors.connect()
        lookup.connect()
        webhooks.connect()
        # Clicks and partners change analytics' counts (quiz.tallies), however they are
        # written: the call-to-action view, the admin, a deleting cascade.
        click, partner = self.get_model("CallToActionClick"), self.get_model("Partner")
        post_save.connect(_click_saved, sender=click, dispatch_uid="tally-click-saved")
        pre_delete.connect(_click_deleted, sender=click, dispatch_uid="tally-click-deleted")
        pre_delete.connect(_partner_deleted, sender=partner, dispatch_uid="tally-partner-gone")


def _click_saved(sender: type[Any], instance: Any, created: bool, **kwargs: Any) -> None:
    from quiz import tallies

    if created:
        tallies.clicked(instance.attempt)


def _click_deleted(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    from quiz import tallies

    tallies.clicked(instance.attempt, sign=-1)


def _partner_deleted(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    from quiz import tallies

    tallies.partner_removed(instance.pk)
