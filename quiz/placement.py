"""The placement engine: plain Python, no ORM, no requests.

Rule (DESIGN.md, "Placement rule"): for the answered evidence questions with
weights w, and rungs in ascending order,

    S(R) = (weight of answers whose rung order >= order(R)) / (total answered weight)

and the placement is the highest rung R with S(R) >= threshold. The lowest rung
always qualifies. Title, context and skills answers never move the placement.

Confidence (0..1) is defined here, for editors and partners alike, as

    confidence = agreement * coverage

- agreement: the share of answered evidence weight pointing exactly at the
  placed rung, plus half the share pointing at a rung directly above or below
  it. Every answer at the placed rung gives 1; answers scattered across the
  ladder give little.
- coverage: answered evidence weight / weight of all evidence questions, so
  skipping optional questions lowers confidence rather than the placement.

`confidence_label` turns it into words: high (>= 0.75), medium (>= 0.5), low;
never "high" at a boundary, that is when changing a single work answer to another
of its question's answers would change the rung (`boundary`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

EVIDENCE = "evidence"
TITLE = "title"
CONTEXT = "context"
SKILLS = "skills"
ROLES = (EVIDENCE, TITLE, CONTEXT, SKILLS)

# How a question is answered: one option key, or a list of them (skills questions).
SINGLE = "single"
MULTIPLE = "multiple"

# Float weights and thresholds: 3 answers of 5 must reach a 0.6 threshold.
EPSILON = 1e-9

MSG_UNKNOWN_QUESTION = "is not a question of this quiz"
MSG_UNKNOWN_OPTION = "{value!r} is not an option of this question"
MSG_REQUIRED = "this question is required"
MSG_SINGLE_EXPECTED = "expects one option key (a string)"
MSG_MULTIPLE_EXPECTED = "expects a list of option keys"
MSG_DUPLICATE_OPTION = "lists {value!r} more than once"


def kind_of(role: str) -> str:
    return MULTIPLE if role == SKILLS else SINGLE


@dataclass(frozen=True, kw_only=True)
class RungSpec:
    slug: str
    order: int
    title: str
    question: str = ""


@dataclass(frozen=True, kw_only=True)
class NoteSpec:
    """A context answer's note for some placements only (empty conditions: any)."""

    text: str
    placed: frozenset[str] = frozenset()  # rung slugs
    title: str | None = None  # "ahead", "level" or "behind": the title against the placement
    when: Mapping[str, object] = field(default_factory=dict, hash=False)  # ladder.conditions


@dataclass(frozen=True, kw_only=True)
class OptionSpec:
    key: str
    text: str
    rung: str | None = None
    skill: str | None = None
    note: str = ""
    notes: tuple[NoteSpec, ...] = ()
    advice: str = ""  # how this answer gets to the one a rung up
    years: tuple[int, int | None] | None = None
    # Evidence answers of a track (e.g. "I manage the people who do this"): counted for the
    # track they describe (quiz.guidance.track_of); with no rung, never evidence of a rung.
    track: str = ""


@dataclass(frozen=True, kw_only=True)
class QuestionSpec:
    key: str
    text: str
    role: str
    options: tuple[OptionSpec, ...]
    weight: float = 1.0
    required: bool = True
    advice: str = ""
    help: str = ""
    shuffle: bool = True  # evidence questions: answers in each visitor's own order (quiz.flow)
    dimension: str = ""  # evidence questions: the part of the ladder it reads (a profile)

    @property
    def kind(self) -> str:
        return kind_of(self.role)

    def option(self, key: str) -> OptionSpec | None:
        return self._options_by_key.get(key)

    @cached_property
    def _options_by_key(self) -> dict[str, OptionSpec]:
        # Asked dozens of times per placement; a spec lives as long as its version's process
        # copy. Reversed, so that the first of two options with one key is found, as in order.
        return {option.key: option for option in reversed(self.options)}


