"""The placement engine against DESIGN.md's "Placement rule": database-free.

Quizzes here are built directly as QuizSpec values. The property tests generate
whole quizzes (1–6 rungs, weighted evidence questions, a threshold) and check
the rule's promises an editor relies on.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from quiz.placement import (
    CONTEXT,
    EVIDENCE,
    MSG_DUPLICATE_OPTION,
    MSG_MULTIPLE_EXPECTED,
    MSG_REQUIRED,
    MSG_SINGLE_EXPECTED,
    MSG_UNKNOWN_OPTION,
    MSG_UNKNOWN_QUESTION,
    SKILLS,
    TITLE,
    AnswerProblem,
    InvalidAnswers,
    OptionSpec,
    Placement,
    QuestionSpec,
    QuizSpec,
    RungSpec,
    clean_answers,
    place,
)

RUNGS = ("junior", "mid", "senior", "lead")


def make_spec(
    weights: Sequence[float] = (1, 1, 1),
    *,
    threshold: float = 0.6,
    rungs: Sequence[str] = RUNGS,
    required: Sequence[bool] | None = None,
    extras: bool = True,
) -> QuizSpec:
    """Evidence questions q1..qn, each with one option per rung keyed by rung slug.

    Extras: a `title` question (options keyed by rung slug), a `company` context
    question and an optional multiple-choice `skills` question.
    """
    rung_specs = tuple(
        RungSpec(slug=slug, order=order, title=slug.title(), question=f"{slug}?")
        for order, slug in enumerate(rungs, start=1)
    )
    if required is None:
        required = [True] * len(weights)
    questions = [
        QuestionSpec(
            key=f"q{number}",
            text=f"Question {number}?",
            role=EVIDENCE,
            weight=weight,
            required=is_required,
            advice=f"Advice {number}.",
            options=tuple(OptionSpec(key=slug, text=slug, rung=slug) for slug in rungs),
        )
        for number, (weight, is_required) in enumerate(zip(weights, required, strict=True), 1)
    ]
    if extras:
        questions += [
            QuestionSpec(
                key="title",
                text="Your title?",
                role=TITLE,
                options=tuple(OptionSpec(key=slug, text=slug, rung=slug) for slug in rungs),
            ),
            QuestionSpec(
                key="company",
                text="Where?",
                role=CONTEXT,
                options=(
                    OptionSpec(key="services", text="Services", note="Services caveat."),
                    OptionSpec(key="product", text="Product"),
                ),
            ),
            QuestionSpec(
                key="skills",
                text="Skills?",
                role=SKILLS,
                required=False,
                options=(
                    OptionSpec(key="py", text="Python", skill="Python"),
                    OptionSpec(key="sql", text="SQL", skill="SQL"),
                ),
            ),
        ]
    return QuizSpec(slug="t", threshold=threshold, rungs=rung_specs, questions=tuple(questions))


def evidence(*rungs: str | None, **extra: object) -> dict[str, object]:
    """Answers q1..qn at the given rungs (None leaves a question unanswered)."""
    answers: dict[str, object] = {
        f"q{number}": rung for number, rung in enumerate(rungs, 1) if rung is not None
    }
    answers.setdefault("title", "junior")
    answers.setdefault("company", "product")
    answers.update(extra)
    return answers


def problems_of(spec: QuizSpec, answers: dict[str, object]) -> tuple[AnswerProblem, ...]:
    with pytest.raises(InvalidAnswers) as excinfo:
        place(spec, answers)
    return excinfo.value.problems


# --- the rule, case by case -------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "answers", "expected_support"),
    [
        ((1, 1, 1, 1), ("junior", "mid", "senior", "lead"), (1, 0.75, 0.5, 0.25)),
        ((1, 1, 1, 1), ("lead", "lead", "junior", "junior"), (1, 0.5, 0.5, 0.5)),
        ((3, 1), ("senior", "junior"), (1, 0.75, 0.75, 0)),
        ((1, 2, 5), ("mid", "lead", "junior"), (1, 3 / 8, 2 / 8, 2 / 8)),
    ],
)
def test_support_is_the_share_of_weight_at_or_above_each_rung(weights, answers, expected_support):
    placement = place(make_spec(weights), evidence(*answers))
    assert dict(placement.support) == pytest.approx(dict(zip(RUNGS, expected_support, strict=True)))


@pytest.mark.parametrize(
    ("weights", "answers", "threshold", "expected"),
    [
        # 3 of 5 equal weights at senior: S(senior) = 0.6 exactly, which qualifies.
        ((1,) * 5, ("senior",) * 3 + ("junior",) * 2, 0.6, "senior"),
        # The same with weights whose float sum is not exact (0.1 * 3 != 0.3).
        ((0.1,) * 5, ("senior",) * 3 + ("junior",) * 2, 0.6, "senior"),
        # Just below: 3 of 5.01.
        ((1, 1, 1, 1, 1.01), ("senior",) * 3 + ("mid",) * 2, 0.6, "mid"),
        # S(senior) = 2/5 falls short; S(mid) = 3/5 reaches it.
        ((1,) * 5, ("senior", "senior", "mid", "junior", "junior"), 0.6, "mid"),
        ((1,) * 5, ("senior", "senior", "junior", "junior", "junior"), 0.6, "junior"),
        # A lower threshold lets 2 of 5 through.
        ((1,) * 5, ("senior", "senior", "junior", "junior", "junior"), 0.4, "senior"),
        # Threshold 1: every answer must be at or above the rung.
        ((1,) * 4, ("lead", "lead", "lead", "senior"), 1.0, "senior"),
        ((1,) * 4, ("lead",) * 4, 1.0, "lead"),
    ],
)
def test_placement_is_the_highest_rung_reaching_the_threshold(
    weights, answers, threshold, expected
):
    placement = place(make_spec(weights, threshold=threshold), evidence(*answers))
    assert placement.rung.slug == expected


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        # Same answers, different weights: the heavy question decides.
        ((1, 1, 1), "junior"),  # S(lead) = 1/3
        ((4, 1, 1), "lead"),  # S(lead) = 4/6
        ((1, 2, 2), "junior"),  # S(lead) = 1/5
    ],
)
def test_weights_change_the_outcome_as_the_rule_says(weights, expected):
    placement = place(make_spec(weights), evidence("lead", "junior", "junior"))
    assert placement.rung.slug == expected


def test_the_lowest_rung_always_qualifies():
    spec = make_spec((1, 1), threshold=1.0, required=(False, False))
    assert place(spec, evidence()).rung.slug == "junior"
    assert place(spec, evidence("junior", "lead")).rung.slug == "junior"


def test_a_single_rung_ladder_places_everyone_there_with_no_next_rung():
    spec = make_spec((1,), rungs=("only",), extras=False)
    placement = place(spec, {"q1": "only"})
    assert placement.rung.slug == "only"
    assert placement.next_rung is None
    assert placement.held_back == ()


@pytest.mark.parametrize("skipped", [None, ""])
def test_unanswered_optional_evidence_questions_are_left_out_of_the_total(skipped):
    # q3 (weight 10) is optional; counting it would drag S(senior) down to 2/12.
    spec = make_spec((1, 1, 10), required=(True, True, False))
    placement = place(spec, evidence("senior", "senior", q3=skipped))
    assert placement.rung.slug == "senior"
    assert placement.support["senior"] == pytest.approx(1.0)


def test_an_answered_optional_question_counts():
    spec = make_spec((1, 1, 10), required=(True, True, False))
    assert place(spec, evidence("senior", "senior", "junior")).rung.slug == "junior"


def test_rungs_are_taken_in_order_not_in_the_order_given():
    rungs = (
        RungSpec(slug="top", order=30, title="Top"),
        RungSpec(slug="bottom", order=10, title="Bottom"),
        RungSpec(slug="middle", order=20, title="Middle"),
    )
    question = QuestionSpec(
        key="q1",
        text="?",
        role=EVIDENCE,
        options=tuple(OptionSpec(key=r.slug, text=r.slug, rung=r.slug) for r in rungs),
    )
    spec = QuizSpec(slug="t", threshold=0.6, rungs=rungs, questions=(question,))
    placement = place(spec, {"q1": "middle"})
    assert placement.rung.slug == "middle"
    assert placement.next_rung is not None
    assert placement.next_rung.slug == "top"


# --- invalid answers ----------------------------------------------------------


def test_a_missing_required_answer_names_the_question():
    problems = problems_of(make_spec(), evidence("mid", None, "mid"))
    assert problems == (AnswerProblem(field="q2", message=MSG_REQUIRED),)


def test_every_problem_is_reported_at_once():
    problems = problems_of(make_spec(), {"q1": "nope", "q2": 3, "title": "junior"})
    assert {p.field for p in problems} == {"q1", "q2", "q3", "company"}


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"bogus": "mid"}, "bogus", MSG_UNKNOWN_QUESTION),
        ({"q1": "principal"}, "q1", MSG_UNKNOWN_OPTION.format(value="principal")),
        ({"company": "mid"}, "company", MSG_UNKNOWN_OPTION.format(value="mid")),
        ({"q1": ["mid"]}, "q1", MSG_SINGLE_EXPECTED),
        ({"q1": 2}, "q1", MSG_SINGLE_EXPECTED),
        ({"q1": {"key": "mid"}}, "q1", MSG_SINGLE_EXPECTED),
        ({"q1": True}, "q1", MSG_SINGLE_EXPECTED),
        ({"skills": 1}, "skills", MSG_MULTIPLE_EXPECTED),
        ({"skills": {"py": True}}, "skills", MSG_MULTIPLE_EXPECTED),
        ({"skills": ["py", 2]}, "skills", MSG_MULTIPLE_EXPECTED),
        ({"skills": ["py", "go"]}, "skills", MSG_UNKNOWN_OPTION.format(value="go")),
        ({"skills": ["py", "sql", "py"]}, "skills", MSG_DUPLICATE_OPTION.format(value="py")),
    ],
)
def test_bad_answers_are_reported_with_their_field(answers, field, message):
    problems = problems_of(make_spec(), evidence("mid", "mid", "mid") | answers)
    assert problems == (AnswerProblem(field=field, message=message),)


def test_invalid_answers_message_names_the_field():
    with pytest.raises(InvalidAnswers, match="q1: "):
        place(make_spec(), evidence("mid", "mid", "mid", q1=7))


def test_clean_answers_normalises_a_single_skill_string_to_a_list():
    cleaned = clean_answers(make_spec(), evidence("mid", "mid", "mid", skills="py"))
    assert cleaned["skills"] == ["py"]


# --- title, context and skills never place ------------------------------------


@pytest.mark.parametrize("title", RUNGS)
@pytest.mark.parametrize("company", ["services", "product"])
@pytest.mark.parametrize("skills", [[], ["py"], ["py", "sql"]])
def test_title_context_and_skills_answers_never_change_the_rung(title, company, skills):
    answers = evidence("mid", "senior", "mid", title=title, company=company, skills=skills)
    assert place(make_spec(), answers).rung.slug == "mid"


def test_context_and_skills_answers_are_carried_on_the_placement():
    placement = place(make_spec(), evidence("mid", "mid", "mid", company="services", skills=["py"]))
    assert placement.context["company"].note == "Services caveat."
    assert placement.skills_ticked == frozenset({"Python"})


@pytest.mark.parametrize(
    ("title", "answers", "steps"),
    [
        ("lead", ("mid", "mid", "mid"), 2),
        ("senior", ("mid", "mid", "mid"), 1),
        ("junior", ("senior", "senior", "senior"), -2),
    ],
)
def test_title_gap_steps_are_claimed_minus_placed(title, answers, steps):
    placement = place(make_spec(), evidence(*answers, title=title))
    assert placement.title_gap is not None
    assert placement.title_gap.claimed.slug == title
    assert placement.title_gap.placed.slug == placement.rung.slug
    assert placement.title_gap.steps == steps


def test_no_title_gap_when_title_matches_the_rung():
    placement = place(make_spec(), evidence("mid", "mid", "mid", title="mid"))
    assert placement.title_gap is None
    assert placement.claimed is not None
    assert placement.claimed.slug == "mid"


def test_no_title_gap_without_a_title_answer():
    spec = make_spec(extras=False)
    placement = place(spec, {"q1": "mid", "q2": "mid", "q3": "mid"})
    assert placement.title_gap is None
    assert placement.claimed is None


# --- explanation: shown_by, held_back, next rung ------------------------------


def test_held_back_lists_answers_below_the_next_rung_with_their_advice():
    # Placed at mid: S(mid) = 5/6, S(senior) = 2/6; next rung senior.
    spec = make_spec((1, 1, 1, 1, 2))
    placement = place(spec, evidence("lead", "senior", "mid", "junior", "mid"))
    assert placement.rung.slug == "mid"
    assert placement.next_rung is not None
    assert placement.next_rung.slug == "senior"
    held = [(e.question.key, e.rung.slug, e.question.advice) for e in placement.held_back]
    # Lowest rung first, heavier questions first within a rung.
    assert held == [
        ("q4", "junior", "Advice 4."),
        ("q5", "mid", "Advice 5."),
        ("q3", "mid", "Advice 3."),
    ]
    assert {e.question.key for e in placement.shown_by} == {"q1", "q2", "q3", "q5"}


def test_nothing_holds_back_at_the_top_rung():
    placement = place(make_spec(), evidence("lead", "lead", "mid"))
    assert placement.rung.slug == "lead"
    assert placement.next_rung is None
    assert placement.held_back == ()


# --- confidence -------------------------------------------------------------------


@pytest.mark.parametrize("rung", RUNGS)
def test_confidence_is_one_when_every_answer_agrees_and_all_are_answered(rung):
    placement = place(make_spec((1, 1, 1)), evidence(rung, rung, rung))
    assert placement.confidence == 1.0
    assert placement.confidence_label == "high"


def test_confidence_is_never_high_when_one_answer_would_change_the_rung():
    # All three agree, but the answer that counts three times alone holds Mid up.
    placement = place(make_spec((1, 2, 3)), evidence("mid", "mid", "mid"))
    assert placement.confidence == 1.0
    assert placement.confidence_label == "medium"
    [down] = placement.boundary.down
    assert down.answer.question.key == "q3"
    assert down.rung.slug == "junior"


def test_the_boundary_names_each_single_answer_that_would_move_the_placement_up():
    # 3 of 5 at Mid, 2 at Senior: one more at Senior (3 of 5 = 0.6) places Senior.
    placement = place(make_spec((1,) * 5), evidence("mid", "mid", "mid", "senior", "senior"))
    assert placement.rung.slug == "mid"
    assert [m.answer.question.key for m in placement.boundary.up] == ["q1", "q2", "q3"]
    assert {m.to.key for m in placement.boundary.up} == {"senior"}  # the smallest step up
    assert {m.rung.slug for m in placement.boundary.up} == {"senior"}
    assert placement.confidence_label != "high"


def test_no_boundary_when_no_single_answer_changes_the_rung():
    placement = place(make_spec((1,) * 5), evidence("mid", "mid", "mid", "mid", "junior"))
    assert placement.boundary.up == ()
    assert placement.boundary.down == ()


def test_scattered_answers_lower_confidence():
    agreeing = place(make_spec((1,) * 4), evidence("mid", "mid", "mid", "mid"))
    neighbours = place(make_spec((1,) * 4), evidence("mid", "mid", "mid", "senior"))
    scattered = place(make_spec((1,) * 4), evidence("junior", "mid", "lead", "lead"))
    assert agreeing.confidence > neighbours.confidence > scattered.confidence
    assert neighbours.confidence == pytest.approx(0.875)  # 3 agree, 1 half-agrees


def test_skipping_optional_questions_lowers_confidence_not_placement():
    spec = make_spec((1, 1, 2), required=(True, True, False))
    full = place(spec, evidence("mid", "mid", "mid"))
    skipped = place(spec, evidence("mid", "mid"))
    assert full.rung == skipped.rung
    assert full.confidence == 1.0
    assert skipped.confidence == pytest.approx(0.5)  # answered weight 2 of 4


def test_no_evidence_answered_gives_zero_confidence():
    spec = make_spec((1,), required=(False,))
    placement = place(spec, evidence())
    assert placement.confidence == 0.0
    assert placement.confidence_label == "low"


def _with_confidence(confidence: float) -> Placement:
    rung = RungSpec(slug="r", order=1, title="R")
    return Placement(
        rung=rung,
        next_rung=None,
        support={},
        shown_by=(),
        held_back=(),
        title_gap=None,
        claimed=None,
        confidence=confidence,
    )


@pytest.mark.parametrize(
    ("confidence", "label"),
    [(1.0, "high"), (0.75, "high"), (0.749, "medium"), (0.5, "medium"), (0.499, "low"), (0, "low")],
)
def test_confidence_label_thresholds(confidence, label):
    assert _with_confidence(confidence).confidence_label == label


# --- properties over generated quizzes ------------------------------------------

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

# Thresholds as the model allows them (Quiz.threshold validators: 0.01..1).
thresholds = st.floats(min_value=0.01, max_value=1.0, allow_nan=False)
float_weights = st.floats(min_value=0.01, max_value=100, allow_nan=False)


@st.composite
def quizzes(draw, weights=float_weights, threshold=thresholds) -> QuizSpec:
    """1–6 rungs with gappy orders, 1–8 evidence questions, one option per rung each."""
    rung_count = draw(st.integers(1, 6))
    orders = sorted(draw(st.sets(st.integers(1, 50), min_size=rung_count, max_size=rung_count)))
    rungs = tuple(RungSpec(slug=f"r{o}", order=o, title=f"Rung {o}") for o in orders)
    question_count = draw(st.integers(1, 8))
    questions = []
    for number in range(question_count):
        options = [OptionSpec(key=f"o{r.order}", text=r.title, rung=r.slug) for r in rungs]
        questions.append(
            QuestionSpec(
                key=f"q{number}",
                text=f"Question {number}",
                role=EVIDENCE,
                weight=draw(weights),
                required=draw(st.booleans()),
                advice=f"Advice {number}",
                options=tuple(draw(st.permutations(options))),
            )
        )
    # Rungs given shuffled: the engine must sort them itself.
    return QuizSpec(
        slug="generated",
        threshold=draw(threshold),
        rungs=tuple(draw(st.permutations(rungs))),
        questions=tuple(questions),
    )


@st.composite
def quiz_and_answers(draw, weights=float_weights, threshold=thresholds):
    """A quiz and valid answers: every required question answered, optional ones maybe."""
    spec = draw(quizzes(weights=weights, threshold=threshold))
    answers: dict[str, str] = {}
    for question in spec.questions:
        if question.required or draw(st.booleans()):
            answers[question.key] = draw(st.sampled_from(question.options)).key
    return spec, answers


def rung_of(spec: QuizSpec, question_key: str, option_key: str) -> RungSpec:
    question = spec.question(question_key)
    assert question is not None
    option = question.option(option_key)
    assert option is not None
    assert option.rung is not None
    return spec.rung(option.rung)


def reference_placement(spec: QuizSpec, answers: dict[str, str]) -> str:
    """DESIGN's rule written out in exact arithmetic, independently of the engine."""
    answered = [
        (Fraction(q.weight), rung_of(spec, q.key, answers[q.key]).order)
        for q in spec.questions
        if q.role == EVIDENCE and q.key in answers
    ]
    total = sum(weight for weight, _ in answered)
    placed = min(spec.rungs, key=lambda r: r.order)
    for rung in spec.rungs:
        if not total:
            break
        share = sum(weight for weight, order in answered if order >= rung.order) / total
        # The threshold as the editor typed it (0.1 means one tenth, not the float).
        if share >= Fraction(str(spec.threshold)) and rung.order > placed.order:
            placed = rung
    return placed.slug


