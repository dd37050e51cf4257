"""The partner admin: a partner's public key is generated and shown, never typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from careerquiz.partners.models import Partner

MSG_THEME_NOT_OBJECT = 'The theme must be a JSON object, e.g. {"accent": "#0b5fff"}.'
MSG_THEME_BAD_VALUE = (
    "Theme value {key!r} must be plain text or a number without any of the characters {chars}."
)
THEME_FORBIDDEN_CHARS = ";{}<>\\"


class PartnerForm(forms.ModelForm[Partner]):
    def clean_theme(self) -> dict[str, Any]:
        # The theme ends up in the embedded page's styles: plain values only.
        theme = self.cleaned_data["theme"]
        if not isinstance(theme, dict):
            raise ValidationError(MSG_THEME_NOT_OBJECT)
        for key, value in theme.items():
            if not isinstance(value, str | int | float) or any(
                char in str(value) for char in THEME_FORBIDDEN_CHARS
            ):
                raise ValidationError(
                    MSG_THEME_BAD_VALUE.format(key=key, chars=" ".join(THEME_FORBIDDEN_CHARS))
                )
        return theme


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin[Partner]):
    form = PartnerForm
    list_display = ("name", "public_key", "origins", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "public_key", "allowed_origins")

    def get_fields(self, request: HttpRequest, obj: Partner | None = None) -> tuple[str, ...]:
        # The key is generated on save; it is shown, never typed.
        if obj is None:
            return ("name", "allowed_origins", "theme", "is_active")
        return ("name", "public_key", "allowed_origins", "theme", "is_active", "created_at")

    def get_readonly_fields(
        self, request: HttpRequest, obj: Partner | None = None
    ) -> tuple[str, ...]:
        return () if obj is None else ("public_key", "created_at")

    @admin.display(description="allowed origins")
    def origins(self, partner: Partner) -> str:
        return ", ".join(partner.origins) or "—"
