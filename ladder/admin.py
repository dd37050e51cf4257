"""The ladder admin: where editors keep rungs, their parts and their pay honest.

A ladder page lists its rungs (one click from each rung's own page) and its
ladder-wide notes; a rung page holds everything shown beside a placement.
Validation lives on the models (min <= max, currency fits region, one rung per
order); the admin's job is to keep the fields those checks need in the form so
their messages reach the editor instead of a database error.

Every content model uses simple-history's admin, so each object has a history
page from which an older version can be reverted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from careerquiz.web.history import GuardedHistoryAdmin
from ladder.admin_rows import LabelledListMixin, LabelledRowsMixin
from ladder.models import (
    JobTitle,
    Ladder,
    LadderNote,
    NextStep,
    Responsibility,
    Rung,
    SalaryBand,
    Skill,
    Source,
    make_room_for_orders,
)
from ladder.positions import PositionedFormSet, positioned_form

SOURCES_HELP = "One source per line: the key of one of the ladder's sources."

FormfieldOverrides = Mapping[type[models.Field[Any, Any]], Mapping[str, Any]]

COMPACT_TEXT: FormfieldOverrides = {
    models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 48})}
}


class SizedInputsMixin(BaseModelAdmin[Any]):
    """Table rows that fit the screen: one-line inputs as wide as `input_sizes` says.

    The admin gives every text input 20em whatever it holds, which pushes the
    last columns of a tabular inline off the page.
    """

    input_sizes: dict[str, int] = {}

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        size = self.input_sizes.get(db_field.name)
        if size is not None and not db_field.choices:
            kwargs.setdefault("widget", forms.TextInput(attrs={"size": size}))
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class SourceListField(forms.JSONField):
    """A JSON list of source file names, edited as one name per line."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["help_text"] = kwargs.get("help_text") or SOURCES_HELP
        kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 60})
        super().__init__(**kwargs)

    # Django's stubs narrow JSONField.to_python to CharField's str; it returns any JSON value.
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return value
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]

    def bound_data(self, data: Any, initial: Any) -> Any:
        return initial if self.disabled else data

    def prepare_value(self, value: Any) -> str:
        return "\n".join(value) if isinstance(value, list) else str(value or "")

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial or []) != self.to_python(data)


class RungChoiceField(forms.ModelChoiceField[Rung]):
    """Rungs named with their ladder, so "2. Mid" of two ladders cannot be confused.

    Where the page is about one ladder (`home_ladder_id`), its own rungs read "2. Mid".
    """

    home_ladder_id: int | None = None

    def label_from_instance(self, obj: Rung) -> str:
        if obj.ladder_id == self.home_ladder_id:
            return str(obj)
        return f"{obj.ladder.title} — {obj}"


