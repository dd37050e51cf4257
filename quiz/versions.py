"""Publishing: freeze a quiz draft into a version, and read versions back for the engine.

A version's snapshot holds everything placement needs (questions, options and
the ladder's rungs), so a visitor who started on version N is placed by
version N even if editors have changed the quiz or the ladder since.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from quiz.models import Question, Quiz, QuizVersion
from quiz.placement import OptionSpec, QuestionSpec, QuizSpec, RungSpec

MSG_NO_EVIDENCE = "a quiz needs at least one evidence question to place anyone"
MSG_QUESTION_NO_OPTIONS = "question {key!r} has no options"
MSG_NO_RUNGS = "ladder {ladder!r} has no rungs"
MSG_OPTION_NEEDS_RUNG = "question {key!r}, option {option!r}: a {role} option must name a rung"
MSG_OPTION_FOREIGN_RUNG = (
    "question {key!r}, option {option!r}: rung {rung!r} belongs to ladder {other!r}, not {ladder!r}"
)
MSG_OPTION_NEEDS_SKILL = "question {key!r}, option {option!r}: a skills option must name a skill"


class NotPublishable(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _questions(quiz: Quiz) -> list[Question]:
    return list(quiz.questions.prefetch_related("options__rung__ladder").order_by("position", "id"))


def publish_problems(quiz: Quiz) -> list[str]:
    """Everything that stops this draft from being published, in words for editors."""
    problems: list[str] = []
    ladder = quiz.ladder
    if not ladder.rungs.exists():
        problems.append(MSG_NO_RUNGS.format(ladder=ladder.slug))
    questions = _questions(quiz)
    if not any(q.role == Question.Role.EVIDENCE for q in questions):
        problems.append(MSG_NO_EVIDENCE)
    for question in questions:
        options = list(question.options.all())
        if not options:
            problems.append(MSG_QUESTION_NO_OPTIONS.format(key=question.key))
        for option in options:
            names = {"key": question.key, "option": option.key, "role": question.role}
            if question.role in (Question.Role.EVIDENCE, Question.Role.TITLE):
                if option.rung is None:
                    problems.append(MSG_OPTION_NEEDS_RUNG.format(**names))
                elif option.rung.ladder_id != ladder.pk:
                    problems.append(
                        MSG_OPTION_FOREIGN_RUNG.format(
                            **names,
                            rung=option.rung.slug,
                            other=option.rung.ladder.slug,
                            ladder=ladder.slug,
                        )
                    )
            if question.role == Question.Role.SKILLS and not option.skill:
                problems.append(MSG_OPTION_NEEDS_SKILL.format(**names))
    return problems


def snapshot(quiz: Quiz) -> dict[str, Any]:
    """The draft as a plain dict: what a published version freezes."""
    rungs = quiz.ladder.rungs.order_by("order")
    return {
        "slug": quiz.slug,
        "title": quiz.title,
        "intro": quiz.intro,
        "threshold": quiz.threshold,
        "ladder": quiz.ladder.slug,
        "rungs": [
            {"slug": r.slug, "order": r.order, "title": r.title, "question": r.question}
            for r in rungs
        ],
        "questions": [
            {
                "key": q.key,
                "text": q.text,
                "help": q.help,
                "role": q.role,
                "weight": q.weight,
                "required": q.required,
                "advice": q.advice,
                "options": [
                    {
                        "key": o.key,
                        "text": o.text,
                        "rung": o.rung.slug if o.rung else None,
                        "skill": o.skill or None,
                        "note": o.note,
                    }
                    for o in q.options.all()
                ],
            }
            for q in _questions(quiz)
        ],
    }


def has_unpublished_changes(quiz: Quiz) -> bool:
    live = quiz.live_version
    return live is None or live.snapshot != snapshot(quiz)


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
    return version


def unpublish(quiz: Quiz) -> None:
    Quiz.objects.filter(pk=quiz.pk).update(live_version=None)


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
                advice=q.get("advice", ""),
                options=tuple(
                    OptionSpec(
                        key=o["key"],
                        text=o["text"],
                        rung=o.get("rung"),
                        skill=o.get("skill"),
                        note=o.get("note", ""),
                    )
                    for o in q["options"]
                ),
            )
            for q in data["questions"]
        ),
    )


def spec_for(version: QuizVersion) -> QuizSpec:
    """The engine's view of a version, built once per version and process.

    Versions never change after publishing, so the cache needs no invalidation;
    the publish time in the key keeps a primary key reused by a re-created test
    database from returning another quiz.
    """
    key = (version.pk, version.published_at.isoformat())
    spec = _SPEC_CACHE.get(key)
    if spec is None:
        if len(_SPEC_CACHE) >= 512:
            _SPEC_CACHE.clear()
        spec = _SPEC_CACHE[key] = spec_from_snapshot(version.snapshot)
    return spec


_SPEC_CACHE: dict[tuple[int, str], QuizSpec] = {}
