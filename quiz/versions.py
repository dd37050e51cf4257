"""Publishing: freeze a quiz draft into a version, and read versions back for the engine.

A version's snapshot holds everything placement needs (questions, options and
the ladder's rungs), so a visitor who started on version N is placed by
version N even if editors have changed the quiz or the ladder since.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects

from ladder.freshness import touch
from ladder.models import Rung
from quiz import rules
from quiz.models import DRAFT_CONTENT, Option, Question, Quiz, QuizQuerySet, QuizVersion
from quiz.placement import NoteSpec, OptionSpec, QuestionSpec, QuizSpec, RungSpec

# Where a problem of publish_problems is: the rule's message, prefixed by its place.
AT_QUESTION = "question {key!r}: {problem}"
AT_OPTION = "question {key!r}, option {option!r}: {problem}"


class NotPublishable(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _load_draft(quiz: Quiz) -> None:
    """Fetch the draft's rungs, questions and options unless a queryset already did."""
    prefetch_related_objects([quiz], *DRAFT_CONTENT)


def publish_problems(quiz: Quiz) -> list[str]:
    """Everything that stops this draft from being published, in words for editors."""
    _load_draft(quiz)
    ladder = quiz.ladder
    problems: list[str] = []
    if not ladder.rungs.all():
        problems.append(rules.MSG_NO_RUNGS.format(ladder=ladder.slug))
    questions = list(quiz.questions.all())
    if not any(q.role == Question.Role.EVIDENCE for q in questions):
        problems.append(rules.MSG_NO_EVIDENCE)
    skills = None
    if any(q.role == Question.Role.SKILLS for q in questions):
        skills = {skill.name for rung in ladder.rungs.all() for skill in rung.skills.all()}
    for question in questions:
        options = list(question.options.all())
        if not options:
            problems.append(AT_QUESTION.format(key=question.key, problem=rules.MSG_NO_OPTIONS))
        for option in options:
            for problem in option.target_problems(
                question=question, ladder=ladder, ladder_skills=skills
            ):
                problems.append(
                    AT_OPTION.format(key=question.key, option=option.key, problem=problem.message)
                )
    return problems


@dataclass(frozen=True, kw_only=True)
class PlacementMap:
    """The draft's work questions against the ladder: which answer is evidence of which rung."""

    rungs: list[Rung]  # lowest first
    rows: list[tuple[Question, list[list[Option]]]]  # per question, the options at each rung
    warnings: list[str]


def placement_map(quiz: Quiz) -> PlacementMap:
    """What the draft can and cannot tell apart, as the admin's placement map shows it."""
    _load_draft(quiz)
    rungs = list(quiz.ladder.rungs.all())
    evidence = [q for q in quiz.questions.all() if q.role == Question.Role.EVIDENCE]
    rows = [
        (question, [[o for o in question.options.all() if o.rung_id == rung.pk] for rung in rungs])
        for question in evidence
    ]
    warnings = rules.placement_warnings(
        [rung.slug for rung in rungs],
        [
            rules.EvidenceQuestion(
                key=question.key,
                required=question.required,
                rungs=tuple(o.rung.slug for o in question.options.all() if o.rung is not None),
            )
            for question in evidence
        ],
    )
    return PlacementMap(rungs=rungs, rows=rows, warnings=warnings)


def snapshot(quiz: Quiz) -> dict[str, Any]:
    """The draft as a plain dict: what a published version freezes.

    Besides the questions it holds everything a result shows from the ladder
    (rungs with their pay, skills and next steps, the sources, the notes), so a
    result is built from its own version: editing the ladder changes no result
    until the quiz is published again.
    """
    _load_draft(quiz)
    ladder = quiz.ladder
    return {
        "slug": quiz.slug,
        "title": quiz.title,
        "intro": quiz.intro,
        "threshold": quiz.threshold,
        "ladder": ladder.slug,
        "ladder_title": ladder.title,
        "sources": [{"key": s.key, "title": s.title, "url": s.url} for s in ladder.sources.all()],
        "notes": [
            {
                "kind": n.kind,
                "key": n.key,
                "title": n.title,
                "body": n.body,
                "source": n.source,
                "when": n.when,
            }
            for n in ladder.notes.all()
        ],
        "rungs": [_rung(rung) for rung in ladder.rungs.all()],
        "questions": [
            {
                "key": q.key,
                "text": q.text,
                "help": q.help,
                "role": q.role,
                "weight": q.weight,
                "required": q.required,
                "shuffle": q.shuffle,
                "dimension": q.dimension,
                "advice": q.advice,
                "options": [
                    {
                        "key": o.key,
                        "text": o.text,
                        "rung": o.rung.slug if o.rung else None,
                        "skill": o.skill or None,
                        "note": o.note,
                        "notes": o.notes,
                        "advice": o.advice,
                        "years": None if o.years_min is None else [o.years_min, o.years_max],
                        "track": o.track,
                    }
                    for o in q.options.all()
                ],
            }
            for q in quiz.questions.all()
        ],
    }


def _rung(rung: Rung) -> dict[str, Any]:
    return {
        "id": rung.pk,  # a stable identity for links, whatever the slug becomes
        "slug": rung.slug,
        "order": rung.order,
        "title": rung.title,
        "question": rung.question,
        "summary": rung.summary,
        "years_min": rung.years_min,
        "years_max": rung.years_max,
        "moves_you_up": rung.moves_you_up,
        "keeps_you_stuck": rung.keeps_you_stuck,
        "texts": rung.texts,
        "sources": list(rung.sources),
        "skills": [
            {
                "name": s.name,
                "category": s.category,
                "importance": s.importance,
                "source": s.source,
                "when": s.when,
            }
            for s in rung.skills.all()
        ],
        "salary_bands": [
            {
                "region": b.region,
                "currency": b.currency,
                "min": b.min,
                "max": b.max,
                "period": b.period,
                "display": b.display,
                "note": b.note,
                "source": b.source,
                "context": b.context,
                "when": b.when,
            }
            for b in rung.salary_bands.all()
        ],
        "next_steps": [
            {
                "kind": n.kind,
                "title": n.title,
                "detail": n.detail,
                "url": n.url,
                "source": n.source,
                "when": n.when,
            }
            for n in rung.next_steps.all()
        ],
    }


