"""Publishing: check a quiz draft, freeze it into a version, and read versions back.

A version's snapshot (quiz.snapshots) holds everything placement needs
(questions, options and the ladder's rungs), so a visitor who started on
version N is placed by version N even if editors have changed the quiz or the
ladder since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache, partial
from typing import Any

from django.db import transaction

from careerquiz.web.recent import Recent
from ladder.freshness import touch
from ladder.models import Rung
from quiz import rules
from quiz.documents import Snapshot
from quiz.models import Option, Question, Quiz, QuizQuerySet, QuizVersion
from quiz.placement import QuizSpec
from quiz.snapshots import load_draft, snapshot_document, spec_from_snapshot
from quiz.snapshots import snapshot as snapshot  # where publishing's callers find it

# Where a problem of publish_problems is: the rule's message, prefixed by its place.
AT_QUESTION = "question {key!r}: {problem}"
AT_OPTION = "question {key!r}, option {option!r}: {problem}"


class NotPublishable(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def publish_problems(quiz: Quiz) -> list[str]:
    """Everything that stops this draft from being published, in words for editors."""
    load_draft(quiz)
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
    load_draft(quiz)
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


def has_unpublished_changes(quiz: Quiz) -> bool:
    live = quiz.live_version
    if live is None:
        return True
    return document_of(live) != snapshot_document(quiz)


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
    frozen = snapshot_document(quiz)
    latest = quiz.versions.order_by("-number").first()
    if latest is not None and latest.document == frozen:
        version = latest
    else:
        number = latest.number + 1 if latest else 1
        version = QuizVersion.objects.create(
            quiz=quiz, number=number, snapshot=frozen.to_json(), published_by=by
        )
    if quiz.live_version_id != version.pk:
        Quiz.objects.filter(pk=quiz.pk).update(live_version=version)
        touch(quiz.ladder_id)  # the ladder page lists its published quizzes
        forget_live_versions()
    return version


def unpublish(quiz: Quiz) -> None:
    if Quiz.objects.filter(pk=quiz.pk).exclude(live_version=None).update(live_version=None):
        touch(quiz.ladder_id)
        forget_live_versions()


@dataclass(frozen=True)
class _VersionKey:
    pk: int
    # A primary key reused by a re-created (test) database must not return another quiz.
    published_at: datetime
    version: QuizVersion = field(compare=False, hash=False)


@lru_cache(maxsize=256)
def _compiled(key: _VersionKey) -> QuizSpec:
    return spec_from_snapshot(document_of(key.version))


@lru_cache(maxsize=256)
def _parsed(key: _VersionKey) -> Snapshot:
    return key.version.document


def document_of(version: QuizVersion) -> Snapshot:
    """A version's snapshot document, parsed once per version and process, whichever
    instance of it asks (the admin's list reads a new one per request)."""
    return _parsed(_VersionKey(version.pk, version.published_at, version))


def spec_for(version: QuizVersion) -> QuizSpec:
    """The engine's view of a version, built once per version and process.

    Versions never change after publishing, so the cache needs no invalidation.
    """
    return _compiled(_VersionKey(version.pk, version.published_at, version))


# --- Published versions, read once per process -----------------------------------------
#
# A version never changes once published, so each process keeps the ones it serves
# (snapshot parsed, spec compiled). Which version is live is kept for a second
# (careerquiz.web.recent): a publish anywhere is served within that second, and at
# once by the process that published (publish and unpublish forget, as does saving or
# deleting a quiz). Most requests then ask the database nothing about the quiz.

# Slug -> (id, publish time) of its live version, or None: nothing is live.
_live: Recent[str, tuple[int, datetime] | None] = Recent(seconds=1.0)
# (id, slug) -> the version's publish time, or None: no such version of that quiz.
_published_at: Recent[tuple[int, str], datetime | None] = Recent(seconds=1.0)


def forget_live_versions(**kwargs: Any) -> None:
    """Ask the database again which versions are live (something was published)."""
    for recent in (_live, _published_at):
        recent.forget()
        # Again once committed: a request reading before the commit would keep the old.
        transaction.on_commit(recent.forget)


@lru_cache(maxsize=64)
def _version(pk: int, published_at: datetime) -> QuizVersion:
    version = QuizVersion.objects.get(pk=pk)
    spec_for(version)  # compiled now, once, rather than on the first step
    return version


def shared_version(pk: int, published_at: datetime) -> QuizVersion:
    """Version `pk` (published at `published_at`) as the process shares it: its snapshot
    read and parsed once. Read it, never change it."""
    return _version(pk, published_at)


def _live_row(slug: str) -> tuple[int, datetime] | None:
    row = (
        Quiz.objects.filter(slug=slug, live_version__isnull=False)
        .values_list("live_version_id", "live_version__published_at")
        .first()
    )
    return (row[0], row[1]) if row else None


def live_version(slug: str) -> QuizVersion | None:
    """The live version of the published quiz with this slug; None if there is none.

    The instance is shared by every request of the process: read it, never change it.
    """
    row = _live.get(slug, partial(_live_row, slug))
    return _version(*row) if row else None


def version_of(pk: int, *, slug: str) -> QuizVersion | None:
    """Version `pk` of the quiz with this slug, live or not (a visitor finishes on the
    version they started on); None if there is no such version. Shared, like live_version."""
    published_at = _published_at.get(
        (pk, slug),
        lambda: (
            QuizVersion.objects.filter(pk=pk, quiz__slug=slug)
            .values_list("published_at", flat=True)
            .first()
        ),
    )
    return _version(pk, published_at) if published_at else None
