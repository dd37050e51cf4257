"""Where a row goes when an editor gives it a number: one rule for every ordered list.

Questions, answers, rungs (`order`) and every ladder or rung item (`position`)
are kept in order by a number. Two rows never share one: giving a row the
number another row holds puts it in that row's place and shifts the others,
as inserting into a list does. Setting the fourth question to 2 makes it
second and the old second to fourth move down one; setting the first to 3
makes it third and the two it passes move up one. A new row whose number
nobody typed goes last. The numbers are then made consecutive again, from
the lowest one in use, so "make this question second" is one edit.

`settle` is the rule, plain Python. `PositionedFormSet` applies it to an
inline (every row of a list is on its parent's page), `positioned_form` to
one object's own page (its siblings are shifted in the database).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.db import models
from django.forms.models import BaseInlineFormSet

# Where rows that ask for the same number go, relative to each other.
_MOVING_UP, _STAYING, _MOVING_DOWN = 0, 1, 2


@dataclass(frozen=True, kw_only=True)
class Placed[K: Hashable]:
    """One row of a list: the number it held (None: a new row) and the one asked for
    (None: keep its number, or go last if new)."""

    key: K
    was: int | None
    wants: int | None = None


def settle[K: Hashable](rows: Sequence[Placed[K]], *, first: int = 1) -> dict[K, int]:
    """Each row's number once the rows asking for a number are put in that place.

    `rows` come in their current order (ties among them keep it). A row asking for
    a number held by one that stays goes before it if it moves up (or is new) and
    after it if it moves down, so it lands on the number it asked for. The result
    numbers the rows consecutively from the lowest number held or asked for
    (`first` when there is none).
    """

    def sort_key(indexed: tuple[int, Placed[K]]) -> tuple[float, int, int]:
        index, row = indexed
        wanted = row.wants if row.wants is not None else row.was
        if wanted is None:
            return (math.inf, _STAYING, index)
        if row.was is None or wanted < row.was:
            return (wanted, _MOVING_UP, index)
        return (wanted, _MOVING_DOWN if wanted > row.was else _STAYING, index)

    numbers = [n for row in rows for n in (row.was, row.wants) if n is not None]
    start = min(numbers, default=first)
    ordered = sorted(enumerate(rows), key=sort_key)
    return {row.key: start + place for place, (_, row) in enumerate(ordered)}


class PositionedFormSet[M: models.Model, P: models.Model](
    BaseInlineFormSet[M, P, forms.ModelForm[M]]
):
    """An inline whose rows are numbered by `sort_field`: the numbers are settled
    before the formset's own checks (one rung per order included) and every row
    whose number moved is saved, changed by the editor or not."""

    sort_field: ClassVar[str] = "position"

    def clean(self) -> None:
        self.settle_numbers()
        super().clean()

    def _kept_forms(self) -> list[forms.ModelForm[M]]:
        return [
            form
            for form in self.forms
            if (form.instance.pk or form.has_changed())
            and not (self.can_delete and self._should_delete_form(form))  # type: ignore[attr-defined]
        ]

    def settle_numbers(self) -> None:
        field = self.sort_field
        kept = self._kept_forms()
        if not kept or any(form.errors or field not in form.cleaned_data for form in kept):
            return  # a row with errors: the page is shown again as it was sent
        rows = [
            Placed(
                key=index,
                was=form.initial.get(field) if form.instance.pk else None,
                # A new row keeps its number only if someone gave it one.
                wants=form.cleaned_data[field]
                if form.instance.pk or field in form.changed_data
                else None,
            )
            for index, form in enumerate(kept)
        ]
        current = sorted(range(len(rows)), key=lambda i: (rows[i].was is None, rows[i].was or 0))
        numbers = settle([rows[i] for i in current])
        for index, form in enumerate(kept):
            number = numbers[index]
            form.cleaned_data[field] = number
            setattr(form.instance, field, number)
            if number != form.initial.get(field) and field not in form.changed_data:
                # has_changed() reads this list: a row shifted by another's move is saved too.
                form.changed_data.append(field)


class PositionedForm[M: models.Model](forms.ModelForm[M]):
    """One object's own page: saving it at a number shifts its siblings (the rows
    with the same `group` parent) by the same rule as an inline."""

    sort_field: ClassVar[str] = "position"
    group: ClassVar[str] = ""

    def save(self, commit: bool = True) -> M:
        field = self.sort_field
        # Moved to another parent, it arrives there like a new row at its number.
        arrives = self.instance.pk is None or self.group in self.changed_data
        was = None if arrives else self.initial.get(field)
        typed = self.instance.pk is not None or field in self.changed_data
        wants = self.cleaned_data.get(field) if typed else None
        instance = super().save(commit=commit)
        if commit:
            self._make_room(was, wants)
        else:
            # The admin saves the object itself, then calls save_m2m(): make room then.
            save_m2m: Callable[[], None] = self.save_m2m

            def save_m2m_and_make_room() -> None:
                save_m2m()
                self._make_room(was, wants)

            self.save_m2m = save_m2m_and_make_room  # type: ignore[method-assign]
        return instance

    def _make_room(self, was: int | None, wants: int | None) -> None:
        field, instance = self.sort_field, self.instance
        parent = {f"{self.group}_id": getattr(instance, f"{self.group}_id")}
        siblings = type(instance)._default_manager.filter(**parent)
        held = dict(siblings.exclude(pk=instance.pk).order_by(field, "pk").values_list("pk", field))
        rows = [Placed(key=pk, was=number) for pk, number in held.items()]
        # Among its siblings where it stood before (ties keep the current order).
        at = sum(1 for number in held.values() if was is not None and number <= was)
        rows.insert(
            at if was is not None else len(rows), Placed(key=instance.pk, was=was, wants=wants)
        )
        held[instance.pk] = getattr(instance, field)
        numbers = settle(rows)
        for pk, number in numbers.items():
            if number != held[pk]:
                # Shifting a sibling is not an edit of it worth a history row of its own.
                siblings.filter(pk=pk).update(**{field: number})
        setattr(instance, field, numbers[instance.pk])


def positioned_form(group: str, sort_field: str = "position") -> type[PositionedForm[Any]]:
    """A PositionedForm for objects whose siblings share the `group` foreign key."""
    return type("PositionedForm", (PositionedForm,), {"group": group, "sort_field": sort_field})
