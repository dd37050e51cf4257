"""Export stored content as `careerquiz/1`, in a stable order that diffs cleanly.

Objects are written with their fields in the order of the format's tables,
ladders and quizzes by slug, rungs by order and every list by position. Export
of imported content re-imports to the same content, and export -> import ->
export is byte-identical.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Prefetch, QuerySet

from careerquiz.content import schema
from ladder.conditions import in_file_order
from ladder.models import Ladder, LadderNote, Responsibility, Rung, Source
from quiz import rules
from quiz.models import Option, Question, Quiz

MSG_NOT_FOUND = "no {kind} with slug {slugs}"

BY_POSITION = ("position", "id")


def export_content(
    *, ladders: list[str] | None = None, quizzes: list[str] | None = None
) -> dict[str, Any]:
    """Everything, or only the ladders and quizzes named by slug.

    Naming only ladders exports no quizzes, and the other way round. Raises
    LookupError for a slug that matches nothing.
    """
    ladder_rows: QuerySet[Ladder] = Ladder.objects.all()
    quiz_rows: QuerySet[Quiz] = Quiz.objects.all()
    if ladders is not None or quizzes is not None:
        ladder_rows = _only(ladder_rows, ladders or [], "ladder")
        quiz_rows = _only(quiz_rows, quizzes or [], "quiz")
    return {
        "format": schema.FORMAT,
        "ladders": [_ladder(ladder) for ladder in _with_ladder_content(ladder_rows)],
        "quizzes": [_quiz(quiz) for quiz in _with_quiz_content(quiz_rows)],
    }


def _only[M: Model](rows: QuerySet[M], slugs: list[str], kind: str) -> QuerySet[M]:
    rows = rows.filter(slug__in=slugs)
    missing = sorted(set(slugs) - set(rows.values_list("slug", flat=True)))
    if missing:
        raise LookupError(MSG_NOT_FOUND.format(kind=kind, slugs=", ".join(missing)))
    return rows


def _in_table_order(table: dict[str, schema.Field], values: dict[str, Any]) -> dict[str, Any]:
    return {name: values[name] for name in table if name in values}


TEXT_KEY_ORDER = ("field", "text", "when", "source")
LEFT_OUT_AT_DEFAULT: dict[str, Any] = {"when": {}, "shuffle": True, "dimension": ""}


def _columns(obj: object, table: dict[str, schema.Field]) -> dict[str, Any]:
    # Fields added after files were written are left out at their default, so files from
    # before them re-export as they were.
    values = {name: getattr(obj, name) for name in table}
    for name, default in LEFT_OUT_AT_DEFAULT.items():
        if name in values and values[name] == default:
            del values[name]
    if values.get("when"):
        values["when"] = in_file_order(values["when"])
    return values


# Ladders


def _with_ladder_content(rows: QuerySet[Ladder]) -> QuerySet[Ladder]:
    rung_lists = [
        Prefetch(name, queryset=model._default_manager.order_by(*BY_POSITION))
        for name, (model, _) in schema.RUNG_ITEMS.items()
    ]
    return rows.order_by("slug").prefetch_related(
        Prefetch("notes", queryset=LadderNote.objects.order_by(*BY_POSITION)),
        Prefetch("sources", queryset=Source.objects.order_by(*BY_POSITION)),
        Prefetch("rungs", queryset=Rung.objects.order_by("order").prefetch_related(*rung_lists)),
    )


def _ladder(ladder: Ladder) -> dict[str, Any]:
    return _in_table_order(
        schema.LADDER,
        {
            "slug": ladder.slug,
            "title": ladder.title,
            "summary": ladder.summary,
            "sources": [_columns(source, schema.SOURCE) for source in ladder.sources.all()],
            "notes": [_columns(note, schema.NOTE) for note in ladder.notes.all()],
            "rungs": [_rung(rung) for rung in ladder.rungs.all()],
        },
    )


def _rung(rung: Rung) -> dict[str, Any]:
    values = {name: getattr(rung, name) for name in schema.RUNG if name not in schema.RUNG_ITEMS}
    values["sources"] = list(rung.sources)
    if values["texts"]:
        # PostgreSQL's jsonb keeps an object's keys in an order of its own: write ours.
        values["texts"] = [
            {key: _when_in_order(key, item[key]) for key in TEXT_KEY_ORDER if key in item}
            for item in values["texts"]
        ]
    else:
        del values["texts"]  # files from before rung texts had variants re-export as they were
    for name, (_, table) in schema.RUNG_ITEMS.items():
        values[name] = [_columns(item, table) for item in getattr(rung, name).all()]
    values["responsibilities"] = [_responsibility(item) for item in rung.responsibilities.all()]
    return _in_table_order(schema.RUNG, values)


def _responsibility(item: Responsibility) -> str | dict[str, Any]:
    if not item.source:
        return item.text
    return _columns(item, schema.RESPONSIBILITY)


# Quizzes


def _with_quiz_content(rows: QuerySet[Quiz]) -> QuerySet[Quiz]:
    options = Option.objects.order_by(*BY_POSITION).select_related("rung")
    questions = Question.objects.order_by(*BY_POSITION).prefetch_related(
        Prefetch("options", queryset=options)
    )
    return (
        rows.order_by("slug")
        .select_related("ladder")
        .prefetch_related(Prefetch("questions", queryset=questions))
    )


def _quiz(quiz: Quiz) -> dict[str, Any]:
    return _in_table_order(
        schema.QUIZ,
        {
            "slug": quiz.slug,
            "title": quiz.title,
            "ladder": quiz.ladder.slug,
            "intro": quiz.intro,
            "threshold": float(quiz.threshold),
            "published": quiz.is_published,
            "questions": [_question(question) for question in quiz.questions.all()],
        },
    )


def _question(question: Question) -> dict[str, Any]:
    values = _columns(question, schema.QUESTION)
    weight = float(question.weight)
    values["weight"] = int(weight) if weight.is_integer() else weight
    values["options"] = [_option(question.role, option) for option in question.options.all()]
    return values


def _note_in_file_order(note: dict[str, Any]) -> dict[str, Any]:
    # PostgreSQL's jsonb keeps an object's keys in an order of its own (shortest first).
    return {key: _when_in_order(key, note[key]) for key in rules.NOTE_FIELDS if key in note}


def _when_in_order(key: str, value: Any) -> Any:
    return in_file_order(value) if key == "when" and value else value


def _option(role: str, option: Option) -> dict[str, Any]:
    """An option with the fields its question's role uses, plus any other that is set.

    An evidence option has no use for a note, nor a context option for a rung;
    leaving them out keeps quiz files readable, and nothing stored is dropped.
    """
    values: dict[str, Any] = {"key": option.key, "text": option.text}
    if role in (Question.Role.EVIDENCE, Question.Role.TITLE) or option.rung is not None:
        values["rung"] = option.rung.slug if option.rung else None
    if role == Question.Role.SKILLS or option.skill:
        values["skill"] = option.skill
    if role == Question.Role.CONTEXT or option.note:
        values["note"] = option.note
    if option.notes:
        values["notes"] = [_note_in_file_order(note) for note in option.notes]
    if option.advice:
        values["advice"] = option.advice
    if option.years_min is not None:
        values["years"] = [option.years_min, option.years_max]
    if option.track:
        values["track"] = option.track
    return _in_table_order(schema.OPTION, values)
