"""What the API reads: ladders with their content, published quizzes, completed placements.

Plain functions the views call. A quiz is read from its live version's
snapshot, never from the editable draft, so the API shows exactly what the
quiz pages show and what a placement will be scored against.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from careerquiz.api.errors import NotFound
from ladder import freshness
from ladder.models import Ladder
from quiz.models import Attempt, Quiz, QuizVersion
from quiz.results import with_versions
from quiz.versions import live_version, spec_for

MSG_UNKNOWN_LADDER = "No ladder has this slug."
MSG_UNKNOWN_QUIZ = "No published quiz has this slug."
MSG_UNKNOWN_PLACEMENT = "No placement has this id."


def ladders() -> QuerySet[Ladder]:
    return Ladder.objects.order_by("title", "slug")


def ladder_stamp(slug: str) -> tuple[int, datetime]:
    """The ladder's id and when its content last changed (ladder.freshness)."""
    found = freshness.stamp(slug)
    if found is None:
        raise NotFound(MSG_UNKNOWN_LADDER, field="slug")
    return found


def ladder(slug: str) -> Ladder:
    found = Ladder.objects.with_rung_content().filter(slug=slug).first()
    if found is None:
        raise NotFound(MSG_UNKNOWN_LADDER, field="slug")
    return found


def published_quizzes() -> QuerySet[Quiz]:
    return Quiz.objects.published().order_by("title", "slug")


def published_quiz(slug: str) -> QuizVersion:
    """The live version of the published quiz with this slug (shared: read only)."""
    version = live_version(slug)
    if version is None:
        raise NotFound(MSG_UNKNOWN_QUIZ, field="slug")
    return version


def quiz_summary(slug: str, version: QuizVersion) -> dict[str, Any]:
    frozen = version.document
    return {
        "slug": slug,
        "title": frozen.title,
        "intro": frozen.intro,
        "ladder": frozen.ladder,
        "version": version.number,
        "published_at": version.published_at,
        "url": reverse("quiz:start", args=[slug]),
    }


def quiz_detail(slug: str, version: QuizVersion) -> dict[str, Any]:
    """The live version as a visitor answers it: questions and options, no scoring internals."""
    spec = spec_for(version)
    return quiz_summary(slug, version) | {
        # The sensible values of a placement's `region`: where the version has pay.
        "regions": sorted(version.document.regions_with_pay),
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
        with_versions(Attempt.objects.completed())
        .exclude(channel=Attempt.Channel.PREVIEW)
        .filter(result_id=result_id)
        .first()
    )
    if found is None:
        raise NotFound(MSG_UNKNOWN_PLACEMENT, field="id")
    return found
