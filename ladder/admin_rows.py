"""Names for the inputs of the admin's table rows (tabular inlines, editable change lists).

Django's tabular inline puts each field's label once, in the column heading,
and renders the inputs below it with no `<label>`: a screen reader announces
"edit text" forty times, and axe reports every input (WCAG 4.1.2). Each input
here gets an `aria-label` naming its row and its column ("Option 3: Rung"), so
the row and the column are both heard, and nothing changes on screen. A change
list's editable column does the same, its rows named by their objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.admin.options import InlineModelAdmin, ModelAdmin
from django.forms.utils import pretty_name
from django.http import HttpRequest
from django.utils.text import capfirst


def row_name(row_label: str, index: int | None) -> str:
    """ "Option 3" for the third row; "New option" for the row the admin copies to add one."""
    if index is None:
        return f"New {row_label[:1].lower()}{row_label[1:]}"
    return f"{row_label} {index + 1}"


def label_row_inputs(form: forms.BaseForm, row: str) -> None:
    for name, field in form.fields.items():
        # A related-object dropdown is wrapped (its add/view links): the inner widget
        # renders the <select>, and only its attrs are this form's own copy.
        widget = getattr(field.widget, "widget", field.widget)
        if not isinstance(widget, forms.Widget) or widget.is_hidden:
            continue
        column = capfirst(str(field.label or pretty_name(name)))
        widget.attrs["aria-label"] = f"{row}: {column}"


def with_row_labels(
    formset: type[Any], name_row: Callable[[forms.ModelForm[Any], int | None], str]
) -> type[Any]:
    """`formset` with each row's inputs named "<name_row(form, index)>: <column>"."""
    base_add_fields = formset.add_fields

    def add_fields(self: Any, form: forms.ModelForm[Any], index: int | None) -> None:
        base_add_fields(self, form, index)
        label_row_inputs(form, name_row(form, index))

    return type(formset.__name__, (formset,), {"add_fields": add_fields})


class LabelledRowsMixin(InlineModelAdmin[Any, Any]):
    """A tabular inline whose inputs are named "<row label> <n>: <column>".

    `row_label` defaults to the inline's verbose name ("Option", "Salary band").
    """

    row_label: str | None = None

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        row_label = self.row_label or capfirst(str(self.verbose_name))
        return with_row_labels(
            super().get_formset(request, obj, **kwargs),
            lambda form, index: row_name(row_label, index),
        )


class LabelledListMixin(ModelAdmin[Any]):
    """A change list with editable columns whose inputs are named by their object:
    "“Python”: Position"."""

    def get_changelist_formset(self, request: HttpRequest, **kwargs: Any) -> Any:
        return with_row_labels(
            super().get_changelist_formset(request, **kwargs),
            lambda form, index: f"“{form.instance}”",
        )
