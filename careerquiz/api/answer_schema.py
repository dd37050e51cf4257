"""The schema's `answers`: exactly the question and option keys the published quizzes take.

A placement's answers depend on the quiz, so a static schema could only say
"any key, any string", and the API then refused most of what it allowed (a
schema-valid body with an unknown question key is a 400). This drf-spectacular
post-processing hook writes the live versions' questions into the schema each
time it is built: each question key with its options as an enum (a list of
them for a multiple-choice question), required questions required, nothing
else allowed. With several quizzes published the object is their union, and
each quiz still takes only its own questions (the description says so).
Without a database to read (a schema generated at build time), the generic
`answers` stays.
"""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError

from careerquiz.api.queries import published_quiz, published_quizzes
from quiz.placement import MULTIPLE, QuestionSpec, QuizSpec
from quiz.versions import spec_for

DESCRIPTION = (
    "Question key → option key (→ a list of option keys for a multiple-choice question), "
    "for the questions of the quiz at this path; GET the quiz for its keys. An empty string, "
    "an empty list or null leaves an optional question unanswered. Listed here: {quizzes}."
)


def published_answers(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    request_schema = result.get("components", {}).get("schemas", {}).get("PlacementRequest")
    if request_schema is None:
        return result
    try:
        specs = [spec_for(published_quiz(quiz.slug)) for quiz in published_quizzes()]
    except (DatabaseError, RuntimeError):  # no database here (RuntimeError: one refused)
        return result
    request_schema["properties"]["answers"] = answers_schema(specs)
    return result


def answers_schema(specs: list[QuizSpec]) -> dict[str, Any]:
    properties: dict[str, dict[str, Any]] = {}
    required: set[str] | None = None
    for spec in specs:
        for question in spec.questions:
            properties[question.key] = _merged(properties.get(question.key), _answer(question))
        own = {question.key for question in spec.questions if question.required}
        required = own if required is None else required & own
    names = ", ".join(f"`{spec.slug}`" for spec in specs) or "no quiz is published"
    schema: dict[str, Any] = {
        "type": "object",
        "description": DESCRIPTION.format(quizzes=names),
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = sorted(required)
    return schema


def _answer(question: QuestionSpec) -> dict[str, Any]:
    keys = [option.key for option in question.options]
    if question.kind == MULTIPLE:
        answer: dict[str, Any] = {
            "type": "array",
            "items": {"type": "string", "enum": keys},
            "uniqueItems": True,
        }
        if question.required:
            answer["minItems"] = 1
    else:
        answer = {"type": "string", "enum": keys if question.required else [*keys, ""]}
    if not question.required:
        answer["nullable"] = True
    answer["description"] = question.text
    return answer


def _merged(known: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """One question key in two quizzes: either quiz's answers (the API checks which)."""
    if known is None or known == new:
        return new
    return {"anyOf": [*known.get("anyOf", [known]), new]}