@dataclass(frozen=True, kw_only=True)
class QuizSpec:
    slug: str
    threshold: float
    rungs: tuple[RungSpec, ...]
    questions: tuple[QuestionSpec, ...]

    def __post_init__(self) -> None:
        if not self.rungs:
            raise ValueError("a quiz needs a ladder with at least one rung")
        if not 0 < self.threshold <= 1:
            raise ValueError("a threshold must be in (0, 1]")
        ordered = tuple(sorted(self.rungs, key=lambda r: r.order))
        object.__setattr__(self, "rungs", ordered)
        slugs = {rung.slug for rung in ordered}
        for question in self.questions:
            for option in question.options:
                if option.rung is not None and option.rung not in slugs:
                    raise ValueError(
                        f"option {option.key!r} of question {question.key!r} names rung "
                        f"{option.rung!r}, which the quiz's ladder does not have"
                    )

    def question(self, key: str) -> QuestionSpec | None:
        return self._questions_by_key.get(key)

    def rung(self, slug: str) -> RungSpec:
        """The rung with this slug; every option's rung is one (checked on creation)."""
        return self._rungs_by_slug[slug]

    # Asked dozens of times per placement: kept on the spec (the first of a key wins).
    @cached_property
    def _questions_by_key(self) -> dict[str, QuestionSpec]:
        return {question.key: question for question in reversed(self.questions)}

    @cached_property
    def _rungs_by_slug(self) -> dict[str, RungSpec]:
        return {rung.slug: rung for rung in reversed(self.rungs)}

    def rung_above(self, rung: RungSpec) -> RungSpec | None:
        return next((r for r in self.rungs if r.order > rung.order), None)


@dataclass(frozen=True, kw_only=True)
class AnswerProblem:
    field: str
    message: str


class InvalidAnswers(ValueError):
    """The answers do not fit the quiz; `problems` names each field."""

    def __init__(self, problems: Sequence[AnswerProblem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))


@dataclass(frozen=True, kw_only=True)
class EvidenceAnswer:
    question: QuestionSpec
    option: OptionSpec
    rung: RungSpec


@dataclass(frozen=True, kw_only=True)
class TitleGap:
    claimed: RungSpec
    placed: RungSpec

    @property
    def steps(self) -> int:
        """order(claimed) - order(placed): positive when the title runs ahead."""
        return self.claimed.order - self.placed.order


@dataclass(frozen=True, kw_only=True)
class Mover:
    """A single answer whose change to `to` would move the placement to `rung`."""

    answer: EvidenceAnswer
    to: OptionSpec
    rung: RungSpec


@dataclass(frozen=True, kw_only=True)
class Boundary:
    """How close the placement is to a line: the single answers that would cross it."""

    up: tuple[Mover, ...] = ()  # each alone would place the visitor on the next rung
    down: tuple[Mover, ...] = ()  # each alone would place them on a lower rung

    @property
    def at_boundary(self) -> bool:
        return bool(self.up or self.down)


@dataclass(frozen=True, kw_only=True)
class Placement:
    rung: RungSpec
    next_rung: RungSpec | None
    support: Mapping[str, float]
    shown_by: tuple[EvidenceAnswer, ...]
    held_back: tuple[EvidenceAnswer, ...]
    title_gap: TitleGap | None
    claimed: RungSpec | None
    confidence: float
    claimed_title: str = ""  # the title answer's own words
    context: Mapping[str, OptionSpec] = field(default_factory=dict)
    skills_ticked: frozenset[str] = frozenset()
    # Question key -> the option keys chosen (one, or several for skills): every answer.
    answered: Mapping[str, frozenset[str]] = field(default_factory=dict)
    boundary: Boundary = Boundary()
    evidence: tuple[EvidenceAnswer, ...] = ()  # every answer that counts, in quiz order

    @property
    def confidence_label(self) -> str:
        if self.confidence >= 0.75 and not self.boundary.at_boundary:
            return "high"
        if self.confidence >= 0.5:
            return "medium"
        return "low"