class LadderTaggedSelect(forms.Select):
    """A dropdown of rungs (or quizzes) whose choices carry their ladder (`data-ladder`):
    static/js/admin-rung-choices.js offers a new question's answers the rungs of the
    quiz just chosen, with no round trip to the server."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        ladder_id = getattr(getattr(option["value"], "instance", None), "ladder_id", None)
        if ladder_id is not None:
            option["attrs"]["data-ladder"] = str(ladder_id)
        return option


class RungDropdownMixin(BaseModelAdmin[Any]):
    """A `rung` dropdown labelled with ladders, whose choices are read once per page."""

    rung_view_link = True

    def rung_queryset(self, request: HttpRequest) -> QuerySet[Rung]:
        return Rung.objects.all()

    def home_ladder_id(self, request: HttpRequest) -> int | None:
        """The ladder whose rungs need no ladder name on this page, if there is one."""
        return None

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name != "rung":
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        rungs = self.rung_queryset(request).select_related("ladder")
        kwargs.setdefault("queryset", rungs.order_by("ladder__title", "order"))
        kwargs.setdefault("form_class", RungChoiceField)
        kwargs.setdefault("widget", LadderTaggedSelect)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if isinstance(field, RungChoiceField):
            field.home_ladder_id = self.home_ladder_id(request)
        if field is not None:
            # Every inline row renders this dropdown; a fixed list spares one query per row.
            field.choices = list(field.choices)  # type: ignore[arg-type]  # an iterable of pairs
        return field

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        if db_field.name == "rung" and isinstance(widget, RelatedFieldWidgetWrapper):
            # Rungs are edited on their ladder; here they are only picked (and viewed).
            widget.can_add_related = widget.can_change_related = widget.can_delete_related = False
            widget.can_view_related = self.rung_view_link
        return field


class SortableMixin(BaseModelAdmin[Any]):
    """Rows an editor drags into order (or moves with the keyboard): static/js/admin-sortable.js
    renumbers the `position` (or `order`) field of each row as it moves; without
    JavaScript the numbers stay editable. Either way the numbers are settled by
    ladder.positions: a row given a number another row holds takes its place."""

    formset: Any = PositionedFormSet
    sort_field = "position"

    class Media:
        css = {"all": ("css/admin-sortable.css",)}
        js = ("js/admin-sortable.js",)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        formset.sort_field = self.sort_field
        return formset


# --- Ladder ------------------------------------------------------------------------------


class RungOrderForm(forms.ModelForm[Rung]):
    def validate_constraints(self) -> None:
        # One rung per order is checked across the whole formset (RungFormSet), which
        # may swap two rungs' orders: row by row against the database it would refuse.
        # As ModelForm.validate_constraints does, with "order" left out (private helpers).
        exclude = self._get_validation_exclusions() | {"order"}  # type: ignore[attr-defined]
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]


class RungFormSet(PositionedFormSet[Rung, Ladder]):
    """A ladder's rungs, saved so that any reordering in one save works (a swap included)."""

    sort_field = "order"

    def get_unique_error_message(self, unique_check: Any) -> str:
        # The model's own words for "one rung per order", not the generic duplicate message.
        for constraint in Rung._meta.constraints:
            if set(getattr(constraint, "fields", ())) == set(unique_check):
                return str(constraint.violation_error_message)
        return str(super().get_unique_error_message(unique_check))

    def save(self, commit: bool = True) -> list[Rung]:
        if commit:
            existing = {rung.pk: rung for rung in self.instance.rungs.all()}
            targets: dict[Any, int] = {}
            for index, form in enumerate(self.forms):
                if not form.has_changed() and not form.instance.pk:
                    continue  # an empty extra row
                if self.can_delete and self._should_delete_form(form):  # type: ignore[attr-defined]
                    continue
                targets[form.instance.pk or ("new", index)] = form.cleaned_data["order"]
            make_room_for_orders(existing, targets)
        return super().save(commit)


class RungInline(
    SortableMixin, LabelledRowsMixin, SizedInputsMixin, admin.TabularInline[Rung, Ladder]
):
    """The ladder's rungs; each rung's parts are one click away on its own page."""

    model = Rung
    form = RungOrderForm
    formset = RungFormSet
    sort_field = "order"
    fields = ("order", "title", "slug", "question")
    input_sizes = {"title": 28, "slug": 16, "question": 48}
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("order",)
    show_change_link = True
    view_on_site = False
    extra = 0


class SourceInline(
    SortableMixin, LabelledRowsMixin, SizedInputsMixin, admin.TabularInline[Source, Ladder]
):
    """The texts the ladder's facts come from: items cite the key, pages show the title."""

    model = Source
    fields = ("position", "key", "title", "url")
    input_sizes = {"key": 28, "title": 48, "url": 32}
    ordering = ("position", "id")
    extra = 0


class LadderNoteInline(SortableMixin, admin.StackedInline[LadderNote, Ladder]):
    model = LadderNote
    fields = (("kind", "key", "position"), "title", "body", "source", "when")
    formfield_overrides = COMPACT_TEXT
    classes = ("collapse",)
    extra = 0


