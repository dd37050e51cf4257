"""When a piece of result text applies: one condition vocabulary for all of it.

Caveats, notes, next steps, salary bands, skills, context-answer notes and
variants of a rung's own texts (`texts`: what moves you up, what keeps people
there) may each carry a `when` object saying which visitors it is for. An empty `when` (or none, in
content from before conditions existed) applies to everyone. Every key present
must hold; within a list any one value is enough:

    placed       rung slugs the visitor was placed on
    not_placed   rung slugs the visitor was not placed on
    title        how their title compares with the placement: "ahead", "level", "behind"
    region       region codes they chose (IN, US)
    not_region   region codes they did not choose
    answers      {question key: [option keys]}: each listed question answered with one of them
    not_answers  {question key: [option keys]}: none of the listed questions answered so
    unticked     skill names: shown only while the visitor ticked none of them
    track        track keys the visitor's answers put them on (see quiz.guidance.track_of)
    not_track    track keys they are not on

A condition about an answer the visitor did not give does not hold (`answers`),
so text written for people who said something is never shown to people who
skipped the question. Plain Python over plain values: the ladder app, the quiz
app and the content importer all use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LIST_KEYS = (
    "placed",
    "not_placed",
    "title",
    "region",
    "not_region",
    "unticked",
    "track",
    "not_track",
)
ANSWER_KEYS = ("answers", "not_answers")
KEYS = frozenset(LIST_KEYS + ANSWER_KEYS)


def in_file_order(when: Mapping[str, Any]) -> dict[str, Any]:
    """A condition with its keys in the format's order and each answers object's questions
    sorted, whatever order it was stored in (PostgreSQL's jsonb keeps its own)."""
    ordered = {key: when[key] for key in LIST_KEYS + ANSWER_KEYS if key in when}
    for key in ANSWER_KEYS:
        if isinstance(ordered.get(key), Mapping):
            ordered[key] = dict(sorted(ordered[key].items()))
    return ordered | {key: value for key, value in when.items() if key not in ordered}


TITLE_RELATIONS = ("ahead", "level", "behind")

MSG_WHEN_SHAPE = (
    "must be an object whose keys are among {keys}; lists of non-empty strings, and "
    "answers/not_answers objects of question key to a list of option keys"
).format(keys=", ".join(sorted(KEYS)))
MSG_WHEN_TITLE = 'title must list "ahead", "level" or "behind"'


def when_problem(value: object) -> str | None:
    """What is wrong with a `when` object, or None when it is well formed."""
    if not isinstance(value, dict) or not set(value) <= KEYS:
        return MSG_WHEN_SHAPE
    for key in LIST_KEYS:
        if key in value and not _strings(value[key]):
            return MSG_WHEN_SHAPE
    for key in ANSWER_KEYS:
        if key not in value:
            continue
        answers = value[key]
        if not isinstance(answers, dict) or not answers:
            return MSG_WHEN_SHAPE
        if not all(isinstance(q, str) and q and _strings(o) for q, o in answers.items()):
            return MSG_WHEN_SHAPE
    if not set(value.get("title", ())) <= set(TITLE_RELATIONS):
        return MSG_WHEN_TITLE
    return None


def _strings(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, str) and item for item in value)
    )


# A rung's own texts a variant may replace (ladder.models.Rung.texts).
TEXT_FIELDS = ("moves_you_up", "keeps_you_stuck")
TEXT_KEYS = frozenset({"field", "text", "when", "source"})
MSG_TEXTS_SHAPE = (
    'must be a list of objects with "field" ({fields}), "text" (empty: not shown to these '
    'visitors), a non-empty "when" and, optionally, "source"'
).format(fields=" or ".join(TEXT_FIELDS))


def texts_problem(value: object) -> str | None:
    """What is wrong with a rung's `texts` (variants of its own texts), or None."""
    if not isinstance(value, list):
        return MSG_TEXTS_SHAPE
    for item in value:
        if not isinstance(item, dict) or not set(item) <= TEXT_KEYS:
            return MSG_TEXTS_SHAPE
        if item.get("field") not in TEXT_FIELDS or not isinstance(item.get("text"), str):
            return MSG_TEXTS_SHAPE
        if not isinstance(item.get("source", ""), str) or not item.get("when"):
            return MSG_TEXTS_SHAPE
        problem = when_problem(item["when"])
        if problem:
            return "when " + problem
    return None


def validate_texts(value: object) -> None:
    """Model-field validator for a rung's `texts` (a JSONField)."""
    from django.core.exceptions import ValidationError

    problem = texts_problem(value)
    if problem:
        raise ValidationError("Texts " + problem + ".")


def validate_when(value: object) -> None:
    """Model-field validator for `when` (a JSONField)."""
    from django.core.exceptions import ValidationError

    problem = when_problem(value)
    if problem:
        raise ValidationError(problem[:1].upper() + problem[1:] + ".")


@dataclass(frozen=True, kw_only=True)
class Facts:
    """What a result knows about the visitor, as a condition reads it."""

    placed: str
    title: str | None = None  # "ahead", "level", "behind"; None when no title was given
    region: str = ""
    answers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    skills: frozenset[str] = frozenset()
    track: str = ""


def fitted_text(rung: Mapping[str, Any], name: str, facts: Facts) -> tuple[str, str]:
    """A rung's own text `name` for these facts, and the source it cites: the first of the
    rung's `texts` for that field whose `when` holds (its text may be empty: nothing is
    shown), else the rung's text with the rung's first source."""
    for variant in rung.get("texts", ()):
        if variant["field"] == name and applies(variant["when"], facts):
            return variant["text"], variant.get("source", "")
    sources = rung.get("sources") or [""]
    return rung.get(name, ""), sources[0]


def applies(when: Mapping[str, Any] | None, facts: Facts) -> bool:
    """Whether text with this condition is for the visitor these facts describe."""
    if not when:
        return True
    checks = (
        ("placed", facts.placed, True),
        ("not_placed", facts.placed, False),
        ("title", facts.title, True),
        ("region", facts.region, True),
        ("not_region", facts.region, False),
        ("track", facts.track, True),
        ("not_track", facts.track, False),
    )
    for key, fact, wanted in checks:
        if key in when and (fact in when[key]) != wanted:
            return False
    if "unticked" in when and facts.skills & set(when["unticked"]):
        return False
    for question, options in when.get("answers", {}).items():
        if not facts.answers.get(question, frozenset()) & set(options):
            return False
    for question, options in when.get("not_answers", {}).items():
        if facts.answers.get(question, frozenset()) & set(options):
            return False
    return True
