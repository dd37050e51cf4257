"""Partners: the sites that embed the quiz or call the API with their public key.

What a partner sets ends up in response headers (origins, in CORS and CSP
frame-ancestors) and in the embedded page's styles (the theme), so every
value is validated to a strict shape: an origin is exactly scheme://host[:port],
a colour is a hex colour, a font stack is font names and commas.
"""

from __future__ import annotations

import base64
import re
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from careerquiz.partners.addresses import RefusedAddress, check_webhook_url
from ladder.models import REGION_VALIDATOR
from quiz import passthrough
from quiz.models import VIEW_EVERY_ATTEMPT

ORIGIN_PATTERN = re.compile(
    r"^https?://(\[[0-9a-fA-F:]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(:[0-9]{1,5})?$"
)
MSG_BAD_ORIGIN = (
    "{origin!r} is not an origin: use scheme://host[:port] with no path, query or "
    "trailing slash, one per line, e.g. https://partner.example"
)
MSG_BAD_COLOUR = "Use a hex colour such as #0b5fff."
MSG_BAD_FONT = (
    "Use font names separated by commas, e.g. Inter, system-ui, sans-serif "
    "(letters, digits, spaces, hyphens and quotes only)."
)
MSG_CTA_NEEDS_BOTH = "A call to action needs both its text and its link."
MSG_CTA_HTTPS = "The call to action must link to an https:// address."
MSG_BAD_PASS_PARAM = (
    "{name!r} is not a parameter name: letters, digits, _ . - (at most 40), separated by "
    "spaces or commas, e.g. utm_source utm_campaign cohort"
)
MSG_TOO_MANY_PASS_PARAMS = f"At most {passthrough.MAX_PARAMS} parameters."