@admin.register(Ladder)
class LadderAdmin(GuardedHistoryAdmin[Ladder]):
    list_display = ("title", "slug", "rung_count", "updated_at")
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}
    fields = ("title", "slug", "summary")
    inlines = (RungInline, SourceInline, LadderNoteInline)
    change_list_template = "admin/content/change_list.html"  # with "Import a content file"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ladder]:
        return super().get_queryset(request).annotate(rung_total=Count("rungs"))

    @admin.display(description="rungs", ordering="rung_total")
    def rung_count(self, ladder: Ladder) -> int:
        total: int = ladder.rung_total  # type: ignore[attr-defined]  # annotated in get_queryset
        return total


@admin.register(Source)
class SourceAdmin(GuardedHistoryAdmin[Source]):
    list_display = ("title", "key", "ladder", "url", "position")
    list_filter = ("ladder",)
    search_fields = ("title", "key", "url")
    list_select_related = ("ladder",)
    form = positioned_form("ladder")
    fields = ("ladder", ("key", "position"), "title", "url")


@admin.register(LadderNote)
class LadderNoteAdmin(GuardedHistoryAdmin[LadderNote]):
    list_display = ("title", "ladder", "kind", "key", "source", "position")
    list_filter = ("ladder", "kind", "source")
    search_fields = ("title", "body", "key")
    list_select_related = ("ladder",)
    ordering = ("ladder__title", "kind", "position")
    form = positioned_form("ladder")
    fields = ("ladder", ("kind", "key", "position"), "title", "body", "source", "when")


# --- Rung --------------------------------------------------------------------------------


class RungPartInline(
    SortableMixin, LabelledRowsMixin, SizedInputsMixin, admin.TabularInline[Any, Rung]
):
    """Items listed on a rung, kept in the order editors give them (`position`)."""

    formfield_overrides = COMPACT_TEXT
    ordering: ClassVar[tuple[str, ...]] = ("position", "id")
    extra = 0


class ResponsibilityInline(RungPartInline):
    model = Responsibility
    fields = ("position", "text", "source")
    input_sizes = {"source": 24}


class JobTitleInline(RungPartInline):
    model = JobTitle
    fields = ("position", "name", "source")
    input_sizes = {"name": 36, "source": 24}
    row_label = "Job title"
    verbose_name = "job title it appears under"
    verbose_name_plural = "job titles it appears under"


class SkillInline(RungPartInline):
    model = Skill
    fields = ("position", "name", "category", "importance", "source", "when")
    input_sizes = {"name": 28, "category": 14, "source": 20}


class SalaryBandInline(RungPartInline):
    model = SalaryBand
    fields = (
        "position",
        "region",
        "currency",
        "min",
        "max",
        "period",
        "reads_as",
        "note",
        "source",
    )
    input_sizes = {"region": 2, "currency": 3, "note": 16, "source": 12}
    readonly_fields = ("reads_as",)
    ordering = ("region", "position", "id")

    @admin.display(description="reads as")
    def reads_as(self, band: SalaryBand) -> str:
        return band.display


class NextStepInline(SortableMixin, admin.StackedInline[NextStep, Rung]):
    model = NextStep
    fields = (("kind", "position"), "title", "detail", ("url", "source"), "when")
    formfield_overrides = COMPACT_TEXT
    ordering = ("position", "id")
    extra = 0


