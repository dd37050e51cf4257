"""What importing a content file would change, field by field, for the admin's preview.

The file is compared with an export of what the database holds for the same
ladders and quizzes, both sides filled to the format's full shape, so an
absent optional field and its default compare equal and every list item is
matched by its natural identity (quiz.changes), not by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from careerquiz.content import schema
from careerquiz.content.exporter import export_content
from ladder.models import Ladder
from quiz.changes import Change, diff
from quiz.models import Quiz

MSG_NEW = "new {kind}"
MSG_NEW_ITEM = "with {kind} {label}"

# Top-level lists of a file: the kind of object, and the list of its parts named when it is new.
TOP_KINDS = {"ladders": ("ladder", "rungs", "rung"), "quizzes": ("quiz", "questions", "question")}


@dataclass(frozen=True, kw_only=True)
class ImportChanges:
    """The changes to one ladder or quiz of the file."""

    kind: str
    slug: str
    lines: tuple[str, ...]
    new: bool = False


def import_changes(data: Any) -> list[ImportChanges]:
    """For each ladder and quiz of a valid file, what importing it would change."""
    content = normalised(data)
    ladders = [item["slug"] for item in content["ladders"]]
    quizzes = [item["slug"] for item in content["quizzes"]]
    stored = normalised(_export_existing(ladders, quizzes))
    groups: list[ImportChanges] = []
    for top, (kind, parts, part_kind) in TOP_KINDS.items():
        existing = {item["slug"]: item for item in stored[top]}
        for item in content[top]:
            before = existing.get(item["slug"])
            if before is None:
                named = [
                    MSG_NEW_ITEM.format(kind=part_kind, label=part.get("slug") or part["key"])
                    for part in item[parts]
                ]
                lines = (MSG_NEW.format(kind=kind), *named)
                groups.append(ImportChanges(kind=kind, slug=item["slug"], lines=lines, new=True))
                continue
            if kind == "quiz" and item["published"] is None:
                item["published"] = before["published"]  # absent: publication left as it is
            changes = diff(before, item, kind=kind, where=(item["slug"],))
            groups.append(ImportChanges(kind=kind, slug=item["slug"], lines=_lines(changes)))
    return groups


def _lines(changes: list[Change]) -> tuple[str, ...]:
    return tuple(line for change in changes for line in change.lines(skip=1))


def _export_existing(ladders: list[str], quizzes: list[str]) -> dict[str, Any]:
    return export_content(
        ladders=list(Ladder.objects.filter(slug__in=ladders).values_list("slug", flat=True)),
        quizzes=list(Quiz.objects.filter(slug__in=quizzes).values_list("slug", flat=True)),
    )


def normalised(data: Any) -> dict[str, Any]:
    """A valid file with every optional field at its default, as the importer reads it."""
    content = schema.filled(data, schema.TOP)
    return {
        "ladders": [_ladder(item) for item in content["ladders"]],
        "quizzes": [_quiz(item) for item in content["quizzes"]],
    }


def _ladder(item: dict[str, Any]) -> dict[str, Any]:
    ladder = schema.filled(item, schema.LADDER)
    ladder["sources"] = [schema.source_object(source) for source in ladder["sources"]]
    ladder["notes"] = [schema.filled(note, schema.NOTE) for note in ladder["notes"]]
    ladder["rungs"] = [_rung(rung) for rung in ladder["rungs"]]
    return ladder


def _rung(item: dict[str, Any]) -> dict[str, Any]:
    rung = schema.filled(item, schema.RUNG)
    for name, (_, table) in schema.RUNG_ITEMS.items():
        rung[name] = [
            schema.filled({"text": part} if isinstance(part, str) else part, table)
            for part in rung[name]
        ]
    return rung


def _quiz(item: dict[str, Any]) -> dict[str, Any]:
    quiz = schema.filled(item, schema.QUIZ)
    quiz["threshold"] = float(quiz["threshold"])
    quiz["questions"] = [_question(question) for question in quiz["questions"]]
    return quiz


def _question(item: dict[str, Any]) -> dict[str, Any]:
    question = schema.filled(item, schema.QUESTION)
    question["weight"] = float(question["weight"])
    question["options"] = [schema.filled(option, schema.OPTION) for option in question["options"]]
    return question
