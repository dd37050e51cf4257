"""Rules about a quiz's content, each written once and asked by every place that edits it.

The admin (Option.clean and the option formset), the content importer and
publishing all call these functions, so an editor hears the same sentence
whichever way the content arrived. They take plain values (slugs and names),
not model instances, because the importer checks a file before any row exists.
Callers add where the problem is (a form field, a file path, a question key).
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass

from ladder.conditions import when_problem
from ladder.money import out_of_order
from quiz.placement import EVIDENCE, SKILLS, TITLE

# Roles whose options name the rung their answer shows.
RUNG_ROLES = (EVIDENCE, TITLE)

MSG_NEEDS_RUNG = "an option of a {role} question must name a rung"
MSG_NO_RUNG = "an option of a {role} question must not name a rung"
MSG_UNKNOWN_RUNG = "ladder {ladder!r} has no rung {rung!r}"
MSG_FOREIGN_RUNG = "{rung!r} is a rung of ladder {other!r}, not of this quiz's ladder {ladder!r}"
MSG_NEEDS_SKILL = "an option of a skills question must name a skill"
MSG_UNKNOWN_SKILL = "no rung of ladder {ladder!r} lists the skill {skill!r}"
MSG_NO_OPTIONS = "a question needs at least one option"
MSG_NO_EVIDENCE = "a quiz needs at least one evidence question to place anyone"
MSG_NO_RUNGS = "ladder {ladder!r} has no rungs to place anyone on"
MSG_NOTES_SHAPE = (
    'must be a list of {{"text": ..., "placed": [rung slugs], "title": "ahead", "level" '
    'or "behind", "when": {{...}}}}, placed, title and when optional'
)
MSG_NOTE_UNKNOWN_RUNG = "a note is for rung {rung!r}, which ladder {ladder!r} does not have"
MSG_ANSWER_YEARS = "years must be [min, max] or [min, null], whole numbers with min <= max"

# When a conditional note applies, by how the visitor's title compares with the placement.
TITLE_AHEAD, TITLE_LEVEL, TITLE_BEHIND = "ahead", "level", "behind"
TITLE_GAPS = (TITLE_AHEAD, TITLE_LEVEL, TITLE_BEHIND)
NOTE_FIELDS = ("text", "placed", "title", "when")  # in the order a content file writes them
NOTE_KEYS = frozenset(NOTE_FIELDS)

RUNG = "rung"
SKILL = "skill"
NOTES = "notes"


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One broken rule: the option field at fault (`rung` or `skill`) and what is wrong."""

    field: str
    message: str


def option_target_problems(
    *,
    role: str,
    ladder: str,
    rung: str | None,
    rung_ladder: str | None,
    skill: str,
    ladder_skills: Container[str] | None,
    note_rungs: Iterable[str] = (),
    ladder_rungs: Container[str] | None = None,
    track: str = "",
) -> list[Problem]:
    """An option names a rung (evidence, title) or a skill (skills) of its quiz's own ladder,
    and its conditional notes are for rungs of that ladder.

    `rung_ladder` is the ladder the named rung belongs to (None when no ladder
    has it); `ladder_skills` and `ladder_rungs` what the quiz's ladder lists, or
    None when they are not known yet and so cannot be checked.
    """
    problems: list[Problem] = []
    if role in RUNG_ROLES:
        if not rung and role == EVIDENCE and track:
            pass  # an answer for a track ("I manage the people who do this"): no rung
        elif not rung:
            problems.append(Problem(field=RUNG, message=MSG_NEEDS_RUNG.format(role=role)))
        elif rung_ladder is None:
            problems.append(
                Problem(field=RUNG, message=MSG_UNKNOWN_RUNG.format(ladder=ladder, rung=rung))
            )
        elif rung_ladder != ladder:
            message = MSG_FOREIGN_RUNG.format(rung=rung, other=rung_ladder, ladder=ladder)
            problems.append(Problem(field=RUNG, message=message))
    elif rung:
        problems.append(Problem(field=RUNG, message=MSG_NO_RUNG.format(role=role)))
    if role == SKILLS:
        if not skill:
            problems.append(Problem(field=SKILL, message=MSG_NEEDS_SKILL))
        elif ladder_skills is not None and skill not in ladder_skills:
            message = MSG_UNKNOWN_SKILL.format(ladder=ladder, skill=skill)
            problems.append(Problem(field=SKILL, message=message))
    if ladder_rungs is not None:
        problems += [
            Problem(field=NOTES, message=MSG_NOTE_UNKNOWN_RUNG.format(rung=slug, ladder=ladder))
            for slug in note_rungs
            if slug not in ladder_rungs
        ]
    return problems