@admin.register(Rung)
class RungAdmin(SizedInputsMixin, GuardedHistoryAdmin[Rung]):
    list_display = ("title", "ladder", "order", "question", "years", "pay")
    list_filter = ("ladder",)
    search_fields = ("title", "question", "slug")
    ordering = ("ladder__title", "order")
    prepopulated_fields = {"slug": ("title",)}
    input_sizes = {"question": 80}
    # `ladder` stays an editable field: the one-order-per-ladder constraint is
    # only checked (with its message) when every field it names is in the form.
    fieldsets = (
        (None, {"fields": ("ladder", ("order", "title", "slug"), "question", "summary")}),
        ("Typical years", {"fields": (("years_min", "years_max"),)}),
        ("Moving up", {"fields": ("moves_you_up", "keeps_you_stuck", "texts")}),
        ("Sources", {"fields": ("sources",)}),
    )
    inlines = (
        ResponsibilityInline,
        JobTitleInline,
        SkillInline,
        SalaryBandInline,
        NextStepInline,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rung]:
        return (
            super().get_queryset(request).select_related("ladder").prefetch_related("salary_bands")
        )

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        # One source per line; `texts`, the other JSON field, stays JSON.
        if db_field.name == "sources":
            kwargs["form_class"] = SourceListField
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="years")
    def years(self, rung: Rung) -> str:
        return rung.years_label

    @admin.display(description="pay")
    def pay(self, rung: Rung) -> str:
        return " · ".join(f"{band.region} {band.display}" for band in rung.salary_bands.all())


# --- Rung items in their own lists ---------------------------------------------------------


class RungItemAdmin(LabelledListMixin, RungDropdownMixin, GuardedHistoryAdmin[Any]):
    """Shared shape of the per-rung items' own lists: filter by ladder and rung, reorder."""

    list_filter: ClassVar[tuple[Any, ...]] = (
        ("rung__ladder", admin.RelatedOnlyFieldListFilter),
        ("rung", admin.RelatedOnlyFieldListFilter),
        "source",
    )
    list_select_related = ("rung__ladder",)
    list_editable = ("position",)
    form = positioned_form("rung")
    ordering: ClassVar[tuple[str, ...]] = ("rung__ladder__title", "rung__order", "position")
    formfield_overrides = COMPACT_TEXT

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        # Positions typed in the list make room among their rung's items too.
        kwargs.setdefault("form", self.form)
        return super().get_changelist_form(request, **kwargs)


@admin.register(Responsibility)
class ResponsibilityAdmin(RungItemAdmin):
    list_display = ("__str__", "rung", "source", "position")
    search_fields = ("text",)
    fields = ("rung", "text", ("source", "position"))


@admin.register(JobTitle)
class JobTitleAdmin(RungItemAdmin):
    list_display = ("name", "rung", "source", "position")
    search_fields = ("name",)
    fields = ("rung", "name", ("source", "position"))


@admin.register(Skill)
class SkillAdmin(RungItemAdmin):
    list_display = ("name", "category", "importance", "rung", "source", "position")
    list_filter = (*RungItemAdmin.list_filter, "importance", "category")
    search_fields = ("name", "category")
    fields = ("rung", "name", ("category", "importance"), ("source", "position"), "when")


@admin.register(SalaryBand)
class SalaryBandAdmin(RungItemAdmin):
    list_display = ("rung", "region", "reads_as", "period", "note", "source", "position")
    list_filter = (*RungItemAdmin.list_filter, "region", "currency", "period")
    search_fields = ("rung__title", "region", "note", "source")
    ordering = ("rung__ladder__title", "rung__order", "region", "position")
    fields = (
        "rung",
        ("region", "currency", "period"),
        ("min", "max", "reads_as"),
        "note",
        ("source", "position"),
        "context",
        "when",
    )
    readonly_fields = ("reads_as",)

    @admin.display(description="pay", ordering="min")
    def reads_as(self, band: SalaryBand) -> str:
        return band.display


@admin.register(NextStep)
class NextStepAdmin(RungItemAdmin):
    list_display = ("title", "kind", "rung", "source", "position")
    list_filter = (*RungItemAdmin.list_filter, "kind")
    search_fields = ("title", "detail")
    fields = ("rung", ("kind", "position"), "title", "detail", ("url", "source"), "when")
