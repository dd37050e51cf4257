"""Attempts: recorded at start, completed once, with the result frozen beside them."""

from __future__ import annotations

import pytest

from ladder.models import NextStep, SalaryBand, Skill
from quiz.attempts import complete_attempt, place_and_record, start_attempt
from quiz.models import Attempt, Option, Question
from quiz.placement import MSG_REQUIRED, MSG_UNKNOWN_OPTION, AnswerProblem, InvalidAnswers
from quiz.versions import publish
from tests.factories import answers_at, live_version, make_ladder, make_quiz

pytestmark = pytest.mark.django_db


def test_starting_records_an_uncompleted_attempt(quiz):
    attempt = start_attempt(live_version(quiz), channel=Attempt.Channel.EMBED, region="IN")
    attempt.refresh_from_db()
    assert attempt.version == live_version(quiz)
    assert attempt.quiz == quiz
    assert attempt.channel == Attempt.Channel.EMBED
    assert attempt.region == "IN"
    assert attempt.completed_at is None
    assert not Attempt.objects.completed().exists()


def test_completing_stores_the_placement(quiz):
    attempt = start_attempt(live_version(quiz))
    answers = answers_at(quiz, "senior")
    done = complete_attempt(attempt, answers, region="US")
    done.refresh_from_db()
    assert done.completed_at is not None
    assert (done.rung_slug, done.rung_order) == ("senior", 3)
    assert done.answers == answers
    assert done.region == "US"
    assert done.result["id"] == done.result_id
    assert done.result["rung"]["slug"] == "senior"
    assert done.result["completed_at"] == done.completed_at.isoformat()
    assert list(Attempt.objects.completed()) == [done]


def test_completing_twice_returns_the_first_result_and_keeps_one_row(quiz):
    attempt = start_attempt(live_version(quiz))
    first = complete_attempt(attempt, answers_at(quiz, "mid"), region="IN")
    # A double click or a retry: the same attempt object, submitted again.
    second = complete_attempt(attempt, answers_at(quiz, "mid"), region="IN")
    assert second.pk == first.pk
    assert second.result == first.result
    assert second.completed_at == first.completed_at
    assert Attempt.objects.count() == 1
    # Even different answers on a retry cannot rewrite a completed placement.
    third = complete_attempt(attempt, answers_at(quiz, "lead"), region="IN")
    assert third.rung_slug == "mid"
    assert third.result == first.result
    stored = Attempt.objects.get()
    assert stored.completed_at == first.completed_at
    assert stored.result == first.result


def test_invalid_answers_leave_the_attempt_uncompleted(quiz):
    attempt = start_attempt(live_version(quiz))
    answers = answers_at(quiz, "mid", q1="principal")
    del answers["q2"]
    with pytest.raises(InvalidAnswers) as excinfo:
        complete_attempt(attempt, answers)
    assert set(excinfo.value.problems) == {
        AnswerProblem(field="q1", message=MSG_UNKNOWN_OPTION.format(value="principal")),
        AnswerProblem(field="q2", message=MSG_REQUIRED),
    }
    attempt.refresh_from_db()
    assert attempt.completed_at is None
    assert attempt.result == {}
    assert attempt.rung_slug == ""


def test_place_and_record_writes_one_completed_row(quiz):
    attempt = place_and_record(live_version(quiz), answers_at(quiz, "junior"), region="IN")
    assert attempt.channel == Attempt.Channel.API
    assert list(Attempt.objects.completed()) == [attempt]


def test_place_and_record_with_invalid_answers_writes_no_row(quiz):
    with pytest.raises(InvalidAnswers):
        place_and_record(live_version(quiz), answers_at(quiz, "mid", q1=["mid"]), region="IN")
    assert not Attempt.objects.exists()


