"""Typed factory functions for tests: small, explicit content built in the database."""

from __future__ import annotations

import random
from collections.abc import Sequence

from ladder.models import Ladder, Rung, SalaryBand, Skill, Source
from quiz.models import Option, Question, Quiz, QuizVersion
from quiz.versions import publish

DEFAULT_RUNGS = ("junior", "mid", "senior", "lead")


def make_ladder(*, slug: str = "test-ladder", rungs: Sequence[str] = DEFAULT_RUNGS) -> Ladder:
    ladder = Ladder.objects.create(slug=slug, title=f"{slug.title()} ladder")
    Source.objects.create(ladder=ladder, key="t.txt", title="The test source")
    for order, rung_slug in enumerate(rungs, start=1):
        rung = Rung.objects.create(
            ladder=ladder,
            slug=rung_slug,
            order=order,
            title=rung_slug.title(),
            question=f"Can you do {rung_slug} work?",
            moves_you_up=f"Do {rung_slug}+1 work.",
            sources=["t.txt"],
        )
        Skill.objects.create(rung=rung, name=f"Skill {order}", category="general", source="t.txt")
        SalaryBand.objects.create(
            rung=rung,
            region="IN",
            currency="INR",
            min=order * 1_000_000,
            max=order * 2_000_000,
            source="t.txt",
        )
        SalaryBand.objects.create(
            rung=rung,
            region="US",
            currency="USD",
            min=order * 100_000,
            max=order * 150_000,
            source="t.txt",
        )
    return ladder


def make_quiz(
    ladder: Ladder,
    *,
    slug: str = "test-quiz",
    evidence_questions: int = 3,
    threshold: float = 0.6,
    with_extras: bool = True,
    published: bool = True,
) -> Quiz:
    """A quiz whose evidence questions offer one option per rung, keyed by rung slug.

    With extras it also has a `title` question (options keyed by rung slug), a
    `context` question (`services` carries a note, `product` none) and an
    optional `skills` question with one option per skill.
    """
    quiz = Quiz.objects.create(
        slug=slug, title=f"{slug} quiz", ladder=ladder, intro="Intro.", threshold=threshold
    )
    rungs = list(ladder.rungs.order_by("order"))
    position = 0
    for number in range(1, evidence_questions + 1):
        position += 1
        question = Question.objects.create(
            quiz=quiz,
            key=f"q{number}",
            text=f"Evidence question {number}?",
            role=Question.Role.EVIDENCE,
            advice=f"Advice for q{number}.",
            position=position,
        )
        for index, rung in enumerate(rungs):
            Option.objects.create(
                question=question,
                key=rung.slug,
                text=f"{rung.title} answer",
                rung=rung,
                position=index,
            )
    if with_extras:
        title = Question.objects.create(
            quiz=quiz,
            key="title",
            text="Your title?",
            role=Question.Role.TITLE,
            position=position + 1,
        )
        for index, rung in enumerate(rungs):
            Option.objects.create(
                question=title, key=rung.slug, text=rung.title, rung=rung, position=index
            )
        context = Question.objects.create(
            quiz=quiz,
            key="company",
            text="Where do you work?",
            role=Question.Role.CONTEXT,
            position=position + 2,
        )
        Option.objects.create(
            question=context, key="services", text="Services", note="Services caveat.", position=0
        )
        Option.objects.create(question=context, key="product", text="Product", position=1)
        skills = Question.objects.create(
            quiz=quiz,
            key="skills",
            text="Which skills?",
            role=Question.Role.SKILLS,
            required=False,
            position=position + 3,
        )
        for index, skill in enumerate(Skill.objects.filter(rung__ladder=ladder)):
            Option.objects.create(
                question=skills,
                key=f"s{index}",
                text=skill.name,
                skill=skill.name,
                position=index,
            )
    if published:
        publish(quiz)
        quiz.refresh_from_db()
    return quiz


def answers_at(quiz: Quiz, rung_slug: str, **extra: object) -> dict[str, object]:
    """Every evidence question answered at one rung, plus any extra answers."""
    keys = quiz.questions.filter(role=Question.Role.EVIDENCE).values_list("key", flat=True)
    answers: dict[str, object] = {key: rung_slug for key in keys}
    if quiz.questions.filter(key="company").exists():
        answers.setdefault("company", "product")
    if quiz.questions.filter(key="title").exists():
        answers.setdefault("title", rung_slug)
    answers.update(extra)
    return answers


def live_version(quiz: Quiz) -> QuizVersion:
    quiz.refresh_from_db()
    assert quiz.live_version is not None
    return quiz.live_version


def plausible_answers(rng: random.Random, version: QuizVersion) -> dict[str, object]:
    """Answers a person might give a published version: evidence around one true rung,
    a title that runs ahead of it more often at services and consulting companies, a
    few skills. For data sets of many attempts (the analytics benchmark and browser test).
    """
    frozen = version.snapshot
    orders = {rung["slug"]: rung["order"] for rung in frozen["rungs"]}
    lowest, highest = min(orders.values()), max(orders.values())
    levels = range(lowest, highest + 1)
    level = rng.choices(levels, weights=[len(levels) - i for i in range(len(levels))])[0]

    def near(order: int, options: Sequence[dict[str, object]]) -> str:
        """The key of an option whose rung is `order`, or the nearest one."""
        order = min(max(order, lowest), highest)
        ranked_options = [o for o in options if o.get("rung")]  # not answers for a track
        ranked = sorted(
            ranked_options, key=lambda o: (abs(orders[str(o["rung"])] - order), rng.random())
        )
        return str(ranked[0]["key"])

    answers: dict[str, object] = {}
    inflated = False
    for question in frozen["questions"]:
        options = question["options"]
        if question["role"] == "context":
            answer = rng.choice(options)["key"]
            inflated = inflated or answer in ("services", "consulting")
            if question["required"] or rng.random() < 0.7:
                answers[question["key"]] = answer
        elif question["role"] == "skills":
            answers[question["key"]] = [o["key"] for o in options if rng.random() < 0.4]
    for question in frozen["questions"]:
        options = question["options"]
        if question["role"] == "evidence":
            answers[question["key"]] = near(level + rng.choice((-1, 0, 0, 0, 1)), options)
        elif question["role"] == "title":
            drift = rng.choice((0, 1, 1, 2) if inflated else (-1, 0, 0, 1))
            answers[question["key"]] = near(level + drift, options)
    return answers
