"""Model validation as editors meet it in the admin: full_clean() and its messages."""

from __future__ import annotations

import secrets

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from ladder.models import (
    MSG_CURRENCY_REGION,
    MSG_MIN_GT_MAX,
    MSG_YEARS,
    Ladder,
    Rung,
    SalaryBand,
    Skill,
)
from quiz.models import (
    Option,
    Question,
    new_result_id,
)
from quiz.rules import (
    MSG_FOREIGN_RUNG,
    MSG_NEEDS_RUNG,
    MSG_NEEDS_SKILL,
    MSG_NO_RUNG,
    MSG_UNKNOWN_SKILL,
    as_sentence,
)
from tests.factories import make_ladder, make_quiz


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


def constraint_message(model, name: str) -> str:
    constraint = next(c for c in model._meta.constraints if c.name == name)
    return str(constraint.violation_error_message)


def band(rung: Rung, **fields) -> SalaryBand:
    values = {"region": "IN", "currency": "INR", "min": 1_000_000, "max": 2_200_000}
    return SalaryBand(rung=rung, source="t.txt", **(values | fields))


@pytest.fixture
def junior(ladder) -> Rung:
    return ladder.rungs.get(slug="junior")


# --- salary bands -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_valid_band_passes(junior):
    band(junior).full_clean()
    band(junior, min=2_200_000, max=2_200_000).full_clean()


@pytest.mark.django_db
def test_band_min_above_max_is_an_error_on_max(junior):
    errors = errors_of(band(junior, min=3_000_000, max=2_200_000))
    assert list(errors) == ["max"]
    assert MSG_MIN_GT_MAX in errors["max"][0]
    assert "3,000,000" in errors["max"][0]


@pytest.mark.django_db
def test_band_currency_must_fit_the_region(junior):
    errors = errors_of(band(junior, region="IN", currency="USD"))
    assert errors["currency"] == [MSG_CURRENCY_REGION.format(currency="USD", region="IN") + "."]


@pytest.mark.django_db
def test_band_reports_min_max_and_currency_together(junior):
    errors = errors_of(band(junior, currency="USD", min=5, max=1))
    assert set(errors) == {"max", "currency"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"region": "in"}, "region"),
        ({"region": "IND"}, "region"),
        ({"region": "I1"}, "region"),
        ({"currency": "inr"}, "currency"),
        ({"currency": "RUPEE"}, "currency"),
        ({"currency": "IN"}, "currency"),
    ],
)
def test_band_codes_must_be_iso_in_capitals(junior, fields, field):
    assert field in errors_of(band(junior, **fields))


@pytest.mark.django_db
def test_band_display_reads_as_the_region_reads_money(junior):
    assert band(junior).display == "₹10–22 LPA"
    us = band(junior, region="US", currency="USD", min=100_000, max=145_000)
    assert us.display == "$100K–$145K"
    assert band(junior, min=None).display == ""


# --- rungs ------------------------------------------------------------------------


def rung(ladder: Ladder, **fields) -> Rung:
    values = {"slug": "staff", "order": 9, "title": "Staff", "question": "Can you lead?"}
    return Rung(ladder=ladder, **(values | fields))


@pytest.mark.django_db
def test_years_max_below_years_min_is_an_error_on_years_max(ladder):
    errors = errors_of(rung(ladder, years_min=5, years_max=3))
    assert list(errors) == ["years_max"]
    assert MSG_YEARS in errors["years_max"][0]
    rung(ladder, years_min=3, years_max=3).full_clean()
    rung(ladder, years_min=None, years_max=3).full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"order": 2}, "unique_rung_order_per_ladder"),
        ({"slug": "mid"}, "unique_rung_slug_per_ladder"),
    ],
)
def test_rung_order_and_slug_are_unique_per_ladder(ladder, fields, constraint):
    errors = errors_of(rung(ladder, **fields))
    assert errors[NON_FIELD_ERRORS] == [constraint_message(Rung, constraint)]


@pytest.mark.django_db
def test_the_same_order_and_slug_in_another_ladder_are_fine(ladder):
    other = make_ladder(slug="other-ladder", rungs=("trainee",))
    assert ladder.rungs.filter(slug="mid", order=2).exists()
    rung(other, slug="mid", order=2).full_clean()