@pytest.mark.parametrize(
    ("rung", "region", "expected"),
    [
        ("senior", "IN", [("senior", "IN", "INR"), ("lead", "IN", "INR")]),
        ("junior", "US", [("junior", "US", "USD"), ("mid", "US", "USD")]),
        # At the top there is no next rung to show.
        ("lead", "IN", [("lead", "IN", "INR")]),
        # A region with no bands, or no region at all, shows no salary.
        ("mid", "DE", []),
        ("mid", "", []),
    ],
)
def test_salary_is_the_regions_bands_of_the_placed_and_next_rung(quiz, rung, region, expected):
    attempt = place_and_record(live_version(quiz), answers_at(quiz, rung), region=region)
    salary = attempt.result["salary"]
    assert [(b["rung"], b["region"], b["currency"]) for b in salary] == expected


def test_salary_entries_carry_display_and_source(quiz, ladder):
    senior = ladder.rungs.get(slug="senior")
    SalaryBand.objects.create(
        rung=senior, region="GB", currency="GBP", min=60_000, max=80_000, source="g.txt"
    )
    SalaryBand.objects.create(
        rung=senior,
        region="IN",
        currency="INR",
        min=5_000_000,
        max=9_000_000,
        note="Product companies",
        source="p.txt",
    )
    publish(quiz)  # a result shows what its version froze: new bands need publishing
    attempt = place_and_record(live_version(quiz), answers_at(quiz, "senior"), region="IN")
    senior_bands = [b for b in attempt.result["salary"] if b["rung"] == "senior"]
    assert [(b["display"], b["note"], b["source"]) for b in senior_bands] == [
        ("₹30–60 LPA", "", "t.txt"),
        ("₹50–90 LPA", "Product companies", "p.txt"),
    ]


def test_a_context_note_shows_in_notes_and_as_a_caveat(quiz):
    answers = answers_at(quiz, "mid", company="services")
    result = place_and_record(live_version(quiz), answers, region="IN").result
    assert result["notes"] == [
        {"question": "company", "option": "services", "text": "Services caveat."}
    ]
    caveats = [s for s in result["next_steps"] if s["kind"] == "caveat"]
    assert [(s["title"], s["detail"]) for s in caveats] == [("Services", "Services caveat.")]


def test_a_context_answer_without_a_note_adds_nothing(quiz):
    result = place_and_record(live_version(quiz), answers_at(quiz, "mid"), region="IN").result
    assert result["notes"] == []
    assert not [s for s in result["next_steps"] if s["kind"] == "caveat"]


def test_next_steps_lead_with_what_moves_you_up_then_advice_then_the_rungs_own(quiz, ladder):
    mid = ladder.rungs.get(slug="mid")
    NextStep.objects.create(
        rung=mid, kind=NextStep.Kind.PROJECT, title="Ship a model", source="003.txt"
    )
    publish(quiz)
    answers = answers_at(quiz, "mid", q3="junior")
    result = place_and_record(live_version(quiz), answers, region="IN").result
    assert result["rung"]["slug"] == "mid"
    steps = [(s["kind"], s["detail"] or s["title"]) for s in result["next_steps"]]
    assert steps == [
        ("moves_you_up", "Do mid+1 work."),
        ("advice", "Advice for q3."),
        ("advice", "Advice for q1."),
        ("advice", "Advice for q2."),
        ("project", "Ship a model"),
    ]
    assert [h["question"] for h in result["held_back"]] == ["q3", "q1", "q2"]
    assert all(h["advice"] for h in result["held_back"])


@pytest.mark.django_db
def test_draft_edits_change_no_result_until_the_quiz_is_published_again(quiz, ladder):
    answers = answers_at(quiz, "mid", q1="junior")
    before = place_and_record(live_version(quiz), answers, region="IN").result
    mid = ladder.rungs.get(slug="mid")
    mid.slug, mid.moves_you_up = "middle", "Renamed advice."
    mid.save()
    mid.next_steps.all().delete()
    SalaryBand.objects.filter(rung=mid).delete()
    ladder.rungs.filter(slug="senior").update(order=9)

    after = place_and_record(live_version(quiz), answers, region="IN").result

    def same(result):
        return {k: v for k, v in result.items() if k not in ("id", "completed_at")}

    assert same(after) == same(before)
    publish(quiz)
    republished = place_and_record(live_version(quiz), answers, region="IN").result
    assert republished["rung"]["slug"] == "middle"
    assert not [band for band in republished["salary"] if band["rung"] == "middle"]


