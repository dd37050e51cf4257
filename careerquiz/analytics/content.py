"""What the figures are labelled with: the quiz's published questions and its ladder's rungs.

Attempts store keys (question keys, rung orders); the words come from here, in
one query each. Questions come from the quiz's published versions, newest
first: what visitors were asked, in the wording they saw last. Rungs come from
the quiz's ladder as it is today, keyed by order (what the engine places by),
so a renamed rung shows its new title over every result, older ones included;
an order the ladder no longer has is shown as "Rung N".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models.fields.json import KeyTransform

from ladder.models import Rung
from quiz.attempts import evidence_keys, split_question
from quiz.documents import load_questions
from quiz.models import Quiz, QuizVersion

# The step after the questions. The colon keeps it apart from any question key (a slug).
REGION = ":region"
REGION_LABEL = "Country (for salary bands)"


@dataclass(frozen=True, kw_only=True)
class Question:
    key: str
    text: str
    role: str
    options: tuple[tuple[str, str], ...] = ()  # (key, text)


@dataclass(frozen=True, kw_only=True)
class Version:
    pk: int
    number: int
    questions: tuple[Question, ...]

    @property
    def steps(self) -> tuple[str, ...]:
        """The keys of the steps a visitor goes through, in order (quiz.flow)."""
        return (*(question.key for question in self.questions), REGION)

    @property
    def evidence(self) -> tuple[str, ...]:
        """The evidence questions' keys, in the order of the bits of an attempt's masks."""
        return tuple(evidence_keys(self.questions))


@dataclass(frozen=True, kw_only=True)
class Published:
    """What a quiz's published versions asked, newest first."""

    versions: tuple[Version, ...]

    @classmethod
    def of(cls, quiz: Quiz) -> Published:
        """Every version of the quiz: one query."""
        rows = (
            QuizVersion.objects.filter(quiz_id=quiz.pk)
            .order_by("-number")
            # Only the questions (and their schema) of snapshots that also hold the ladder.
            .values_list(
                "pk",
                "number",
                KeyTransform("questions", "snapshot"),
                KeyTransform("schema_version", "snapshot"),
            )
        )
        return cls(
            versions=tuple(
                Version(pk=pk, number=number, questions=_questions(questions, schema or 1))
                for pk, number, questions, schema in rows
            )
        )

    def version(self, number: int) -> Version | None:
        return next((v for v in self.versions if v.number == number), None)

    def question(self, key: str) -> Question | None:
        """The question with this key in the newest version that asks it."""
        for version in self.versions:
            for question in version.questions:
                if question.key == key:
                    return question
        return None

    def split_question(self) -> Question | None:
        """The newest version's first context question (in the shipped quiz, where people
        work): title gaps are split by its answer (Attempt.context_answer)."""
        return split_question(self.versions[0].questions if self.versions else ())

    def step_label(self, key: str) -> str:
        if key == REGION:
            return REGION_LABEL
        question = self.question(key)
        return question.text if question else key


def _questions(frozen: Sequence[Mapping[str, Any]] | None, schema: int) -> tuple[Question, ...]:
    return tuple(
        Question(
            key=item.key,
            text=item.text,
            role=item.role,
            options=tuple((option.key, option.text) for option in item.options),
        )
        for item in load_questions(frozen or (), schema_version=schema)
    )


@dataclass(frozen=True, kw_only=True)
class RungLabel:
    order: int
    title: str


def rungs_of(quiz: Quiz) -> tuple[RungLabel, ...]:
    """The quiz's ladder's rungs today, lowest first: one query."""
    rows = Rung.objects.filter(ladder_id=quiz.ladder_id).order_by("order")
    return tuple(RungLabel(order=o, title=t) for o, t in rows.values_list("order", "title"))


def with_orders(rungs: Sequence[RungLabel], orders: Sequence[int]) -> tuple[RungLabel, ...]:
    """The rungs, plus a "Rung N" for each order in `orders` the ladder no longer has."""
    known = {rung.order for rung in rungs}
    missing = [RungLabel(order=o, title=f"Rung {o}") for o in set(orders) - known]
    return tuple(sorted([*rungs, *missing], key=lambda rung: rung.order))