@pytest.mark.django_db
def test_editing_a_rung_does_not_clash_with_itself(junior):
    junior.title = "Junior engineer"
    junior.full_clean()


@pytest.mark.django_db
def test_a_skill_is_listed_once_per_rung(ladder, junior):
    duplicate = Skill(rung=junior, name="Skill 1", category="general", source="t.txt")
    errors = errors_of(duplicate)
    assert errors[NON_FIELD_ERRORS] == [constraint_message(Skill, "unique_skill_per_rung")]
    mid = ladder.rungs.get(slug="mid")
    Skill(rung=mid, name="Skill 1", category="general", source="t.txt").full_clean()


@pytest.mark.parametrize(
    ("years_min", "years_max", "label"),
    [
        (0, 2, "0–2 years"),
        (3, 6, "3–6 years"),
        (8, None, "8+ years"),
        (None, 2, "0–2 years"),
        (None, None, ""),
    ],
)
def test_rung_years_label(years_min, years_max, label):
    assert Rung(years_min=years_min, years_max=years_max).years_label == label


# --- quiz options -----------------------------------------------------------------


@pytest.fixture
def draft(ladder):
    return make_quiz(ladder, published=False)


def option_of(quiz, question_key: str, **fields) -> Option:
    question = quiz.questions.get(key=question_key)
    return Option(question=question, key="new", text="New option", **fields)


@pytest.mark.django_db
def test_options_of_the_factory_quiz_are_valid(draft):
    for option in Option.objects.filter(question__quiz=draft):
        option.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("question_key", ["q1", "title"])
def test_an_evidence_or_title_option_must_name_a_rung(draft, question_key):
    role = draft.questions.get(key=question_key).role
    errors = errors_of(option_of(draft, question_key))
    assert errors["rung"] == [as_sentence(MSG_NEEDS_RUNG.format(role=role))]


@pytest.mark.django_db
def test_an_option_cannot_point_at_a_rung_of_another_ladder(draft):
    other = make_ladder(slug="data-ladder")
    foreign = other.rungs.get(slug="senior")
    errors = errors_of(option_of(draft, "q1", rung=foreign))
    expected = MSG_FOREIGN_RUNG.format(rung="senior", other="data-ladder", ladder="test-ladder")
    assert errors["rung"] == [as_sentence(expected)]


@pytest.mark.django_db
def test_a_context_option_names_no_rung(draft, junior):
    errors = errors_of(option_of(draft, "company", rung=junior))
    assert errors["rung"] == [as_sentence(MSG_NO_RUNG.format(role="context"))]
    option_of(draft, "company", note="A caveat.").full_clean()


@pytest.mark.django_db
def test_a_skills_option_names_a_skill_of_the_ladder(draft):
    errors = errors_of(option_of(draft, "skills"))
    assert errors["skill"] == [as_sentence(MSG_NEEDS_SKILL)]
    errors = errors_of(option_of(draft, "skills", skill="Cobol"))
    expected = MSG_UNKNOWN_SKILL.format(ladder="test-ladder", skill="Cobol")
    assert errors["skill"] == [as_sentence(expected)]
    option_of(draft, "skills", skill="Skill 3").full_clean()


@pytest.mark.django_db
def test_a_skill_of_another_ladder_is_unknown(draft):
    other = make_ladder(slug="data-ladder")
    Skill.objects.create(rung=other.rungs.get(order=1), name="Spark", category="data")
    assert "skill" in errors_of(option_of(draft, "skills", skill="Spark"))


@pytest.mark.django_db
def test_a_question_key_is_unique_per_quiz(draft):
    duplicate = Question(quiz=draft, key="q1", text="Again?", role=Question.Role.EVIDENCE)
    errors = errors_of(duplicate)
    assert errors[NON_FIELD_ERRORS] == [
        constraint_message(Question, "unique_question_key_per_quiz")
    ]


def test_a_result_id_never_starts_with_a_minus(monkeypatch):
    # A spreadsheet reads "-Ab…" as a formula, and the CSV export would have to change it.
    drawn = iter(["-starts-with-minus", "_fine", "never-used"])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda size: next(drawn))

    assert new_result_id() == "_fine"
