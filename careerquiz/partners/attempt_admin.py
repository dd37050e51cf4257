"""The attempts admin, with who brought each attempt and whose attempts a user may read.

quiz.admin.AttemptAdmin knows nothing of partners (they live in this app, above quiz);
this registers it with the partner's name as a column and a filter, and with a partner
manager's list holding only the attempts of the partners they manage.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from careerquiz.partners.attempts import visible_to
from careerquiz.partners.models import Partner
from quiz.admin import AttemptAdmin
from quiz.models import Attempt, AttemptQuerySet


class PartnerFilter(admin.SimpleListFilter):
    """Only partners the user may read the attempts of (a partner manager: their own)."""

    title = "partner"
    parameter_name = "partner"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (str(pk), name)
            for pk, name in Partner.objects.managed_by(request.user).values_list("pk", "name")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(partner_id=int(value)) if value and value.isdigit() else queryset


def _after_channel(fields: tuple[Any, ...], new: Any = "partner") -> tuple[Any, ...]:
    """`fields` with `new` after "channel" (in a row of fields, too)."""
    out: list[Any] = []
    for item in fields:
        if isinstance(item, tuple) and "channel" in item:
            at = item.index("channel") + 1
            out.append((*item[:at], new, *item[at:]))
        else:
            out.append(item)
            if item == "channel":
                out.append(new)
    return tuple(out)


@admin.register(Attempt)
class PartnerAttemptAdmin(AttemptAdmin):
    list_display = _after_channel(AttemptAdmin.list_display)
    list_filter = _after_channel(AttemptAdmin.list_filter, PartnerFilter)
    fields = _after_channel(AttemptAdmin.fields)
    readonly_fields = [*AttemptAdmin.readonly_fields, "partner"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attempt]:
        queryset = super().get_queryset(request)
        assert isinstance(queryset, AttemptQuerySet)
        # The partner's name beside each attempt, in the list's one query.
        names = Partner.objects.filter(pk=OuterRef("partner_id")).values("name")[:1]
        return visible_to(request.user, queryset).annotate(partner_name=Subquery(names))

    @admin.display(description="partner", ordering="partner_name")
    def partner(self, attempt: Attempt) -> str:
        return getattr(attempt, "partner_name", None) or "—"
