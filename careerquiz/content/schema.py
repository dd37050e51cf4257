"""The `careerquiz/1` format, level by level: the fields each object may hold.

One table per level drives both directions. Validation checks every field of an
object against its level's table (a field the table does not name is an error),
import fills absent optional fields with the table's defaults, and export
writes each object's fields in table order, so exported files diff cleanly.

Lengths come from the models, so a file that validates also fits the database.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from ladder import models as ladder_models
from ladder.conditions import texts_problem, when_problem
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
)
from ladder.money import MSG_REGION, REGION_CODE
from quiz import rules
from quiz.models import Option, Question, Quiz

FORMAT = "careerquiz/1"

MSG_FORMAT = f'must be "{FORMAT}"'
MSG_OBJECT = "must be an object"
MSG_LIST = "must be a list"
MSG_STRING = "must be a string"
MSG_BLANK = "must not be blank"
MSG_TOO_LONG = "must be at most {max} characters"
MSG_SLUG = "must be a slug (letters, digits, hyphens and underscores)"
MSG_INTEGER = "must be an integer"
MSG_INTEGER_OR_NULL = "must be an integer or null"
MSG_RANGE = "must be between {low} and {high}"
MSG_NUMBER = "must be a number"
MSG_POSITIVE = "must be greater than 0"
MSG_THRESHOLD = "must be greater than 0 and at most 1"
MSG_BOOLEAN = "must be true or false"
MSG_CHOICE = "must be one of: {choices}"
MSG_SOURCES = "must be a list of file names (non-empty strings)"
MSG_URL = "must be a full URL (https://...), or empty"
MSG_CURRENCY = "must be a three-letter currency code in capitals, e.g. INR or USD"

SMALL_INT_MAX = 32_767
BIG_INT_MAX = 2**63 - 1
YEARS_MAX = 60

Check = Callable[[Any], str | None]
"""A field check: the error message for a bad value, or None when it is fine."""


@dataclass(frozen=True, kw_only=True)
class Field:
    check: Check
    required: bool = False
    default: Any = None


def _max_length(model: type[models.Model], name: str) -> int | None:
    field = model._meta.get_field(name)
    return field.max_length if isinstance(field, models.Field) else None


def text(model: type[models.Model], name: str, *, blank: bool = True) -> Check:
    limit = _max_length(model, name)

    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return MSG_STRING
        if not blank and not value.strip():
            return MSG_BLANK
        if limit is not None and len(value) > limit:
            return MSG_TOO_LONG.format(max=limit)
        return None

    return check


SLUG_PATTERN = re.compile(r"[-a-zA-Z0-9_]+")


def slug(model: type[models.Model], name: str, *, blank: bool = False, null: bool = False) -> Check:
    as_text = text(model, name, blank=blank)

    def check(value: Any) -> str | None:
        if value is None and null:
            return None
        problem = as_text(value)
        if problem is None and value and not SLUG_PATTERN.fullmatch(value):
            return MSG_SLUG
        return problem

    return check


def integer(*, high: int, null: bool = False) -> Check:
    def check(value: Any) -> str | None:
        if value is None and null:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            return MSG_INTEGER_OR_NULL if null else MSG_INTEGER
        if not 0 <= value <= high:
            return MSG_RANGE.format(low=0, high=high)
        return None

    return check


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def positive(value: Any) -> str | None:
    if not _is_number(value):
        return MSG_NUMBER
    return None if value > 0 else MSG_POSITIVE


def share(value: Any) -> str | None:
    if not _is_number(value):
        return MSG_NUMBER
    return None if 0 < value <= 1 else MSG_THRESHOLD


def boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else MSG_BOOLEAN


def choice(choices: type[models.TextChoices]) -> Check:
    allowed = [str(value) for value in choices.values]

    def check(value: Any) -> str | None:
        return None if value in allowed else MSG_CHOICE.format(choices=", ".join(allowed))

    return check


def exactly(expected: str) -> Check:
    def check(value: Any) -> str | None:
        return None if value == expected else MSG_FORMAT

    return check


def sources(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(s, str) and s.strip() for s in value):
        return None
    return MSG_SOURCES


def years(value: Any) -> str | None:
    """An answer's years of experience: [from, to] or [from, null]."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        return rules.MSG_ANSWER_YEARS
    return rules.years_problem(value[0], value[1])


def a_list(value: Any) -> str | None:
    return None if isinstance(value, list) else MSG_LIST


def url(value: Any) -> str | None:
    problem = text(NextStep, "url")(value)
    if problem or not value:
        return problem
    try:
        URLValidator()(value)  # what the model's URLField accepts
    except ValidationError:
        return MSG_URL
    return None


def code(pattern: str, message: str) -> Check:
    compiled = re.compile(pattern)

    def check(value: Any) -> str | None:
        return None if isinstance(value, str) and compiled.fullmatch(value) else message

    return check


def required(check: Check) -> Field:
    return Field(check=check, required=True)


def optional(check: Check, default: Any) -> Field:
    return Field(check=check, default=default)


# The tables. Key order is export order; `a_list` fields hold nested objects
# (or, for responsibilities, strings) validated by the next level's table.

TOP = {
    "format": required(exactly(FORMAT)),
    "ladders": optional(a_list, []),
    "quizzes": optional(a_list, []),
}

LADDER = {
    "slug": required(slug(Ladder, "slug")),
    "title": required(text(Ladder, "title", blank=False)),
    "summary": optional(text(Ladder, "summary"), ""),
    # Items are file-name keys (DESIGN.md's form) or SOURCE objects with a readable title.
    "sources": optional(a_list, []),
    "notes": optional(a_list, []),
    "rungs": required(a_list),
}