def has_unpublished_changes(quiz: Quiz) -> bool:
    live = quiz.live_version
    return live is None or live.snapshot != snapshot(quiz)


def published_behind_draft(quizzes: QuizQuerySet) -> list[Quiz]:
    """The published ones of these quizzes whose draft is not what visitors get, in order."""
    live = quizzes.exclude(live_version=None).with_draft()
    return [quiz for quiz in live if has_unpublished_changes(quiz)]


@transaction.atomic
def publish(quiz: Quiz, *, by: str = "") -> QuizVersion:
    """Freeze the draft as the live version; publishing an unchanged draft is a no-op."""
    quiz = Quiz.objects.select_for_update().select_related("ladder").get(pk=quiz.pk)
    problems = publish_problems(quiz)
    if problems:
        raise NotPublishable(problems)
    frozen = snapshot(quiz)
    latest = quiz.versions.order_by("-number").first()
    if latest is not None and latest.snapshot == frozen:
        version = latest
    else:
        number = latest.number + 1 if latest else 1
        version = QuizVersion.objects.create(
            quiz=quiz, number=number, snapshot=frozen, published_by=by
        )
    if quiz.live_version_id != version.pk:
        Quiz.objects.filter(pk=quiz.pk).update(live_version=version)
        touch(quiz.ladder_id)  # the ladder page lists its published quizzes
    return version


def unpublish(quiz: Quiz) -> None:
    if Quiz.objects.filter(pk=quiz.pk).exclude(live_version=None).update(live_version=None):
        touch(quiz.ladder_id)


def regions_with_pay(snapshot: Mapping[str, Any]) -> set[str]:
    """Codes of the regions a snapshot (published, or a previewed draft) has pay for."""
    return {band["region"] for rung in snapshot["rungs"] for band in rung["salary_bands"]}


def spec_from_snapshot(data: dict[str, Any]) -> QuizSpec:
    return QuizSpec(
        slug=data["slug"],
        threshold=float(data["threshold"]),
        rungs=tuple(
            RungSpec(slug=r["slug"], order=r["order"], title=r["title"], question=r["question"])
            for r in data["rungs"]
        ),
        questions=tuple(
            QuestionSpec(
                key=q["key"],
                text=q["text"],
                help=q.get("help", ""),
                role=q["role"],
                weight=float(q["weight"]),
                required=q["required"],
                shuffle=q.get("shuffle", True),
                dimension=q.get("dimension", ""),
                advice=q.get("advice", ""),
                options=tuple(
                    OptionSpec(
                        key=o["key"],
                        text=o["text"],
                        rung=o.get("rung"),
                        skill=o.get("skill"),
                        note=o.get("note", ""),
                        notes=tuple(
                            NoteSpec(
                                text=n["text"],
                                placed=frozenset(n.get("placed", ())),
                                title=n.get("title"),
                                when=n.get("when", {}),
                            )
                            for n in o.get("notes", ())
                        ),
                        advice=o.get("advice", ""),
                        years=tuple(o["years"]) if o.get("years") else None,
                        track=o.get("track", ""),
                    )
                    for o in q["options"]
                ),
            )
            for q in data["questions"]
        ),
    )


@dataclass(frozen=True)
class _VersionKey:
    pk: int
    # A primary key reused by a re-created (test) database must not return another quiz.
    published_at: datetime
    snapshot: dict[str, Any] = field(compare=False, hash=False)


@lru_cache(maxsize=256)
def _compiled(key: _VersionKey) -> QuizSpec:
    return spec_from_snapshot(key.snapshot)


def spec_for(version: QuizVersion) -> QuizSpec:
    """The engine's view of a version, built once per version and process.

    Versions never change after publishing, so the cache needs no invalidation.
    """
    return _compiled(_VersionKey(version.pk, version.published_at, version.snapshot))


# --- Published versions, read once per process -----------------------------------------
#
# A version never changes once published, so each process keeps the ones it serves
# (snapshot parsed, spec compiled) and a request only asks the database which version
# is live, a narrow query that reads no snapshot. Publishing makes a new version: the
# next request's narrow query names it, so nothing needs invalidating, in any process.


@lru_cache(maxsize=64)
def _version(pk: int, published_at: datetime) -> QuizVersion:
    version = QuizVersion.objects.get(pk=pk)
    spec_for(version)  # compiled now, once, rather than on the first step
    return version


def live_version(slug: str) -> QuizVersion | None:
    """The live version of the published quiz with this slug; None if there is none.

    The instance is shared by every request of the process: read it, never change it.
    """
    row = (
        Quiz.objects.filter(slug=slug, live_version__isnull=False)
        .values_list("live_version_id", "live_version__published_at")
        .first()
    )
    return _version(*row) if row else None


def version_of(pk: int, *, slug: str) -> QuizVersion | None:
    """Version `pk` of the quiz with this slug, live or not (a visitor finishes on the
    version they started on); None if there is no such version. Shared, like live_version."""
    published_at = (
        QuizVersion.objects.filter(pk=pk, quiz__slug=slug)
        .values_list("published_at", flat=True)
        .first()
    )
    return _version(pk, published_at) if published_at else None
