"""What publishing a draft would put in front of visitors that an editor should know first.

Errors block publishing (quiz.versions.publish_problems: a question with no
answers, an answer naming a rung or skill the ladder does not have, ...).
Warnings do not block, but the editor confirms having seen them: the placement
map's (rungs the quiz cannot tell apart) and the content's own, which this
module finds in a draft's snapshot, plain data in and sentences out:

- an answer that can hold a visitor below the next rung with no advice to give;
- a ladder with no pay, so the region step offers only "Somewhere else";
- hand-written text counting questions ("Nine questions") that the quiz no longer has;
- a salary band for a context answer this quiz does not offer.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quiz.models import Quiz
from quiz.placement import CONTEXT, EVIDENCE
from quiz.progress import REGION_STEPS
from quiz.snapshots import snapshot
from quiz.versions import placement_map, publish_problems

MSG_QUESTION_NO_ADVICE = (
    "question {key!r} has no advice, nor has any of its answers: "
    "a visitor it holds below the next rung is told nothing about what to do"
)
MSG_ANSWER_NO_ADVICE = (
    "question {key!r}, answer {option!r} has no advice (nor has its question): "
    "a visitor who gives it is told nothing about what to do"
)
MSG_NO_PAY = (
    "ladder {ladder!r} has no salary bands: the region step offers only “Somewhere else” "
    "and no result shows pay"
)
MSG_COUNT_MISMATCH = (
    "{where} says “{phrase}”, but the quiz has {total} questions "
    "({evidence} about the work) and {steps} steps with the region"
)
MSG_BAND_CONTEXT = (
    "rung {rung!r} has a salary band for the context {context!r}, which no answer of this "
    "quiz has: nobody is shown it first"
)

WHERE_INTRO = "the intro"
WHERE_TITLE = "the title"
WHERE_QUESTION = "question {key!r}"

NUMBER_WORDS_IN_ORDER = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)
NUMBER_WORDS = {word: value for value, word in enumerate(NUMBER_WORDS_IN_ORDER)}
# A number (digits or a word), up to two words ("short", "quick"), then "question(s)";
# not "one of the questions" or "two more questions", which count something else.
COUNT_PHRASE = re.compile(
    r"\b(\d+|" + "|".join(NUMBER_WORDS) + r")\s+"
    r"(?:(?!(?:of|the|these|those|your|our|its|more|fewer|than|in)\b)[a-z-]+\s+){0,2}?"
    r"questions?\b",
    re.IGNORECASE,
)


def content_warnings(snapshot: Mapping[str, Any]) -> list[str]:
    """Everything in a draft's snapshot a visitor would stumble on; `[]` when none."""
    return [
        *_advice_warnings(snapshot),
        *_pay_warnings(snapshot),
        *_count_warnings(snapshot),
        *_band_context_warnings(snapshot),
    ]


def _advice_warnings(snapshot: Mapping[str, Any]) -> list[str]:
    rungs = [rung["slug"] for rung in sorted(snapshot["rungs"], key=lambda r: r["order"])]
    top = rungs[-1] if rungs else None
    warnings: list[str] = []
    for question in snapshot["questions"]:
        if question["role"] != EVIDENCE or question.get("advice"):
            continue
        # An answer at the top rung never holds anyone below it, nor does one that names no
        # rung (an answer for a track): neither needs advice.
        below_top = [o for o in question["options"] if o.get("rung") not in (top, None)]
        silent = [o for o in below_top if not o.get("advice")]
        if below_top and len(silent) == len(below_top):
            warnings.append(MSG_QUESTION_NO_ADVICE.format(key=question["key"]))
        else:
            warnings += [
                MSG_ANSWER_NO_ADVICE.format(key=question["key"], option=option["key"])
                for option in silent
            ]
    return warnings


def _pay_warnings(snapshot: Mapping[str, Any]) -> list[str]:
    if any(rung["salary_bands"] for rung in snapshot["rungs"]):
        return []
    return [MSG_NO_PAY.format(ladder=snapshot["ladder"])]


def question_counts(snapshot: Mapping[str, Any]) -> set[int]:
    """The counts a text may truthfully give: all questions, steps, or those of one role."""
    questions = snapshot["questions"]
    roles = Counter(question["role"] for question in questions)
    return {len(questions), len(questions) + REGION_STEPS, *roles.values()}


def _count_warnings(snapshot: Mapping[str, Any]) -> list[str]:
    texts = [(WHERE_TITLE, snapshot["title"]), (WHERE_INTRO, snapshot.get("intro", ""))]
    for question in snapshot["questions"]:
        where = WHERE_QUESTION.format(key=question["key"])
        texts += [(where, question["text"]), (where, question.get("help", ""))]
    truthful = question_counts(snapshot)
    total = len(snapshot["questions"])
    evidence = sum(1 for question in snapshot["questions"] if question["role"] == EVIDENCE)
    return [
        MSG_COUNT_MISMATCH.format(
            where=where,
            phrase=match.group(0),
            total=total,
            evidence=evidence,
            steps=total + REGION_STEPS,
        )
        for where, text in texts
        for match in COUNT_PHRASE.finditer(text or "")
        if _number(match.group(1)) not in truthful
    ]


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word.lower()]


def _band_context_warnings(snapshot: Mapping[str, Any]) -> list[str]:
    offered = {
        option["key"]
        for question in snapshot["questions"]
        if question["role"] == CONTEXT
        for option in question["options"]
    }
    return [
        MSG_BAND_CONTEXT.format(rung=rung["slug"], context=context)
        for rung in snapshot["rungs"]
        for context in dict.fromkeys(b["context"] for b in rung["salary_bands"] if b.get("context"))
        if context not in offered
    ]


@dataclass(frozen=True, kw_only=True)
class PublishChecks:
    """What the publish confirmation shows: errors block, warnings need a confirmation."""

    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def publishable(self) -> bool:
        return not self.errors

    @property
    def seen(self) -> str:
        """A short fingerprint of the warnings, posted back to say these were the ones read."""
        text = "\n".join(self.warnings)
        return hashlib.sha256(text.encode()).hexdigest()[:16] if self.warnings else ""

    def confirmed_by(self, posted: str) -> bool:
        """Whether a confirmation that read warnings `posted` covers these warnings."""
        return not self.warnings or posted == self.seen


def checks_for(quiz: Quiz) -> PublishChecks:
    """The errors and warnings of a quiz's saved draft."""
    return PublishChecks(
        errors=tuple(publish_problems(quiz)),
        warnings=(*placement_map(quiz).warnings, *content_warnings(snapshot(quiz))),
    )
