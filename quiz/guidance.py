"""What a result says beside the placement, fitted to the answers that were given.

- advice: for each answer that held the visitor below the next rung, what that
  question's answer looks like one rung up and how to get there. Advice belongs
  to the chosen option (its `advice`), so it never repeats what the visitor
  already does, and it never aims beyond the next rung;
- notes: a context answer's note chosen for this placement, title and the
  visitor's other answers (`when`, ladder.conditions), so no note contradicts them;
- facts and track: what a condition on result text is checked against;
- years: the years of experience given, beside the rung's typical years;
- the rule in plain words: how many answers reach this rung and the next.

Plain Python over the engine's values (quiz.placement), like the engine itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ladder.conditions import Facts, applies
from quiz.documents import LadderNote, ResultNote
from quiz.placement import (
    EPSILON,
    EVIDENCE,
    EvidenceAnswer,
    OptionSpec,
    Placement,
    QuestionSpec,
    QuizSpec,
    RungSpec,
)
from quiz.rules import TITLE_AHEAD, TITLE_BEHIND, TITLE_LEVEL

Years = tuple[int, int | None]  # [from, to); None: open-ended


@dataclass(frozen=True, kw_only=True)
class Advice:
    answer: EvidenceAnswer
    target: OptionSpec | None  # the question's answer one rung up, when it has one
    target_rung: RungSpec | None
    text: str  # how to get there


def advice_for(spec: QuizSpec, placement: Placement, facts: Facts | None = None) -> list[Advice]:
    """Advice for each answer below the next rung, weakest first (as placement orders them).

    An evidence answer's `notes` are variants of its advice for some visitors (e.g.
    `{"when": {"track": ["staff"]}}`): the first whose condition holds replaces it.
    """
    return [_advice(spec, placement, answer, facts) for answer in placement.held_back]


def below_top_advice(
    spec: QuizSpec, placement: Placement, facts: Facts | None = None
) -> list[Advice]:
    """At the top rung nothing holds the visitor below a next rung; the answers under the
    top still have their step one rung up, which rounds out their placement."""
    if placement.next_rung is not None:
        return []
    below = [e for e in placement.evidence if e.rung.order < placement.rung.order]
    return [_advice(spec, placement, answer, facts) for answer in below]


def answer_at(question: QuestionSpec, rung: str, track: str) -> OptionSpec | None:
    """The question's answer at `rung`: the one for the visitor's own track where it has
    one (a staff-track engineer is shown the staff answer, not "frame it for others")."""
    return min(
        (o for o in question.options if o.rung == rung),
        key=lambda o: o.track != track,
        default=None,
    )


def _advice(
    spec: QuizSpec, placement: Placement, answer: EvidenceAnswer, facts: Facts | None = None
) -> Advice:
    ceiling = placement.next_rung.order if placement.next_rung else placement.rung.order
    above = [
        spec.rung(option.rung)
        for option in answer.question.options
        if option.rung and answer.rung.order < spec.rung(option.rung).order <= ceiling
    ]
    target: OptionSpec | None = None
    rung: RungSpec | None = None
    if above:
        # The nearest rung up, and its answer for the visitor's own track.
        rung = min(above, key=lambda r: r.order)
        target = answer_at(answer.question, rung.slug, facts.track if facts is not None else "")
    # An option's own advice is written for the step from it; older content only has the
    # question's, which is shown as it was.
    fitted = next(
        (
            note.text
            for note in answer.option.notes
            if facts is not None and note.when and applies(note.when, facts)
        ),
        "",
    )
    return Advice(
        answer=answer,
        target=target,
        target_rung=rung,
        text=fitted or answer.option.advice or answer.question.advice,
    )


def title_relation(placement: Placement) -> str | None:
    """How the title the visitor holds compares with the placement; None if not asked."""
    if placement.claimed is None:
        return None
    if placement.claimed.order > placement.rung.order:
        return TITLE_AHEAD
    if placement.claimed.order < placement.rung.order:
        return TITLE_BEHIND
    return TITLE_LEVEL


# A visitor is on a track when at least this many work answers name it.
TRACK_MIN_ANSWERS = 2
NO_TRACK = "none"  # an honest answer that counts for no rung and no track


def track_of(spec: QuizSpec, placement: Placement) -> str:
    """The track most of the visitor's work answers name (at least TRACK_MIN_ANSWERS of
    them; a tie goes to the track named first in the quiz), or "" for none."""
    counts: dict[str, int] = {}
    for question in spec.questions:
        if question.role != EVIDENCE:
            continue
        for key in sorted(placement.answered.get(question.key, ())):
            option = question.option(key)
            if option is not None and option.track and option.track != NO_TRACK:
                counts[option.track] = counts.get(option.track, 0) + 1
    best = max(counts.items(), key=lambda item: item[1], default=("", 0))
    return best[0] if best[1] >= TRACK_MIN_ANSWERS else ""


def facts_for(spec: QuizSpec, placement: Placement, *, region: str) -> Facts:
    """What conditions on result text (ladder.conditions) are checked against."""
    return Facts(
        placed=placement.rung.slug,
        title=title_relation(placement),
        region=region,
        answers=placement.answered,
        skills=placement.skills_ticked,
        track=track_of(spec, placement),
    )


def track_note(notes: Iterable[LadderNote], facts: Facts) -> ResultNote | None:
    """The ladder's `track` note written for the track the visitor is on (its `when` names
    the track and holds), shown with the placement; None off every track."""
    if not facts.track:
        return None
    for note in notes:
        if note.kind == "track" and note.when and applies(note.when, facts):
            return ResultNote(key=note.key, title=note.title, body=note.body, source=note.source)
    return None


def note_for(option: OptionSpec, placement: Placement, facts: Facts | None = None) -> str:
    """The option's first conditional note that fits this placement, title and (given
    `facts`) the visitor's other answers; else its note."""
    relation = title_relation(placement)
    for note in option.notes:
        if note.placed and placement.rung.slug not in note.placed:
            continue
        if note.title is not None and note.title != relation:
            continue
        if note.when and (facts is None or not applies(note.when, facts)):
            continue
        return note.text
    return option.note


