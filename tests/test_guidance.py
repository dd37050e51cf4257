"""What a result says beside the placement fits the answers: advice, notes, years, numbers."""

from __future__ import annotations

import itertools

import pytest

from quiz import guidance
from quiz.placement import (
    CONTEXT,
    EVIDENCE,
    TITLE,
    NoteSpec,
    OptionSpec,
    QuestionSpec,
    QuizSpec,
    RungSpec,
    place,
)
from quiz.rules import TITLE_AHEAD, TITLE_BEHIND, TITLE_LEVEL

RUNGS = tuple(
    RungSpec(slug=slug, order=order, title=slug.title())
    for order, slug in enumerate(("junior", "mid", "senior", "lead"), start=1)
)


def evidence(
    key: str, rungs: tuple[str, ...] = ("junior", "mid", "senior", "lead")
) -> QuestionSpec:
    return QuestionSpec(
        key=key,
        text=f"{key}?",
        role=EVIDENCE,
        options=tuple(
            OptionSpec(key=slug, text=f"{key} at {slug}", rung=slug, advice=f"From {slug} up.")
            for slug in rungs
        ),
    )


def spec(*questions: QuestionSpec) -> QuizSpec:
    title = QuestionSpec(
        key="title",
        text="Title?",
        role=TITLE,
        required=False,
        options=tuple(OptionSpec(key=r.slug, text=f"{r.title} title", rung=r.slug) for r in RUNGS),
    )
    return QuizSpec(slug="q", threshold=0.6, rungs=RUNGS, questions=(*questions, title))


# --- Advice ---------------------------------------------------------------------------


def test_advice_shows_the_answer_one_rung_up_and_its_own_step():
    quiz = spec(evidence("a"), evidence("b"), evidence("c"))
    placement = place(quiz, {"a": "mid", "b": "mid", "c": "junior"})  # placed mid

    [weakest, *rest] = guidance.advice_for(quiz, placement)

    assert weakest.answer.question.key == "c"
    assert weakest.target is not None
    assert weakest.target_rung is not None
    assert (weakest.target.key, weakest.target_rung.slug) == ("mid", "mid")  # one up, not two
    assert weakest.text == "From junior up."
    assert [(a.answer.question.key, a.target.key if a.target else None) for a in rest] == [
        ("a", "senior"),
        ("b", "senior"),
    ]


def test_a_question_that_skips_a_rung_aims_at_the_next_answer_it_has_but_never_beyond():
    quiz = spec(evidence("a"), evidence("b"), evidence("gap", ("junior", "senior", "lead")))
    placed_mid = place(quiz, {"a": "mid", "b": "mid", "gap": "junior"})
    [gap] = [a for a in guidance.advice_for(quiz, placed_mid) if a.answer.question.key == "gap"]
    assert gap.target is not None
    assert gap.target.key == "senior"  # no mid answer; senior is the next rung

    placed_junior = place(quiz, {"a": "junior", "b": "junior", "gap": "junior"})
    [gap] = [a for a in guidance.advice_for(quiz, placed_junior) if a.answer.question.key == "gap"]
    assert gap.target is None  # senior would be two rungs above the placement


def test_content_without_option_advice_falls_back_to_the_questions():
    question = QuestionSpec(
        key="old",
        text="Old?",
        role=EVIDENCE,
        advice="The question's advice.",
        options=tuple(OptionSpec(key=r.slug, text=r.slug, rung=r.slug) for r in RUNGS),
    )
    quiz = spec(question)
    [item] = guidance.advice_for(quiz, place(quiz, {"old": "junior"}))
    assert item.text == "The question's advice."


# --- Notes ----------------------------------------------------------------------------

SERVICES = OptionSpec(
    key="services",
    text="Services",
    note="Default.",
    notes=(
        NoteSpec(text="Junior, titled ahead.", placed=frozenset({"junior"}), title=TITLE_AHEAD),
        NoteSpec(text="Owning problems.", placed=frozenset({"mid", "senior", "lead"})),
    ),
)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"a": "junior", "title": "senior"}, "Junior, titled ahead."),
        ({"a": "junior", "title": "junior"}, "Default."),
        ({"a": "junior"}, "Default."),  # no title answered: a title condition never holds
        ({"a": "mid", "title": "senior"}, "Owning problems."),
        ({"a": "lead", "title": "junior"}, "Owning problems."),
    ],
)
def test_the_first_note_whose_conditions_hold_is_shown(answers, expected):
    company = QuestionSpec(key="company", text="Where?", role=CONTEXT, options=(SERVICES,))
    quiz = spec(evidence("a"), company)
    placement = place(quiz, {**answers, "company": "services"})
    assert guidance.context_notes(placement) == {"company": expected}