HEX_COLOUR = RegexValidator(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$", MSG_BAD_COLOUR)
FONT_STACK = RegexValidator(r"^[A-Za-z0-9 ,'\"-]*$", MSG_BAD_FONT)

DEFAULT_ACCENT = "#0b5fff"
DEFAULT_RADIUS = 8
MAX_RADIUS = 32


def new_public_key() -> str:
    return "pk_" + secrets.token_urlsafe(18)


def split_names(value: str) -> list[str]:
    return [name for name in re.split(r"[\s,]+", value) if name]


def validate_pass_params(value: str) -> None:
    names = split_names(value)
    for name in names:
        if not passthrough.NAME_PATTERN.fullmatch(name):
            raise ValidationError(MSG_BAD_PASS_PARAM.format(name=name))
    if len(names) > passthrough.MAX_PARAMS:
        raise ValidationError(MSG_TOO_MANY_PASS_PARAMS)


def validate_origins(value: str) -> None:
    # Origins end up in CORS and CSP frame-ancestors headers, so only a strict
    # scheme://host[:port] may pass: a ";" or a path would change those headers.
    for origin in value.split():
        match = ORIGIN_PATTERN.match(origin)
        port = match and match.group(2)
        if not match or (port and not 0 < int(port[1:]) <= 65535):
            raise ValidationError(MSG_BAD_ORIGIN.format(origin=origin))


class PartnerQuerySet(models.QuerySet["Partner"]):
    def active(self) -> PartnerQuerySet:
        return self.filter(is_active=True)

    def managed_by(self, user: AbstractUser | AnonymousUser) -> PartnerQuerySet:
        """The partners whose attempts `user` may count: every one with
        `quiz.view_every_attempt`, else those that name the user as a manager."""
        if user.has_perm(VIEW_EVERY_ATTEMPT):
            return self
        return self.filter(managers__pk=user.pk) if user.pk is not None else self.none()


class Partner(models.Model):
    """A site that embeds the quiz or calls the API with its public key."""

    class ColorScheme(models.TextChoices):
        AUTO = "auto", "Follow the visitor's setting"
        LIGHT = "light", "Light"
        DARK = "dark", "Dark"

    name = models.CharField(max_length=200)
    public_key = models.CharField(max_length=64, unique=True, default=new_public_key)
    allowed_origins = models.TextField(
        blank=True,
        validators=[validate_origins],
        help_text=(
            "The sites that may embed the quiz or call the API from a browser: one origin "
            "per line, e.g. https://careers.example.com (no path, no wildcard)."
        ),
    )
    is_active = models.BooleanField(
        default=True, help_text="Off: the key is refused and embeds show a link instead."
    )
    default_region = models.CharField(
        max_length=2,
        blank=True,
        validators=[REGION_VALIDATOR],
        help_text="Preselected on the quiz's region step, e.g. IN; a data-region attribute wins.",
    )
    # The theme of the embedded quiz.
    accent_color = models.CharField(
        "accent colour", max_length=7, default=DEFAULT_ACCENT, validators=[HEX_COLOUR]
    )
    font_family = models.CharField(
        "font stack",
        max_length=200,
        blank=True,
        validators=[FONT_STACK],
        help_text="Empty: the quiz's own. Fonts the partner page loads are not loaded here.",
    )
    corner_radius = models.PositiveSmallIntegerField(
        default=DEFAULT_RADIUS,
        validators=[MaxValueValidator(MAX_RADIUS)],
        help_text=f"Pixels, 0 (square) to {MAX_RADIUS}.",
    )
    color_scheme = models.CharField(
        "light or dark", max_length=5, choices=ColorScheme.choices, default=ColorScheme.AUTO
    )
    # An optional call to action under the embedded result.
    cta_text = models.CharField(
        "call to action",
        max_length=80,
        blank=True,
        help_text="The link's words, e.g. See our courses.",
    )
    cta_url = models.URLField("call to action link", blank=True)
    # Context the partner keeps with each visit (quiz.passthrough): the embed's snippets
    # name these in data-pass-params, and only these are stored.
    pass_params = models.CharField(
        "parameters passed through",
        max_length=500,
        blank=True,
        validators=[validate_pass_params],
        help_text=(
            "Names the embed forwards from the partner page's address (or data-hidden-NAME "
            "attributes) and stores with each attempt, e.g. utm_source utm_campaign cohort. "
            f"At most {passthrough.MAX_PARAMS}; values up to {passthrough.MAX_VALUE_LENGTH} "
            "characters."
        ),
    )
    # Who reads this partner's numbers: a partner manager sees only the attempts of
    # partners listing them here (careerquiz.partners.attempts.visible_to).
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_partners",
        help_text="Staff who see this partner's attempts and analytics (partner managers).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if bool(self.cta_text) != bool(self.cta_url):
            field = "cta_url" if self.cta_text else "cta_text"
            raise ValidationError({field: MSG_CTA_NEEDS_BOTH})
        if self.cta_url and not self.cta_url.startswith("https://"):
            raise ValidationError({"cta_url": MSG_CTA_HTTPS})

    @property
    def origins(self) -> list[str]:
        return self.allowed_origins.split()

    @property
    def pass_param_names(self) -> list[str]:
        return split_names(self.pass_params)[: passthrough.MAX_PARAMS]


# --- Webhooks: a partner's servers told of events (careerquiz.partners.webhooks). ---

PLACEMENT_COMPLETED = "placement.completed"
# Every event type an endpoint may subscribe to, with what it means; add new ones here.
EVENT_TYPES = {
    PLACEMENT_COMPLETED: "A visitor brought by the partner finished the quiz (any channel).",
}
MSG_UNKNOWN_EVENT = "Unknown event type {event!r}; known: {known}."
MSG_NO_EVENTS = "Choose at least one event."


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def validate_events(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(MSG_NO_EVENTS)
    for event in value:
        if event not in EVENT_TYPES:
            known = ", ".join(EVENT_TYPES)
            raise ValidationError(MSG_UNKNOWN_EVENT.format(event=event, known=known))


def validate_webhook_url(value: str) -> None:
    try:
        check_webhook_url(value)
    except RefusedAddress as refused:
        raise ValidationError(str(refused)) from refused


class WebhookEndpointQuerySet(models.QuerySet["WebhookEndpoint"]):
    def listening_to(self, event: str, *, partner_id: int) -> list[WebhookEndpoint]:
        """The partner's active endpoints subscribed to `event`."""
        # Filtered here, not in SQL: SQLite has no JSON `contains`, and a partner has few.
        found = self.filter(partner_id=partner_id, is_active=True)
        return [endpoint for endpoint in found if event in endpoint.events]


class WebhookEndpoint(models.Model):
    """A partner's server that receives signed event POSTs."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(
        "address",
        max_length=500,
        validators=[validate_webhook_url],
        help_text="The https:// address that receives the POSTs (public servers only).",
    )
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(
        default=list, validators=[validate_events], help_text="The event types sent here."
    )
    # Kept in clear: signing needs it (an HMAC key cannot be stored hashed). Shown once.
    secret = models.CharField(max_length=100, default=new_webhook_secret, editable=False)
    is_active = models.BooleanField(
        default=True,
        help_text="Off: nothing is sent; deliveries wait and go out when it is switched on.",
    )
    disabled_reason = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["partner__name", "url"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return f"{self.partner.name}: {self.url}"


class WebhookDelivery(models.Model):
    """One event for one endpoint: written with the event (an outbox), sent by a task."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    # The webhook-id header: the same on every retry and replay, so receivers de-duplicate.
    message_id = models.CharField(max_length=40, unique=True, default=new_message_id)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=60)
    # The event as sent: {"type", "timestamp", "data"}; fixed when the event happened.
    payload = models.JSONField()
    is_test = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A sender sets this while it sends, so a second task for the row leaves it alone.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField("response code", null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField("latency (ms)", null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["endpoint", "-created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"


class CallToActionClick(models.Model):
    """A visitor followed the partner's call to action under an embedded result: one row per
    attempt (the first click), so analytics counts people, with no cookie involved."""

    attempt = models.OneToOneField(
        "quiz.Attempt", on_delete=models.CASCADE, related_name="cta_click"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="cta_clicks")
    clicked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "call-to-action click"

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.attempt_id} at {self.clicked_at:%Y-%m-%d %H:%M}"