Answers = Mapping[str, object]


def clean_answers(quiz: QuizSpec, answers: Answers) -> dict[str, str | list[str]]:
    """Check answers against the quiz and return them normalised.

    Raises InvalidAnswers naming every problem at once, keyed by question key.
    """
    problems: list[AnswerProblem] = []
    cleaned: dict[str, str | list[str]] = {}
    for key, value in answers.items():
        question = quiz.question(str(key))
        if question is None:
            problems.append(AnswerProblem(field=str(key), message=MSG_UNKNOWN_QUESTION))
            continue
        if value is None:
            continue
        if question.kind == MULTIPLE:
            values = _as_key_list(question, value, problems)
            if values is not None:
                cleaned[question.key] = values
        elif value == "":
            continue
        elif not isinstance(value, str):
            problems.append(AnswerProblem(field=question.key, message=MSG_SINGLE_EXPECTED))
        elif question.option(value) is None:
            problems.append(
                AnswerProblem(field=question.key, message=MSG_UNKNOWN_OPTION.format(value=value))
            )
        else:
            cleaned[question.key] = value
    for question in quiz.questions:
        missing = not cleaned.get(question.key)
        already_reported = any(p.field == question.key for p in problems)
        if question.required and missing and not already_reported:
            problems.append(AnswerProblem(field=question.key, message=MSG_REQUIRED))
    if problems:
        raise InvalidAnswers(problems)
    return cleaned


def _as_key_list(
    question: QuestionSpec, value: object, problems: list[AnswerProblem]
) -> list[str] | None:
    if isinstance(value, str):
        value = [value] if value else []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        problems.append(AnswerProblem(field=question.key, message=MSG_MULTIPLE_EXPECTED))
        return None
    seen: list[str] = []
    for item in value:
        if question.option(item) is None:
            problems.append(
                AnswerProblem(field=question.key, message=MSG_UNKNOWN_OPTION.format(value=item))
            )
            return None
        if item in seen:
            problems.append(
                AnswerProblem(field=question.key, message=MSG_DUPLICATE_OPTION.format(value=item))
            )
            return None
        seen.append(item)
    return seen


def support_by_rung(quiz: QuizSpec, evidence: Sequence[EvidenceAnswer]) -> dict[str, float]:
    total = sum(e.question.weight for e in evidence)
    support: dict[str, float] = {}
    for rung in quiz.rungs:
        at_or_above = sum(e.question.weight for e in evidence if e.rung.order >= rung.order)
        support[rung.slug] = at_or_above / total if total else 0.0
    return support


def place(quiz: QuizSpec, answers: Answers) -> Placement:
    """Place a visitor. Answers map question key -> option key (list for skills)."""
    cleaned = clean_answers(quiz, answers)
    evidence: list[EvidenceAnswer] = []
    context: dict[str, OptionSpec] = {}
    skills: set[str] = set()
    claimed: RungSpec | None = None
    claimed_title = ""
    for question in quiz.questions:
        value = cleaned.get(question.key)
        if value is None:
            continue
        if question.role == SKILLS:
            for key in value:
                option = question.option(key)
                if option is not None and option.skill:
                    skills.add(option.skill)
            continue
        option = question.option(str(value))
        if option is None:
            continue
        if question.role == EVIDENCE and option.rung:
            evidence.append(
                EvidenceAnswer(question=question, option=option, rung=quiz.rung(option.rung))
            )
        elif question.role == TITLE and option.rung:
            claimed = quiz.rung(option.rung)
            claimed_title = option.text
        elif question.role == CONTEXT:
            context[question.key] = option

    support = support_by_rung(quiz, evidence)
    placed = _placed_by(quiz, support)
    next_rung = quiz.rung_above(placed)

    shown_by = tuple(e for e in evidence if e.rung.order >= placed.order)
    held_back: tuple[EvidenceAnswer, ...] = ()
    if next_rung is not None:
        held_back = tuple(
            sorted(
                (e for e in evidence if e.rung.order < next_rung.order),
                key=lambda e: (e.rung.order, -e.question.weight),
            )
        )

    gap = None
    if claimed is not None and claimed.order != placed.order:
        gap = TitleGap(claimed=claimed, placed=placed)

    return Placement(
        rung=placed,
        next_rung=next_rung,
        support=support,
        shown_by=shown_by,
        held_back=held_back,
        title_gap=gap,
        claimed=claimed,
        claimed_title=claimed_title,
        confidence=_confidence(quiz, evidence, placed),
        context=context,
        skills_ticked=frozenset(skills),
        answered={
            key: frozenset(value) if isinstance(value, list) else frozenset([value])
            for key, value in cleaned.items()
        },
        boundary=_boundary(quiz, evidence, placed),
        evidence=tuple(evidence),
    )


