"""The webhook admin: a partner's endpoints, each endpoint's delivery log, replays and
a signed test event.

An endpoint's secret is shown once, on the page right after it is created (or its
secret rotated), and never again: only its first characters, to tell secrets
apart. Partner managers see the endpoints and deliveries of the partners they
manage only, as with the partners themselves.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from careerquiz.partners import webhooks
from careerquiz.partners.models import (
    EVENT_TYPES,
    PLACEMENT_COMPLETED,
    Partner,
    WebhookDelivery,
    WebhookEndpoint,
    new_webhook_secret,
)

SECRET_TEMPLATE = "admin/partners/webhookendpoint/secret.html"
MSG_TEST_SENT = "A signed test event is on its way to {count} endpoint(s); see their deliveries."
MSG_TEST_FAILED = "No test event was sent: {reason}"
MSG_RESUMED = "{count} endpoint(s) switched on; {waiting} waiting deliveries are being sent."
MSG_REPLAYED = "{count} deliveries are being sent again (same webhook-id, a new signature)."


def visible_partners(request: HttpRequest) -> QuerySet[Partner]:
    return Partner.objects.managed_by(request.user)


class WebhookEndpointForm(forms.ModelForm[WebhookEndpoint]):
    events = forms.MultipleChoiceField(
        choices=[(name, f"{name}: {meaning}") for name, meaning in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
        initial=[PLACEMENT_COMPLETED],
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("partner", "url", "description", "events", "is_active")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    form = WebhookEndpointForm
    list_display = ("url", "partner", "event_list", "is_active", "disabled_reason", "log")
    list_filter = ("is_active", "partner")
    search_fields = ("url", "description", "partner__name")
    readonly_fields = ("secret_hint", "disabled_reason", "created_at", "log")
    actions = ("send_test_event", "switch_on", "rotate_secret")

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookEndpoint]:
        found = super().get_queryset(request).select_related("partner")
        found = found.annotate(delivery_count=Count("deliveries"))
        return found.filter(partner__in=visible_partners(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "partner":
            kwargs["queryset"] = visible_partners(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="events")
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)

    @admin.display(description="secret")
    def secret_hint(self, endpoint: WebhookEndpoint) -> str:
        if not endpoint.pk:
            return "Shown once, after saving."
        return endpoint.secret[:10] + "…  (shown only when created; rotate it for a new one)"

    @admin.display(description="deliveries")
    def log(self, endpoint: WebhookEndpoint) -> str:
        if not endpoint.pk:
            return "—"
        url = reverse("admin:partners_webhookdelivery_changelist")
        count = getattr(endpoint, "delivery_count", None)
        label = "Delivery log" if count is None else f"Delivery log ({count})"
        return format_html('<a href="{}?endpoint__id__exact={}">{}</a>', url, endpoint.pk, label)

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool
    ) -> None:
        switched_on = change and "is_active" in form.changed_data and obj.is_active
        super().save_model(request, obj, form, change)
        if switched_on:
            webhooks.resume(obj)

    def response_add(
        self, request: HttpRequest, obj: WebhookEndpoint, post_url_continue: str | None = None
    ) -> HttpResponse:
        return show_secrets(request, self, [obj])

    @admin.action(description="Send a signed test event", permissions=["change"])
    def send_test_event(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        try:
            for endpoint in queryset:
                webhooks.send_test_event(endpoint)
        except LookupError as error:
            self.message_user(request, MSG_TEST_FAILED.format(reason=error), messages.ERROR)
            return
        self.message_user(request, MSG_TEST_SENT.format(count=len(queryset)))

    @admin.action(description="Switch on and send waiting deliveries", permissions=["change"])
    def switch_on(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        waiting = sum(webhooks.resume(endpoint) for endpoint in queryset)
        self.message_user(request, MSG_RESUMED.format(count=len(queryset), waiting=waiting))

    @admin.action(description="Rotate the secret (shows the new one once)", permissions=["change"])
    def rotate_secret(
        self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]
    ) -> HttpResponse:
        endpoints = list(queryset)
        for endpoint in endpoints:
            endpoint.secret = new_webhook_secret()
            endpoint.save(update_fields=["secret"])
        return show_secrets(request, self, endpoints)


def show_secrets(
    request: HttpRequest, model_admin: WebhookEndpointAdmin, endpoints: list[WebhookEndpoint]
) -> HttpResponse:
    """The one page that shows secrets (the admin marks every page no-store)."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Copy the signing secret now",
        "endpoints": endpoints,
        "changelist": reverse("admin:partners_webhookendpoint_changelist"),
    }
    return TemplateResponse(request, SECRET_TEMPLATE, context)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = (
        "created_at",
        "event_type",
        "endpoint",
        "status",
        "last_status_code",
        "last_latency_ms",
        "attempts",
        "next_attempt_at",
        "is_test",
    )
    list_filter = ("status", "event_type", "is_test", "endpoint")
    search_fields = ("message_id",)
    date_hierarchy = "created_at"
    actions = ("replay",)
    readonly_fields = (
        "message_id",
        "endpoint",
        "event_type",
        "is_test",
        "status",
        "attempts",
        "last_status_code",
        "last_latency_ms",
        "last_error",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
        "created_at",
        "payload_json",
    )
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        found = super().get_queryset(request).select_related("endpoint__partner")
        return found.filter(endpoint__partner__in=visible_partners(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="payload")
    def payload_json(self, delivery: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", webhooks.body_of(delivery))

    @admin.action(description="Replay: send again with a new signature", permissions=["change"])
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        for delivery in queryset:
            webhooks.replay(delivery)
        self.message_user(request, MSG_REPLAYED.format(count=len(queryset)))