def placed_rungs(notes: object) -> list[str]:
    """The rung slugs well-formed conditional notes are for (notes_problem checks the form)."""
    if not isinstance(notes, list):
        return []
    return [
        slug
        for note in notes
        if isinstance(note, dict) and isinstance(note.get("placed"), list)
        for slug in note["placed"]
        if isinstance(slug, str)
    ]


def notes_problem(value: object) -> str | None:
    """Conditional notes of a context option: a list of {text, placed?, title?}."""
    if not isinstance(value, list):
        return MSG_NOTES_SHAPE
    for note in value:
        if (
            not isinstance(note, dict)
            or not set(note) <= NOTE_KEYS
            or not isinstance(note.get("text"), str)
            or not note["text"].strip()
            or not isinstance(note.get("placed", []), list)
            or not all(isinstance(slug, str) and slug for slug in note.get("placed", []))
            or note.get("title", TITLE_LEVEL) not in TITLE_GAPS
            or when_problem(note.get("when", {})) is not None
        ):
            return MSG_NOTES_SHAPE
    return None


def years_problem(low: object, high: object) -> str | None:
    """An answer's years of experience: whole numbers from 0 to 60, min <= max, max open."""

    def whole(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 60

    if not isinstance(low, int) or not whole(low) or not (high is None or whole(high)):
        return MSG_ANSWER_YEARS
    if out_of_order(low, high if isinstance(high, int) else None):  # as for rungs and pay
        return MSG_ANSWER_YEARS
    return None


def as_sentence(message: str) -> str:
    """A rule's message as a form shows it: capitalised, with a full stop."""
    return message[:1].upper() + message[1:] + "."


# --- What the quiz can tell apart (warnings: they do not stop publishing) ---------------

MSG_RUNG_UNREACHED = "no work answer is at rung {rung!r}, so nobody can be placed there"
MSG_QUESTION_SKIPS = (
    "question {key!r} has answers at {low!r} and {high!r} but none at {missing}: "
    "people between them must pick an answer that is not theirs"
)
MSG_NO_LOWEST_ANSWER = (
    "required question {key!r} has no answer at the lowest rung {rung!r}: "
    "someone on it cannot answer honestly"
)


@dataclass(frozen=True, kw_only=True)
class EvidenceQuestion:
    """An evidence question as the placement map sees it: which rungs its answers name."""

    key: str
    required: bool
    rungs: tuple[str, ...]  # the rung slug of each option, in option order


def placement_warnings(rungs: list[str], questions: list[EvidenceQuestion]) -> list[str]:
    """What stops the quiz telling rungs apart; `rungs` lowest first."""
    warnings: list[str] = []
    reached = {rung for question in questions for rung in question.rungs}
    warnings += [MSG_RUNG_UNREACHED.format(rung=rung) for rung in rungs if rung not in reached]
    for question in questions:
        orders = sorted({rungs.index(r) for r in question.rungs if r in rungs})
        if orders:
            missing = [rungs[o] for o in range(orders[0], orders[-1] + 1) if o not in orders]
            if missing:
                warnings.append(
                    MSG_QUESTION_SKIPS.format(
                        key=question.key,
                        low=rungs[orders[0]],
                        high=rungs[orders[-1]],
                        missing=", ".join(repr(m) for m in missing),
                    )
                )
        if question.required and rungs and rungs[0] not in question.rungs:
            warnings.append(MSG_NO_LOWEST_ANSWER.format(key=question.key, rung=rungs[0]))
    return warnings