@PROPERTY_SETTINGS
@given(data=st.data(), case=quiz_and_answers())
def test_property_raising_one_answer_never_lowers_the_placement(data, case):
    spec, answers = case
    assume(answers)
    before = place(spec, answers).rung
    key = data.draw(st.sampled_from(sorted(answers)))
    current = rung_of(spec, key, answers[key])
    question = spec.question(key)
    assert question is not None
    higher = [o for o in question.options if spec.rung(o.rung).order > current.order]
    if not higher:
        return
    raised = answers | {key: data.draw(st.sampled_from(higher)).key}
    assert place(spec, raised).rung.order >= before.order


@PROPERTY_SETTINGS
@given(data=st.data(), spec=quizzes())
def test_property_all_answers_at_one_rung_place_there(data, spec):
    rung = data.draw(st.sampled_from(spec.rungs))
    answers = {
        q.key: next(o.key for o in q.options if o.rung == rung.slug)
        for q in spec.questions
        if q.required or data.draw(st.booleans())
    }
    placement = place(spec, answers)
    if answers:
        assert placement.rung == rung
    else:
        assert placement.rung == spec.rungs[0]


# Weights in quarters and thresholds in hundredths are exact enough that the
# reference can use exact fractions without disagreeing on rounding.
exact_weights = st.integers(1, 40).map(lambda n: n / 4)
exact_thresholds = st.integers(1, 100).map(lambda n: n / 100)