def _placed_by(quiz: QuizSpec, support: Mapping[str, float]) -> RungSpec:
    placed = quiz.rungs[0]
    for rung in quiz.rungs[1:]:
        if support[rung.slug] + EPSILON >= quiz.threshold:
            placed = rung
    return placed


def _boundary(quiz: QuizSpec, evidence: Sequence[EvidenceAnswer], placed: RungSpec) -> Boundary:
    """Every single-answer change (to another answer of the same question that names a
    rung) that would change the placement, by the same rule."""
    up: list[Mover] = []
    down: list[Mover] = []
    # The rule applied to each changed answer set, from the weights at or above each rung
    # less the one answer's and plus its change's (not a recount per change: every
    # placement asks this of each answer's every other option).
    total = sum(e.question.weight for e in evidence)
    at_or_above = [
        sum(e.question.weight for e in evidence if e.rung.order >= r.order) for r in quiz.rungs
    ]

    def placed_if(answer: EvidenceAnswer, to: RungSpec) -> RungSpec:
        weight, was = answer.question.weight, answer.rung.order
        moved = quiz.rungs[0]
        for rung, weights in zip(quiz.rungs[1:], at_or_above[1:], strict=True):
            changed = weights - (weight if was >= rung.order else 0)
            changed += weight if to.order >= rung.order else 0
            if total and changed / total + EPSILON >= quiz.threshold:
                moved = rung
        return moved

    for answer in evidence:
        options = [o for o in answer.question.options if o.rung and o.rung != answer.option.rung]
        for option in sorted(options, key=lambda o: quiz.rung(str(o.rung)).order):
            moved = placed_if(answer, quiz.rung(str(option.rung)))
            # Options in rung order: the smallest step up that crosses the line, once per
            # answer (and one step down that does).
            if moved.order > placed.order and not any(m.answer is answer for m in up):
                up.append(Mover(answer=answer, to=option, rung=moved))
            elif moved.order < placed.order and not any(m.answer is answer for m in down):
                down.append(Mover(answer=answer, to=option, rung=moved))
    return Boundary(up=tuple(up), down=tuple(down))


def _confidence(quiz: QuizSpec, evidence: Sequence[EvidenceAnswer], placed: RungSpec) -> float:
    answered = sum(e.question.weight for e in evidence)
    possible = sum(q.weight for q in quiz.questions if q.role == EVIDENCE)
    if not answered or not possible:
        return 0.0
    index = {r.slug: i for i, r in enumerate(quiz.rungs)}
    placed_index = index[placed.slug]
    agreeing = 0.0
    for e in evidence:
        distance = abs(index[e.rung.slug] - placed_index)
        if distance == 0:
            agreeing += e.question.weight
        elif distance == 1:
            agreeing += e.question.weight / 2
    return round((agreeing / answered) * (answered / possible), 3)
