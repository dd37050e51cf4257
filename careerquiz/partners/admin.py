"""The partner admin: a partner's key is generated and shown, never typed; its page
shows the snippets to paste and a live preview of the embedded quiz in its theme.

Who manages a partner (and so reads its attempts and analytics) is set by those
who may change users: a partner manager must not hand themselves another
partner's numbers. A partner a partner manager adds is theirs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.html import format_html

from careerquiz.partners import (  # noqa: F401  (they register their admins)
    attempt_admin,
    webhook_admin,
)
from careerquiz.partners.embed import iframe_snippet, script_snippet
from careerquiz.partners.models import Partner, PartnerQuerySet
from careerquiz.web.csp import override_csp
from careerquiz.web.history import GuardedHistoryAdmin
from quiz.models import Quiz

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec


@admin.register(Partner)
class PartnerAdmin(GuardedHistoryAdmin[Partner]):
    list_display = ("name", "public_key", "origins", "is_active", "default_region", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "public_key", "allowed_origins")
    readonly_fields = ("public_key", "created_at", "webhook_endpoints")
    fieldsets = (
        (None, {"fields": ("name", "public_key", "is_active", "allowed_origins")}),
        ("Embedded quiz", {"fields": ("default_region", "cta_text", "cta_url", "pass_params")}),
        (
            "Theme",
            {"fields": (("accent_color", "color_scheme"), ("font_family", "corner_radius"))},
        ),
        ("Webhooks", {"fields": ("webhook_endpoints",)}),
        ("Managers", {"fields": ("managers",)}),
        (None, {"fields": ("created_at",)}),
    )
    filter_horizontal = ("managers",)

    class Media:
        css = {"all": ("css/admin-partners.css",)}
        js = ("js/admin-copy.js",)

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name == "accent_color":
            kwargs["widget"] = forms.TextInput(attrs={"type": "color"})  # the browser's picker
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Partner | None = None) -> _FieldsetSpec:
        fieldsets = super().get_fieldsets(request, obj)
        if may_assign_managers(request):
            return fieldsets
        return [fieldset for fieldset in fieldsets if "managers" not in fieldset[1]["fields"]]

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        if db_field.name == "managers":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True).order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Partner]:
        partners = cast(PartnerQuerySet, super().get_queryset(request))
        if may_assign_managers(request):
            return partners
        # A partner manager keeps the partners they manage (and those they add, below),
        # as analytics shows them only those partners' numbers.
        return partners.managed_by(request.user)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if not change and not may_assign_managers(request):
            form.instance.managers.add(request.user)

    @admin.display(description="endpoints")
    def webhook_endpoints(self, partner: Partner) -> str:
        if not partner.pk:  # the add form's unsaved partner
            return "Add endpoints once the partner is saved."
        listing = reverse("admin:partners_webhookendpoint_changelist")
        add = reverse("admin:partners_webhookendpoint_add")
        count = partner.webhooks.count()
        return format_html(
            '<a href="{}?partner__id__exact={}">{} endpoint{}</a> · '
            '<a href="{}?partner={}">Add one</a>',
            listing,
            partner.pk,
            count,
            "" if count == 1 else "s",
            add,
            partner.pk,
        )

    @admin.display(description="allowed origins")
    def origins(self, partner: Partner) -> str:
        return ", ".join(partner.origins) or "—"

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        partner = self.get_object(request, object_id)
        if partner is not None:
            extra_context = {**(extra_context or {}), **embed_context(request, partner)}
        response = super().change_view(request, object_id, form_url, extra_context)
        if partner is not None:
            # The live preview is our own embed page in a frame: the one frame we allow.
            override_csp(response, frame_src=[CSP.SELF])
        return response


def may_assign_managers(request: HttpRequest) -> bool:
    return request.user.has_perm("auth.change_user")


def embed_context(request: HttpRequest, partner: Partner) -> dict[str, Any]:
    """The snippets to paste for each published quiz, and the preview of the first one."""
    base = request.build_absolute_uri("/").rstrip("/")
    quizzes = list(Quiz.objects.published().order_by("title"))
    snippets = [
        {
            "quiz": quiz,
            "script": script_snippet(partner, base_url=base, quiz=quiz.slug),
            "iframe": iframe_snippet(partner, base_url=base, quiz=quiz.slug, title=quiz.title),
        }
        for quiz in quizzes
    ]
    preview = ""
    if quizzes:
        preview = reverse("partners:embed", args=[quizzes[0].slug])
        preview += f"?partner={partner.public_key}&preview=1"
    return {"embed_snippets": snippets, "embed_preview": preview}