@pytest.mark.parametrize(
    ("title", "relation"),
    [("senior", TITLE_AHEAD), ("mid", TITLE_LEVEL), ("junior", TITLE_BEHIND), (None, None)],
)
def test_title_relation(title, relation):
    quiz = spec(evidence("a"))
    answers = {"a": "mid"} | ({"title": title} if title else {})
    assert guidance.title_relation(place(quiz, answers)) == relation


# --- Years and numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "typical", "comparison"),
    [
        ((0, 2), (0, 2), "within"),
        ((2, 5), (2, 5), "within"),
        ((5, 8), (2, 5), "more"),
        ((0, 2), (5, 8), "fewer"),
        ((8, None), (8, None), "within"),
        ((2, 5), (8, None), "fewer"),
        ((8, None), (5, 8), "more"),
    ],
)
def test_years_are_compared_with_the_rungs_typical_years(given, typical, comparison):
    assert guidance.years_beside(given, *typical).comparison == comparison


def test_why_in_numbers_counts_answers_by_weight():
    heavy = QuestionSpec(
        key="own", text="Own?", role=EVIDENCE, weight=2, options=evidence("x").options
    )
    quiz = spec(heavy, evidence("a"), evidence("b"))
    numbers = guidance.why_in_numbers(quiz, place(quiz, {"own": "mid", "a": "mid", "b": "senior"}))
    assert (numbers.total, numbers.here, numbers.above, numbers.needed) == (4, 4, 1, 3)
    assert numbers.weighted


# --- The shipped quiz -------------------------------------------------------------------


@pytest.fixture
def shipped(shipped_spec: QuizSpec) -> QuizSpec:
    return shipped_spec  # built once per session (tests/conftest.py): no database here


def evidence_answers(quiz: QuizSpec, pattern: dict[str, int]) -> dict[str, str]:
    """An answer per evidence question: its option at the rung `pattern` gives (default 1)."""
    answers = {}
    for question in quiz.questions:
        if question.role != EVIDENCE:
            continue
        order = pattern.get(question.key, pattern.get("*", 1))
        answers[question.key] = next(
            o.key for o in question.options if o.rung and quiz.rung(o.rung).order == order
        )
    return answers


@pytest.mark.parametrize(
    ("pattern", "rung"),
    [
        ({"*": 1, "ownership": 2, "direction": 2}, "junior"),
        ({"*": 2, "depth": 1, "raise-others": 1, "ai-review": 3}, "mid"),
        ({"*": 3, "raise-others": 2, "initiative": 1}, "senior"),
        ({"*": 4, "catch-mistakes": 3}, "lead"),
    ],
)
def test_advice_for_every_rung_never_repeats_the_answer_nor_aims_past_the_next_rung(
    shipped, pattern, rung
):
    answers = evidence_answers(shipped, pattern) | {"company": "product", "title": "engineer"}
    placement = place(shipped, answers)
    assert placement.rung.slug == rung
    advice = guidance.advice_for(shipped, placement)
    assert len(advice) == len(placement.held_back)
    for item in advice:
        chosen = item.answer.rung.order
        assert item.text, f"no advice for {item.answer.option.key}"
        assert item.text != item.answer.question.advice or not item.answer.option.advice
        assert item.target is not None
        assert item.target_rung is not None
        # It describes an answer above the one given...
        assert item.target_rung.order > chosen
        # ...and never more than one rung above the placement.
        assert item.target_rung.order <= placement.rung.order + 1
        # The advice is the chosen option's own, written for the step up from it.
        assert item.text == item.answer.option.advice


def company_options(quiz: QuizSpec) -> list[OptionSpec]:
    question = quiz.question("company")
    assert question is not None
    return list(question.options)


# Words that only fit one side of the ladder: said to the other, they contradict the rung.
ONLY_FOR_JUNIOR = ("Your answers fit that pattern", "ask to be handed a problem rather than a task")
NEVER_FOR_JUNIOR = ("Your answers show you owning problems",)


