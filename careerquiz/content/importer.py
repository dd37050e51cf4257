"""Import `careerquiz/1` content: validate the whole file, then write it in one transaction.

Upserts go by natural key (ladder slug, rung slug within its ladder, quiz slug,
question key within its quiz, option key within its question). The file is
authoritative for each ladder and quiz it contains: rungs, questions and
options it leaves out are removed. Ladders and quizzes it does not mention are
left alone.

A row is only saved when a value differs, and a rung's lists (responsibilities,
titles, skills, salary bands, next steps) and a ladder's notes are only
replaced when they differ as a whole, so importing the same file twice writes
nothing, not even a history row or a new quiz version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Q

from careerquiz.content import schema
from careerquiz.content.errors import ContentError, ContentInvalid, field_path, item_path
from careerquiz.content.validation import validate
from ladder.models import Ladder, LadderNote, Rung, Source, make_room_for_orders
from quiz.models import Option, Question, Quiz
from quiz.versions import (
    NotPublishable,
    publish,
    published_behind_draft,
    unpublish,
)

KINDS = (
    "ladders",
    "sources",
    "notes",
    "rungs",
    "responsibilities",
    "titles",
    "skills",
    "salary_bands",
    "next_steps",
    "quizzes",
    "questions",
    "options",
    "versions",
)

LADDER_COLUMNS = ("title", "summary")
RUNG_COLUMNS = (
    "order",
    "title",
    "question",
    "summary",
    "years_min",
    "years_max",
    "moves_you_up",
    "keeps_you_stuck",
    "texts",
    "sources",
)
QUESTION_COLUMNS = ("text", "help", "role", "required", "shuffle", "dimension", "advice")
OPTION_COLUMNS = ("text", "skill", "note", "notes", "advice", "track")


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    # What changed, by name (a slug or key path), for an editor's before-and-after view.
    names: dict[str, list[str]] = field(
        default_factory=lambda: {"created": [], "updated": [], "deleted": []}
    )

    def add(self, change: str, name: str, count: int = 1) -> None:
        setattr(self, change, getattr(self, change) + count)
        if change in self.names and name:
            self.names[change].append(name)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def __str__(self) -> str:
        parts = [
            f"{count} {label}"
            for label, count in [
                ("created", self.created),
                ("updated", self.updated),
                ("deleted", self.deleted),
                ("unchanged", self.unchanged),
            ]
            if count
        ]
        return ", ".join(parts)


@dataclass
class ImportReport:
    """What an import created, updated, deleted and left unchanged, per kind of row."""

    counts: dict[str, Tally] = field(default_factory=lambda: {kind: Tally() for kind in KINDS})
    # Quizzes whose live version changed, e.g. "ml-engineer: published v2".
    publication: list[str] = field(default_factory=list)
    # Slugs of the published quizzes whose draft, after the import, differs from their live
    # version: placements keep using the old content until they are published again.
    stale: list[str] = field(default_factory=list)
    dry_run: bool = False

    def __getitem__(self, kind: str) -> Tally:
        return self.counts[kind]

    @property
    def changed(self) -> bool:
        return bool(self.publication) or any(t.changed for t in self.counts.values())

    def lines(self) -> list[str]:
        rows = [f"{kind}: {tally}" for kind, tally in self.counts.items() if str(tally)]
        return rows + self.publication

    def __str__(self) -> str:
        if not self.changed:
            return "nothing changed"
        return "; ".join(self.lines())


def import_content(data: Any, *, by: str = "import", dry_run: bool = False) -> ImportReport:
    """Validate `data` as a whole, then write it in one transaction.

    Raises ContentInvalid, having written nothing, when anything is wrong.
    With `dry_run` the transaction is rolled back: the report says what an
    import would change.
    """
    with transaction.atomic():
        errors = validate(data)
        if errors:
            raise ContentInvalid(errors)
        report = ImportReport(dry_run=dry_run)
        content = schema.filled(data, schema.TOP)
        stale_rungs: list[Rung] = []
        for item in content["ladders"]:
            stale_rungs += _import_ladder(schema.filled(item, schema.LADDER), report)
        quiz_items = [schema.filled(item, schema.QUIZ) for item in content["quizzes"]]
        quizzes = [_import_quiz(item, report) for item in quiz_items]
        # Only now, with the file's quizzes pointing at their new rungs, can
        # rungs the file dropped be deleted (options protect their rung).
        for rung in stale_rungs:
            rung.delete()
            report["rungs"].add("deleted", f"{rung.ladder.slug}/{rung.slug}")
        for index, (quiz, item) in enumerate(zip(quizzes, quiz_items, strict=True)):
            path = field_path(item_path("quizzes", index), "published")
            _set_publication(quiz, item["published"], by=by, path=path, report=report)
        ladder_slugs = [item["slug"] for item in content["ladders"]]
        report.stale = _differ_from_live(ladder_slugs, [quiz.slug for quiz in quizzes])
        if dry_run:
            transaction.set_rollback(True)
    return report


# Writing rows


def _save_changes(obj: models.Model, values: dict[str, Any]) -> bool:
    """Save `obj` with `values` only if one differs, so unchanged rows get no history."""
    changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
    for name, value in changed.items():
        setattr(obj, name, value)
    if changed:
        obj.save()
    return bool(changed)


def _upsert[M: models.Model](
    existing: M | None,
    model: type[M],
    key: dict[str, Any],
    values: dict[str, Any],
    tally: Tally,
    *,
    name: str,
) -> M:
    if existing is None:
        tally.add("created", name)
        return model._default_manager.create(**key, **values)
    tally.add("updated" if _save_changes(existing, values) else "unchanged", name)
    return existing


def _replace_list(
    model: type[models.Model],
    parent: dict[str, models.Model],
    items: list[dict[str, Any]],
    table: dict[str, schema.Field],
    tally: Tally,
    *,
    name: str,
) -> None:
    """Make a child list equal to `items`, touching it only when it differs."""
    names = tuple(table)
    rows = model._default_manager.filter(**parent).order_by("position", "id")
    stored = list(rows.values_list(*names))
    wanted = [tuple(item[name] for name in names) for item in items]
    if stored == wanted:
        tally.add("unchanged", name, len(wanted))
        return
    for row in rows:
        row.delete()
    for position, item in enumerate(items):
        model._default_manager.create(**parent, position=position, **item)
    tally.add("deleted", f"{name} ({len(stored)})" if stored else "", len(stored))
    tally.add("created", f"{name} ({len(wanted)})" if wanted else "", len(wanted))


# Ladders


def _import_ladder(data: dict[str, Any], report: ImportReport) -> list[Rung]:
    """Write one ladder; return its rungs the file dropped, to delete once quizzes moved off."""
    ladder = _upsert(
        Ladder.objects.filter(slug=data["slug"]).first(),
        Ladder,
        {"slug": data["slug"]},
        {name: data[name] for name in LADDER_COLUMNS},
        report["ladders"],
        name=data["slug"],
    )
    notes = [schema.filled(note, schema.NOTE) for note in data["notes"]]
    _replace_list(
        LadderNote, {"ladder": ladder}, notes, schema.NOTE, report["notes"], name=ladder.slug
    )
    sources = [schema.source_object(source) for source in data["sources"]]
    _replace_list(
        Source, {"ladder": ladder}, sources, schema.SOURCE, report["sources"], name=ladder.slug
    )

    rungs = [schema.filled(rung, schema.RUNG) for rung in data["rungs"]]
    existing = {rung.slug: rung for rung in ladder.rungs.all()}
    wanted = {rung["slug"] for rung in rungs}
    make_room_for_orders(existing, {rung["slug"]: rung["order"] for rung in rungs})
    for rung_data in rungs:
        rung = _upsert(
            existing.get(rung_data["slug"]),
            Rung,
            {"ladder": ladder, "slug": rung_data["slug"]},
            {name: rung_data[name] for name in RUNG_COLUMNS},
            report["rungs"],
            name=f"{ladder.slug}/{rung_data['slug']}",
        )
        _import_rung_lists(rung, rung_data, report)
    return [rung for slug, rung in existing.items() if slug not in wanted]


def _import_rung_lists(rung: Rung, data: dict[str, Any], report: ImportReport) -> None:
    for name, (model, table) in schema.RUNG_ITEMS.items():
        items = [schema.filled(_as_object(item), table) for item in data[name]]
        label = f"{rung.ladder.slug}/{rung.slug}"
        _replace_list(model, {"rung": rung}, items, table, report[name], name=label)


def _as_object(item: str | dict[str, Any]) -> dict[str, Any]:
    # A responsibility may be written as a bare string: its text, with no source.
    return {"text": item} if isinstance(item, str) else item


# Quizzes


def _import_quiz(data: dict[str, Any], report: ImportReport) -> Quiz:
    ladder = Ladder.objects.get(slug=data["ladder"])
    rungs = {rung.slug: rung for rung in ladder.rungs.all()}
    quiz = _upsert(
        Quiz.objects.filter(slug=data["slug"]).first(),
        Quiz,
        {"slug": data["slug"]},
        {
            "title": data["title"],
            "ladder_id": ladder.pk,
            "intro": data["intro"],
            "threshold": float(data["threshold"]),
        },
        report["quizzes"],
        name=data["slug"],
    )
    existing = {question.key: question for question in quiz.questions.all()}
    for position, item in enumerate(data["questions"]):
        question_data = schema.filled(item, schema.QUESTION)
        values = {name: question_data[name] for name in QUESTION_COLUMNS}
        values |= {"weight": float(question_data["weight"]), "position": position}
        question = _upsert(
            existing.pop(question_data["key"], None),
            Question,
            {"quiz": quiz, "key": question_data["key"]},
            values,
            report["questions"],
            name=f"{quiz.slug}/{question_data['key']}",
        )
        _import_options(question, question_data["options"], rungs, report)
    for question in existing.values():
        name = f"{quiz.slug}/{question.key}"
        options = question.options.count()
        report["options"].add("deleted", f"{name} ({options})", options)
        question.delete()
        report["questions"].add("deleted", name)
    return quiz


def _import_options(
    question: Question, items: list[dict[str, Any]], rungs: dict[str, Rung], report: ImportReport
) -> None:
    existing = {option.key: option for option in question.options.all()}
    for position, item in enumerate(items):
        option_data = schema.filled(item, schema.OPTION)
        rung = rungs[option_data["rung"]] if option_data["rung"] else None
        values = {name: option_data[name] for name in OPTION_COLUMNS}
        low, high = option_data["years"] or (None, None)
        values |= {
            "rung_id": rung.pk if rung else None,
            "position": position,
            "years_min": low,
            "years_max": high,
        }
        _upsert(
            existing.pop(option_data["key"], None),
            Option,
            {"question": question, "key": option_data["key"]},
            values,
            report["options"],
            name=f"{question.quiz.slug}/{question.key}/{option_data['key']}",
        )
    for option in existing.values():
        option.delete()
        report["options"].add("deleted", f"{question.quiz.slug}/{question.key}/{option.key}")


def _set_publication(
    quiz: Quiz, published: bool | None, *, by: str, path: str, report: ImportReport
) -> None:
    """Publish (a new version only if the draft changed) or unpublish; None leaves it."""
    if published is None:
        return
    quiz.refresh_from_db(fields=["live_version"])
    if not published:
        if quiz.live_version_id is not None:
            unpublish(quiz)
            report.publication.append(f"{quiz.slug}: unpublished")
        return
    latest = quiz.versions.order_by("-number").first()
    try:
        version = publish(quiz, by=by)
    except NotPublishable as exc:
        # Validation catches these first; this keeps the promise if it ever does not.
        raise ContentInvalid([ContentError(path, problem) for problem in exc.problems]) from exc
    if latest is None or version.number > latest.number:
        report["versions"].add("created", f"{quiz.slug} v{version.number}")
    else:
        report["versions"].add("unchanged", "")
    if quiz.live_version_id != version.pk:
        report.publication.append(f"{quiz.slug}: published v{version.number}")


def _differ_from_live(ladders: list[str], quizzes: list[str]) -> list[str]:
    """Published quizzes of these ladders, or with these slugs, whose draft is not live."""
    touched = Quiz.objects.filter(Q(slug__in=quizzes) | Q(ladder__slug__in=ladders))
    return [quiz.slug for quiz in published_behind_draft(touched.order_by("slug"))]