@dataclass(frozen=True, kw_only=True)
class YearsBeside:
    given: Years
    typical: Years
    comparison: str  # "fewer", "within" or "more"


def years_beside(given: Years, typical_from: int | None, typical_to: int | None) -> YearsBeside:
    """The years given against the rung's typical years, as half-open ranges [from, to)."""
    typical: Years = (typical_from or 0, typical_to)
    low, high = given
    if typical[1] is not None and low >= typical[1]:
        comparison = "more"
    elif high is not None and high <= typical[0]:
        comparison = "fewer"
    else:
        comparison = "within"
    return YearsBeside(given=given, typical=typical, comparison=comparison)


@dataclass(frozen=True, kw_only=True)
class WhyInNumbers:
    """The placement rule for this visitor, in counts of answers a person can check."""

    total: float  # answered work questions, by weight
    here: float  # of them at the placed rung or above
    above: float  # at the next rung or above
    needed: float  # what the next rung needs
    weighted: bool  # some questions count more than once
    # The same, counting each answer once: what a reader counts in the lists on the page.
    answers: int = 0
    answers_here: int = 0
    answers_above: int = 0
    # The answered questions that count more than once, as (question text, weight).
    counted_more: tuple[tuple[str, float], ...] = ()
    threshold: float = 0.0


def why_in_numbers(spec: QuizSpec, placement: Placement) -> WhyInNumbers:
    # Every answer that counts; at the top of the ladder none is "held back", but those
    # below the top still count.
    answers = list(placement.evidence) or [*placement.shown_by, *below_placement(placement)]
    total = sum(a.question.weight for a in answers)
    here = [a for a in answers if a.rung.order >= placement.rung.order]
    above: list[EvidenceAnswer] = []
    if placement.next_rung is not None:
        above = [a for a in answers if a.rung.order >= placement.next_rung.order]
    weights = {q.weight for q in spec.questions if q.role == EVIDENCE}
    return WhyInNumbers(
        total=total,
        here=sum(a.question.weight for a in here),
        above=sum(a.question.weight for a in above),
        needed=math.ceil(spec.threshold * total - EPSILON),
        weighted=len(weights) > 1 or weights - {1.0} != set(),
        answers=len(answers),
        answers_here=len(here),
        answers_above=len(above),
        counted_more=tuple(
            (a.question.text, a.question.weight) for a in answers if a.question.weight != 1
        ),
        threshold=spec.threshold,
    )


def below_placement(placement: Placement) -> list[EvidenceAnswer]:
    """The answers that held the visitor back at a rung under the one they were placed on."""
    return [a for a in placement.held_back if a.rung.order < placement.rung.order]


def context_notes(placement: Placement, facts: Facts | None = None) -> Mapping[str, str]:
    """Question key -> the note its context answer shows for this placement (non-empty only)."""
    chosen = {key: note_for(option, placement, facts) for key, option in placement.context.items()}
    return {key: text for key, text in chosen.items() if text}


@dataclass(frozen=True, kw_only=True)
class DimensionRung:
    """Where the answers of one dimension sit, by the placement rule applied to them alone."""

    dimension: str
    rung: RungSpec | None  # None: every answer given there counts for no rung
    answers: int


def profile(spec: QuizSpec, placement: Placement) -> list[DimensionRung]:
    """Per dimension answered (in the order its first question comes), the highest rung R
    whose share of that dimension's answer weight at R or above reaches the quiz's
    threshold; no rung where every answer there counts for none (e.g. "I manage the people
    who do this"), so a manager's profile says what it does not measure."""
    by_dimension: dict[str, list[EvidenceAnswer]] = {}
    for question in spec.questions:
        if question.role == EVIDENCE and question.dimension and question.key in placement.answered:
            by_dimension.setdefault(question.dimension, [])
    for answer in placement.evidence:
        if answer.question.dimension:
            by_dimension[answer.question.dimension].append(answer)
    rows = []
    for dimension, answers in by_dimension.items():
        if not answers:
            rows.append(DimensionRung(dimension=dimension, rung=None, answers=0))
            continue
        total = sum(a.question.weight for a in answers)
        reached = spec.rungs[0]
        for rung in spec.rungs[1:]:
            share = sum(a.question.weight for a in answers if a.rung.order >= rung.order) / total
            if share + EPSILON >= spec.threshold:
                reached = rung
        rows.append(DimensionRung(dimension=dimension, rung=reached, answers=len(answers)))
    return rows