SOURCE = {
    "key": required(text(Source, "key", blank=False)),
    "title": required(text(Source, "title", blank=False)),
    "url": optional(url, ""),
}

NOTE = {
    "kind": required(choice(LadderNote.Kind)),
    "key": optional(slug(LadderNote, "key", blank=True), ""),
    "title": required(text(LadderNote, "title", blank=False)),
    "body": required(text(LadderNote, "body", blank=False)),
    "source": required(text(LadderNote, "source", blank=False)),
    "when": optional(when_problem, {}),
}

RUNG = {
    "slug": required(slug(Rung, "slug")),
    "order": required(integer(high=SMALL_INT_MAX)),
    "title": required(text(Rung, "title", blank=False)),
    "question": required(text(Rung, "question", blank=False)),
    "summary": optional(text(Rung, "summary"), ""),
    "years_min": optional(integer(high=SMALL_INT_MAX, null=True), None),
    "years_max": optional(integer(high=YEARS_MAX, null=True), None),
    "moves_you_up": optional(text(Rung, "moves_you_up"), ""),
    "keeps_you_stuck": optional(text(Rung, "keeps_you_stuck"), ""),
    "texts": optional(texts_problem, []),
    "responsibilities": optional(a_list, []),
    "titles": optional(a_list, []),
    "skills": optional(a_list, []),
    "salary_bands": optional(a_list, []),
    "next_steps": optional(a_list, []),
    "sources": optional(sources, []),
}

RESPONSIBILITY = {
    "text": required(text(Responsibility, "text", blank=False)),
    "source": optional(text(Responsibility, "source"), ""),
}

TITLE = {
    "name": required(text(JobTitle, "name", blank=False)),
    "source": optional(text(JobTitle, "source"), ""),
}

SKILL = {
    "name": required(text(Skill, "name", blank=False)),
    "category": required(slug(Skill, "category")),
    "importance": optional(choice(Skill.Importance), Skill.Importance.HIGH.value),
    "source": optional(text(Skill, "source"), ""),
    "when": optional(when_problem, {}),
}

SALARY_BAND = {
    "region": required(code(REGION_CODE.pattern, MSG_REGION)),
    "currency": required(code(r"[A-Z]{3}", MSG_CURRENCY)),
    "min": required(integer(high=BIG_INT_MAX)),
    "max": required(integer(high=BIG_INT_MAX)),
    "period": optional(choice(SalaryBand.Period), SalaryBand.Period.YEAR.value),
    "note": optional(text(SalaryBand, "note"), ""),
    "source": optional(text(SalaryBand, "source"), ""),
    "context": optional(slug(SalaryBand, "context", blank=True), ""),
    "when": optional(when_problem, {}),
}

NEXT_STEP = {
    "kind": required(choice(NextStep.Kind)),
    "title": required(text(NextStep, "title", blank=False)),
    "detail": optional(text(NextStep, "detail"), ""),
    "url": optional(url, ""),
    "source": optional(text(NextStep, "source"), ""),
    "when": optional(when_problem, {}),
}

QUIZ = {
    "slug": required(slug(Quiz, "slug")),
    "title": required(text(Quiz, "title", blank=False)),
    "ladder": required(slug(Ladder, "slug")),
    "intro": optional(text(Quiz, "intro"), ""),
    "threshold": optional(share, 0.6),
    # Absent means "leave the quiz's publication as it is".
    "published": optional(boolean, None),
    "questions": required(a_list),
}

QUESTION = {
    "key": required(slug(Question, "key")),
    "text": required(text(Question, "text", blank=False)),
    "help": optional(text(Question, "help"), ""),
    "role": optional(choice(Question.Role), Question.Role.EVIDENCE.value),
    "weight": optional(positive, 1),
    "required": optional(boolean, True),
    "shuffle": optional(boolean, True),
    "dimension": optional(text(Question, "dimension"), ""),
    "advice": optional(text(Question, "advice"), ""),
    "options": required(a_list),
}

# A rung's lists of items (ladder.models.RUNG_ITEMS): the model each item is stored in,
# and its table.
ITEM_TABLES: dict[type[models.Model], dict[str, Field]] = {
    Responsibility: RESPONSIBILITY,
    JobTitle: TITLE,
    Skill: SKILL,
    SalaryBand: SALARY_BAND,
    NextStep: NEXT_STEP,
}
RUNG_ITEMS: dict[str, tuple[type[models.Model], dict[str, Field]]] = {
    name: (model, ITEM_TABLES[model]) for name, model in ladder_models.RUNG_ITEMS.items()
}

OPTION = {
    "key": required(slug(Option, "key")),
    "text": required(text(Option, "text", blank=False)),
    "rung": optional(slug(Rung, "slug", null=True), None),
    "skill": optional(text(Option, "skill"), ""),
    "note": optional(text(Option, "note"), ""),
    "notes": optional(rules.notes_problem, []),
    "advice": optional(text(Option, "advice"), ""),
    "years": optional(years, None),
    "track": optional(slug(Option, "track", blank=True), ""),
}


def source_object(item: str | dict[str, Any]) -> dict[str, Any]:
    """A ladder source as an object: a bare file name is its own key and title."""
    if isinstance(item, str):
        return {"key": item, "title": item, "url": ""}
    return filled(item, SOURCE)


def filled(item: dict[str, Any], table: dict[str, Field]) -> dict[str, Any]:
    """A valid object with every field of its table, absent ones at their defaults."""
    return {
        name: item[name] if name in item else copy.deepcopy(field.default)
        for name, field in table.items()
    }