@PROPERTY_SETTINGS
@given(case=quiz_and_answers(weights=exact_weights, threshold=exact_thresholds))
def test_property_placement_matches_the_rule_written_out(case):
    spec, answers = case
    placement = place(spec, answers)
    assert placement.rung.slug == reference_placement(spec, answers)


@PROPERTY_SETTINGS
@given(data=st.data(), case=quiz_and_answers())
def test_property_raising_the_threshold_never_raises_the_placement(data, case):
    spec, answers = case
    higher = data.draw(st.floats(min_value=spec.threshold, max_value=1.0, allow_nan=False))
    stricter = QuizSpec(
        slug=spec.slug, threshold=higher, rungs=spec.rungs, questions=spec.questions
    )
    assert place(stricter, answers).rung.order <= place(spec, answers).rung.order


@PROPERTY_SETTINGS
@given(case=quiz_and_answers())
def test_property_confidence_is_between_zero_and_one(case):
    spec, answers = case
    placement = place(spec, answers)
    assert 0.0 <= placement.confidence <= 1.0
    assert placement.confidence_label in ("high", "medium", "low")


@PROPERTY_SETTINGS
@given(case=quiz_and_answers())
def test_property_held_back_and_shown_by_split_around_the_placement(case):
    spec, answers = case
    placement = place(spec, answers)
    assert all(e.rung.order >= placement.rung.order for e in placement.shown_by)
    if placement.next_rung is None:
        assert placement.held_back == ()
    else:
        assert all(e.rung.order < placement.next_rung.order for e in placement.held_back)
        answered = {q.key for q in spec.questions if q.key in answers}
        below = {
            k for k in answered if rung_of(spec, k, answers[k]).order < placement.next_rung.order
        }
        assert {e.question.key for e in placement.held_back} == below


@PROPERTY_SETTINGS
@given(case=quiz_and_answers(weights=exact_weights, threshold=exact_thresholds))
def test_property_the_boundary_is_every_single_answer_change_that_moves_the_rung(case):
    """What the result says one answer would do is what placing that answer set does."""
    spec, answers = case
    placement = place(spec, answers)
    expected_up: dict[str, tuple[str, str]] = {}
    expected_down: dict[str, tuple[str, str]] = {}
    for key, chosen in answers.items():
        question = spec.question(key)
        assert question is not None
        by_order = sorted(question.options, key=lambda o: spec.rung(o.rung).order)
        for option in (o for o in by_order if o.key != chosen):
            moved = reference_placement(spec, answers | {key: option.key})
            order = spec.rung(moved).order
            if order > placement.rung.order:
                expected_up.setdefault(key, (option.key, moved))
            elif order < placement.rung.order:
                expected_down.setdefault(key, (option.key, moved))
    up = {m.answer.question.key: (m.to.key, m.rung.slug) for m in placement.boundary.up}
    down = {m.answer.question.key: (m.to.key, m.rung.slug) for m in placement.boundary.down}
    assert up == expected_up
    assert down == expected_down