def test_title_gap_is_in_the_result(quiz):
    result = place_and_record(
        live_version(quiz), answers_at(quiz, "mid", title="lead"), region="IN"
    ).result
    gap = result["title_gap"]
    assert (gap["claimed"]["slug"], gap["placed"]["slug"], gap["steps"]) == ("lead", "mid", 2)
    level = place_and_record(live_version(quiz), answers_at(quiz, "mid"), region="IN").result
    assert level["title_gap"] is None


@pytest.fixture
def skilled_quiz(db):
    ladder = make_ladder()
    senior = ladder.rungs.get(slug="senior")
    Skill.objects.create(
        rung=senior, name="Kubernetes", category="mlops", importance="medium", source="k.txt"
    )
    return make_quiz(ladder)


def skill_option(quiz, name: str) -> str:
    return Option.objects.get(question__quiz=quiz, question__key="skills", skill=name).key


@pytest.mark.parametrize(
    ("ticked", "to_build"),
    [
        ([], ["Skill 3", "Kubernetes"]),
        (["Kubernetes"], ["Skill 3"]),
        (["Skill 1", "Skill 2"], ["Skill 3", "Kubernetes"]),
        (["Skill 3", "Kubernetes"], []),
    ],
)
def test_skills_to_build_are_next_rung_skills_not_ticked(skilled_quiz, ticked, to_build):
    answers = answers_at(
        skilled_quiz, "mid", skills=[skill_option(skilled_quiz, name) for name in ticked]
    )
    result = place_and_record(live_version(skilled_quiz), answers, region="IN").result
    assert result["next_rung"]["slug"] == "senior"
    assert [s["name"] for s in result["skills_to_build"]] == to_build


def test_skills_to_build_carry_category_importance_and_source(skilled_quiz):
    answers = answers_at(skilled_quiz, "mid")
    result = place_and_record(live_version(skilled_quiz), answers, region="IN").result
    kubernetes = next(s for s in result["skills_to_build"] if s["name"] == "Kubernetes")
    assert kubernetes == {
        "name": "Kubernetes",
        "category": "mlops",
        "importance": "medium",
        "source": "k.txt",
    }


def test_an_attempt_begun_on_v1_completes_on_v1_after_v2_is_published(quiz):
    v1 = live_version(quiz)
    attempt = start_attempt(v1)
    answers = answers_at(quiz, "senior", q1="junior")

    # The editor rewords q1, adds a required question and raises the threshold.
    Question.objects.filter(quiz=quiz, key="q1").update(text="Reworded q1?")
    q4 = Question.objects.create(
        quiz=quiz, key="q4", text="New?", role=Question.Role.EVIDENCE, position=0
    )
    for rung in quiz.ladder.rungs.all():
        Option.objects.create(question=q4, key=rung.slug, text=rung.title, rung=rung)
    quiz.threshold = 1.0
    quiz.save()
    v2 = publish(quiz)
    assert v2.number == 2
    assert live_version(quiz) == v2

    done = complete_attempt(attempt, answers, region="IN")
    done.refresh_from_db()
    assert done.version == v1
    assert done.result["quiz"]["version"] == 1
    # v1's threshold (0.6) and questions: 2 of 3 at senior place at senior.
    assert done.rung_slug == "senior"
    assert done.result["held_back"][0]["question_text"] == "Evidence question 1?"

    # The same answers on v2 miss the new required question.
    with pytest.raises(InvalidAnswers):
        place_and_record(v2, answers, region="IN")
