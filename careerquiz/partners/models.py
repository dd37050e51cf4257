"""Partners: the sites that embed the quiz or call the API with their public key."""

from __future__ import annotations

import re
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

ORIGIN_PATTERN = re.compile(
    r"^https?://(\[[0-9a-fA-F:]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(:[0-9]{1,5})?$"
)
MSG_BAD_ORIGIN = (
    "{origin!r} is not an origin: use scheme://host[:port] with no path, query or "
    "trailing slash, one per line, e.g. https://partner.example"
)


def new_public_key() -> str:
    return "pk_" + secrets.token_urlsafe(18)


def validate_origins(value: str) -> None:
    # Origins end up in CORS and CSP frame-ancestors headers, so only a strict
    # scheme://host[:port] may pass: a ";" or a path would change those headers.
    for origin in value.split():
        if not ORIGIN_PATTERN.match(origin):
            raise ValidationError(MSG_BAD_ORIGIN.format(origin=origin))


class PartnerQuerySet(models.QuerySet["Partner"]):
    def active(self) -> PartnerQuerySet:
        return self.filter(is_active=True)


class Partner(models.Model):
    """A site that embeds the quiz or calls the API with its public key."""

    name = models.CharField(max_length=200)
    public_key = models.CharField(max_length=64, unique=True, default=new_public_key)
    allowed_origins = models.TextField(
        blank=True,
        validators=[validate_origins],
        help_text="One origin per line, e.g. https://careers.example.com",
    )
    theme = models.JSONField(
        default=dict, blank=True, help_text='e.g. {"accent": "#0b5fff", "font": "system-ui"}'
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def origins(self) -> list[str]:
        return self.allowed_origins.split()
