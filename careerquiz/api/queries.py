"""What the API reads: ladders with their content, published quizzes, completed placements.

Plain functions the views call. A quiz is read from its live version's
snapshot, never from the editable draft, so the API shows exactly what the
quiz pages show and what a placement will be scored against.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from careerquiz.api.errors import NotFound
from ladder.models import Ladder, SalaryBand
from quiz.models import Attempt, Quiz
from quiz.versions import spec_for

MSG_UNKNOWN_LADDER = "No ladder has this slug."
MSG_UNKNOWN_QUIZ = "No published quiz has this slug."
MSG_UNKNOWN_PLACEMENT = "No placement has this id."


def ladders() -> QuerySet[Ladder]:
    return Ladder.objects.order_by("title", "slug")


def ladder(slug: str) -> Ladder:
    found = Ladder.objects.with_rung_content().filter(slug=slug).first()
    if found is None:
        raise NotFound(MSG_UNKNOWN_LADDER, field="slug")
    return found


def published_quizzes() -> QuerySet[Quiz]:
    return Quiz.objects.published().order_by("title", "slug")


def published_quiz(slug: str) -> Quiz:
    found = Quiz.objects.published().filter(slug=slug).first()
    if found is None:
        raise NotFound(MSG_UNKNOWN_QUIZ, field="slug")
    return found


def quiz_summary(quiz: Quiz) -> dict[str, Any]:
    version = quiz.live_version
    assert version is not None, "only published quizzes reach the API"
    snapshot = version.snapshot
    return {
        "slug": quiz.slug,
        "title": snapshot["title"],
        "intro": snapshot.get("intro", ""),
        "ladder": snapshot["ladder"],
        "version": version.number,
        "published_at": version.published_at,
        "url": quiz.get_absolute_url(),
    }


def quiz_detail(quiz: Quiz) -> dict[str, Any]:
    """The live version as a visitor answers it: questions and options, no scoring internals."""
    version = quiz.live_version
    assert version is not None, "only published quizzes reach the API"
    spec = spec_for(version)
    return quiz_summary(quiz) | {
        # The sensible values of a placement's `region`.
        "regions": SalaryBand.objects.regions(version.snapshot["ladder"]),
        "questions": [
            {
                "key": question.key,
                "text": question.text,
                "help": question.help,
                "role": question.role,
                "kind": question.kind,
                "required": question.required,
                "options": [
                    {"key": option.key, "text": option.text} for option in question.options
                ],
            }
            for question in spec.questions
        ],
    }


def placement(result_id: str) -> Attempt:
    """A completed placement by its public id (editor previews are not placements)."""
    found = (
        Attempt.objects.completed()
        .exclude(channel=Attempt.Channel.PREVIEW)
        .filter(result_id=result_id)
        .first()
    )
    if found is None:
        raise NotFound(MSG_UNKNOWN_PLACEMENT, field="id")
    return found
