"""Rules about a quiz's content, each written once and asked by every place that edits it.

The admin (Option.clean and the option formset), the content importer and
publishing all call these functions, so an editor hears the same sentence
whichever way the content arrived. They take plain values (slugs and names),
not model instances, because the importer checks a file before any row exists.
Callers add where the problem is (a form field, a file path, a question key).
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

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

RUNG = "rung"
SKILL = "skill"


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
) -> list[Problem]:
    """An option names a rung (evidence, title) or a skill (skills) of its quiz's own ladder.

    `rung_ladder` is the ladder the named rung belongs to (None when no ladder
    has it); `ladder_skills` the skill names the quiz's ladder lists, or None
    when they are not known yet and so cannot be checked.
    """
    problems: list[Problem] = []
    if role in RUNG_ROLES:
        if not rung:
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
    return problems


def as_sentence(message: str) -> str:
    """A rule's message as a form shows it: capitalised, with a full stop."""
    return message[:1].upper() + message[1:] + "."