@pytest.mark.parametrize(
    ("rung", "title"),
    list(
        itertools.product(
            ("junior", "mid", "senior", "lead"), ("fresher", "engineer", "senior", "head")
        )
    ),
)
def test_no_company_note_contradicts_the_rung(shipped, rung, title):
    order = {"junior": 1, "mid": 2, "senior": 3, "lead": 4}[rung]
    for company in company_options(shipped):
        answers = evidence_answers(shipped, {"*": order}) | {"company": company.key, "title": title}
        placement = place(shipped, answers)
        assert placement.rung.slug == rung
        note = guidance.context_notes(placement).get("company", "")
        wrong = NEVER_FOR_JUNIOR if rung == "junior" else ONLY_FOR_JUNIOR
        assert not any(words in note for words in wrong), (rung, title, company.key, note)


def test_the_services_caveat_speaks_to_the_senior_title_doing_junior_work(shipped):
    answers = evidence_answers(shipped, {"*": 1}) | {"company": "services", "title": "senior"}
    note = guidance.context_notes(place(shipped, answers))["company"]
    assert "titled senior while doing junior work" in note
    assert "Your answers fit that pattern" in note


# --- A profile per dimension, tracks, fitted notes (issue 18) -----------------------------


def _dimension_spec() -> QuizSpec:
    def question(key: str, dimension: str) -> QuestionSpec:
        options = tuple(OptionSpec(key=r.slug, text=r.title, rung=r.slug) for r in RUNGS)
        return QuestionSpec(
            key=key, text=key, role="evidence", options=options, dimension=dimension
        )

    return QuizSpec(
        slug="dims",
        threshold=0.6,
        rungs=RUNGS,
        questions=(
            question("a", "owning a problem"),
            question("b", "owning a problem"),
            question("c", "making others better"),
            question("d", "making others better"),
            question("e", ""),  # no dimension: in no row of the profile
        ),
    )


def test_the_profile_applies_the_placement_rule_to_each_dimension_alone():
    spec = _dimension_spec()
    placement = place(spec, {"a": "senior", "b": "senior", "c": "mid", "d": "junior", "e": "lead"})
    rows = {
        row.dimension: (row.rung.slug if row.rung else None, row.answers)
        for row in guidance.profile(spec, placement)
    }
    assert rows == {"owning a problem": ("senior", 2), "making others better": ("junior", 2)}


def test_a_dimension_answered_only_with_answers_for_no_rung_is_shown_as_not_measured():
    base = _dimension_spec()
    manage = OptionSpec(key="manage", text="I manage the people who do this", track="leadership")
    questions = tuple(
        QuestionSpec(
            key=q.key, text=q.text, role=q.role, dimension=q.dimension, options=(*q.options, manage)
        )
        for q in base.questions
    )
    spec = QuizSpec(slug="dims", threshold=0.6, rungs=RUNGS, questions=questions)
    placement = place(spec, {"a": "senior", "b": "lead", "c": "manage", "d": "manage", "e": "lead"})

    rows = {
        row.dimension: (row.rung.slug if row.rung else None, row.answers)
        for row in guidance.profile(spec, placement)
    }

    assert rows == {"owning a problem": ("senior", 2), "making others better": (None, 0)}


def test_a_track_needs_two_answers_naming_it_and_none_is_no_track():
    options = (
        OptionSpec(key="mid", text="Mid", rung="mid"),
        OptionSpec(key="manage", text="I manage the people who do this", track="leadership"),
        OptionSpec(key="none", text="Not at all", track=guidance.NO_TRACK),
    )
    questions = tuple(
        QuestionSpec(key=k, text=k, role="evidence", options=options) for k in ("a", "b", "c")
    )
    spec = QuizSpec(slug="t", threshold=0.6, rungs=RUNGS, questions=questions)
    one = place(spec, {"a": "manage", "b": "mid", "c": "none"})
    two = place(spec, {"a": "manage", "b": "manage", "c": "mid"})
    assert guidance.track_of(spec, one) == ""
    assert guidance.track_of(spec, two) == "leadership"
    # An answer for a track is evidence of no rung: the one Mid answer places alone.
    assert two.rung.slug == "mid"
    assert [e.question.key for e in two.evidence] == ["c"]


def test_a_conditional_note_is_shown_only_where_its_when_holds():
    note = NoteSpec(text="In India especially.", when={"region": ["IN"]})
    option = OptionSpec(key="other", text="Somewhere else", note="", notes=(note,))
    spec = _dimension_spec()
    placement = place(spec, {"a": "mid", "b": "mid", "c": "mid", "d": "mid", "e": "mid"})
    india = guidance.facts_for(spec, placement, region="IN")
    us = guidance.facts_for(spec, placement, region="US")
    assert guidance.note_for(option, placement, india) == "In India especially."
    assert guidance.note_for(option, placement, us) == ""
