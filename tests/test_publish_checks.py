"""Publish checks: what a draft would show visitors that its editor should hear about first."""

from __future__ import annotations

import json
from typing import Any

import pytest

from careerquiz.content import SHIPPED_CONTENT
from quiz.publish_checks import (
    MSG_ANSWER_NO_ADVICE,
    MSG_BAND_CONTEXT,
    MSG_COUNT_MISMATCH,
    MSG_NO_PAY,
    MSG_QUESTION_NO_ADVICE,
    WHERE_INTRO,
    WHERE_QUESTION,
    PublishChecks,
    content_warnings,
)


def option(key: str, rung: str | None, **values: Any) -> dict[str, Any]:
    return {"key": key, "text": key, "rung": rung, "advice": ""} | values


def evidence(key: str, advice: str = "", **options_advice: str) -> dict[str, Any]:
    return {
        "key": key,
        "text": f"{key}?",
        "help": "",
        "role": "evidence",
        "advice": advice,
        "options": [
            option(rung, rung, advice=options_advice.get(rung, "")) for rung in ("junior", "senior")
        ],
    }


def draft(*questions: dict[str, Any], intro: str = "", bands: bool = True) -> dict[str, Any]:
    band = {"region": "US", "currency": "USD", "min": 1, "max": 2, "context": ""}
    return {
        "title": "A quiz",
        "intro": intro,
        "ladder": "ml",
        "rungs": [
            {"slug": "junior", "order": 1, "salary_bands": [band] if bands else []},
            {"slug": "senior", "order": 2, "salary_bands": []},
        ],
        "questions": list(questions) or [evidence("q1", advice="Do more.")],
    }


def test_a_sound_draft_has_no_warnings():
    assert content_warnings(draft()) == []


def test_a_question_with_no_advice_anywhere_is_named():
    assert content_warnings(draft(evidence("q1"))) == [MSG_QUESTION_NO_ADVICE.format(key="q1")]


def test_answers_without_advice_are_named_when_others_have_some():
    three = evidence("q1", junior="Own a problem.")
    three["options"].insert(1, option("mid-ish", "junior"))
    assert content_warnings(draft(three)) == [
        MSG_ANSWER_NO_ADVICE.format(key="q1", option="mid-ish")
    ]


def test_the_top_rungs_answer_needs_no_advice_and_question_advice_covers_all():
    assert content_warnings(draft(evidence("q1", junior="Own a problem."))) == []
    assert content_warnings(draft(evidence("q1", advice="Do more."))) == []


def test_a_ladder_without_pay_warns_that_the_region_step_is_empty():
    assert content_warnings(draft(bands=False)) == [MSG_NO_PAY.format(ladder="ml")]


@pytest.mark.parametrize(
    ("intro", "warned"),
    [
        ("Nine questions about your work.", True),
        ("3 short questions, then your region.", True),
        ("One question.", False),  # the quiz has one question
        ("2 steps, a minute.", False),  # one question and the region
        ("Questions about your work.", False),
        ("Answer 1 question honestly.", False),
        ("Any one of these questions may be skipped.", False),
        ("Two more questions, then your result.", False),
    ],
)
def test_counts_of_questions_in_the_intro_must_match_the_quiz(intro, warned):
    warnings = content_warnings(draft(intro=intro))
    assert bool(warnings) is warned
    if warned:
        assert warnings[0].startswith(f"{WHERE_INTRO} says “")


def test_a_count_in_a_questions_own_text_is_checked_too():
    question = evidence("q1", advice="Do more.") | {"help": "The first of twelve questions."}
    assert content_warnings(draft(question)) == [
        MSG_COUNT_MISMATCH.format(
            where=WHERE_QUESTION.format(key="q1"),
            phrase="twelve questions",
            total=1,
            evidence=1,
            steps=2,
        )
    ]


def test_a_band_for_a_context_the_quiz_does_not_offer_is_named():
    content = draft()
    content["rungs"][1]["salary_bands"] = [
        {"region": "US", "currency": "USD", "min": 1, "max": 2, "context": "product"}
    ]
    assert content_warnings(content) == [MSG_BAND_CONTEXT.format(rung="senior", context="product")]
    content["questions"].append(
        {"key": "company", "text": "?", "role": "context", "options": [option("product", None)]}
    )
    assert content_warnings(content) == []


def test_the_shipped_quiz_has_no_content_warnings():
    # Its intro's "Nine questions about your work" counts its nine evidence questions.
    data = json.loads(SHIPPED_CONTENT.read_text(encoding="utf-8"))
    quiz, ladder = data["quizzes"][0], data["ladders"][0]
    snapshot = {**quiz, "ladder": ladder["slug"], "rungs": ladder["rungs"]}
    assert content_warnings(snapshot) == []


def test_warnings_need_the_confirmation_that_showed_them():
    checks = PublishChecks(errors=(), warnings=("a", "b"))
    assert checks.confirmed_by(checks.seen)
    assert not checks.confirmed_by("")
    assert not checks.confirmed_by(PublishChecks(errors=(), warnings=("a",)).seen)
    assert PublishChecks(errors=(), warnings=()).confirmed_by("")
    assert not PublishChecks(errors=("x",), warnings=()).publishable
