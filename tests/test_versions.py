"""Publishing: drafts freeze into numbered versions; visitors only ever see versions."""

from __future__ import annotations

import copy

import pytest

from quiz.models import Option, Question, Quiz, QuizVersion
from quiz.placement import EVIDENCE, MULTIPLE, QuizSpec
from quiz.rules import (
    MSG_FOREIGN_RUNG,
    MSG_NEEDS_RUNG,
    MSG_NEEDS_SKILL,
    MSG_NO_EVIDENCE,
    MSG_NO_OPTIONS,
    MSG_UNKNOWN_SKILL,
)
from quiz.versions import (
    AT_OPTION,
    AT_QUESTION,
    NotPublishable,
    has_unpublished_changes,
    publish,
    publish_problems,
    snapshot,
    spec_for,
    unpublish,
)
from tests.factories import make_ladder, make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(ladder) -> Quiz:
    return make_quiz(ladder, published=False)


def test_a_new_quiz_is_an_unpublished_draft(draft):
    assert not draft.is_published
    assert has_unpublished_changes(draft)
    assert not Quiz.objects.published().filter(pk=draft.pk).exists()


def test_publishing_creates_version_one_and_makes_it_live(draft):
    version = publish(draft, by="editor")
    draft.refresh_from_db()
    assert version.number == 1
    assert version.published_by == "editor"
    assert draft.live_version == version
    assert version.snapshot == snapshot(draft)
    assert not has_unpublished_changes(draft)
    assert Quiz.objects.published().get(pk=draft.pk) == draft


def test_publishing_an_unchanged_draft_creates_no_new_version(draft):
    first = publish(draft)
    again = publish(draft)
    assert again == first
    assert QuizVersion.objects.filter(quiz=draft).count() == 1


def test_editing_then_publishing_makes_version_two_and_keeps_version_one(draft):
    v1 = publish(draft)
    frozen = copy.deepcopy(v1.snapshot)
    Question.objects.filter(quiz=draft, key="q1").update(text="Reworded question?")
    draft.refresh_from_db()
    assert has_unpublished_changes(draft)

    v2 = publish(draft)
    draft.refresh_from_db()
    v1.refresh_from_db()
    assert v2.number == 2
    assert draft.live_version == v2
    assert v1.snapshot == frozen
    assert v1.snapshot["questions"][0]["text"] == "Evidence question 1?"
    assert v2.snapshot["questions"][0]["text"] == "Reworded question?"


def test_the_snapshot_records_what_placement_needs(draft):
    frozen = publish(draft).snapshot
    assert frozen["ladder"] == "test-ladder"
    assert frozen["threshold"] == 0.6
    assert [r["slug"] for r in frozen["rungs"]] == ["junior", "mid", "senior", "lead"]
    assert [q["key"] for q in frozen["questions"]] == [
        "q1",
        "q2",
        "q3",
        "title",
        "company",
        "skills",
    ]
    q1 = frozen["questions"][0]
    assert q1["role"] == EVIDENCE
    assert [(o["key"], o["rung"]) for o in q1["options"]] == [
        ("junior", "junior"),
        ("mid", "mid"),
        ("senior", "senior"),
        ("lead", "lead"),
    ]


def test_a_clean_draft_has_no_publish_problems(draft):
    assert publish_problems(draft) == []


def test_an_evidence_question_without_options_cannot_be_published(draft):
    Question.objects.create(quiz=draft, key="empty", text="Empty?", role=Question.Role.EVIDENCE)
    assert publish_problems(draft) == [AT_QUESTION.format(key="empty", problem=MSG_NO_OPTIONS)]


def test_a_quiz_without_evidence_questions_cannot_be_published(draft):
    draft.questions.filter(role=Question.Role.EVIDENCE).delete()
    assert publish_problems(draft) == [MSG_NO_EVIDENCE]


def test_an_option_pointing_at_another_ladders_rung_cannot_be_published(draft):
    other = make_ladder(slug="data-ladder")
    q1 = draft.questions.get(key="q1")
    Option.objects.create(question=q1, key="foreign", text="?", rung=other.rungs.get(slug="lead"))
    problem = MSG_FOREIGN_RUNG.format(rung="lead", other="data-ladder", ladder="test-ladder")
    assert publish_problems(draft) == [
        AT_OPTION.format(key="q1", option="foreign", problem=problem)
    ]


@pytest.mark.parametrize(("key", "role"), [("q1", "evidence"), ("title", "title")])
def test_an_evidence_or_title_option_without_a_rung_cannot_be_published(draft, key, role):
    question = draft.questions.get(key=key)
    Option.objects.create(question=question, key="loose", text="?")
    problem = MSG_NEEDS_RUNG.format(role=role)
    assert publish_problems(draft) == [AT_OPTION.format(key=key, option="loose", problem=problem)]


def test_a_skills_option_without_a_skill_cannot_be_published(draft):
    skills = draft.questions.get(key="skills")
    Option.objects.create(question=skills, key="blank", text="Something")
    problem = AT_OPTION.format(key="skills", option="blank", problem=MSG_NEEDS_SKILL)
    assert publish_problems(draft) == [problem]


def test_a_skills_option_naming_a_skill_the_ladder_dropped_cannot_be_published(draft):
    skills = draft.questions.get(key="skills")
    Option.objects.create(question=skills, key="gone", text="Cobol", skill="Cobol")
    problem = MSG_UNKNOWN_SKILL.format(ladder="test-ladder", skill="Cobol")
    assert publish_problems(draft) == [
        AT_OPTION.format(key="skills", option="gone", problem=problem)
    ]


def test_a_failed_publish_leaves_the_live_version_untouched(draft):
    v1 = publish(draft)
    Question.objects.create(quiz=draft, key="empty", text="Empty?", role=Question.Role.EVIDENCE)
    with pytest.raises(NotPublishable) as excinfo:
        publish(draft)
    assert excinfo.value.problems == [AT_QUESTION.format(key="empty", problem=MSG_NO_OPTIONS)]
    draft.refresh_from_db()
    assert draft.live_version == v1
    assert QuizVersion.objects.filter(quiz=draft).count() == 1


def test_a_draft_that_never_published_stays_unpublished_when_publishing_fails(draft):
    draft.questions.filter(role=Question.Role.EVIDENCE).delete()
    with pytest.raises(NotPublishable):
        publish(draft)
    draft.refresh_from_db()
    assert draft.live_version is None
    assert not QuizVersion.objects.filter(quiz=draft).exists()


def test_unpublish_takes_the_quiz_offline_and_keeps_its_versions(draft):
    v1 = publish(draft)
    unpublish(draft)
    draft.refresh_from_db()
    assert draft.live_version is None
    assert not Quiz.objects.published().filter(pk=draft.pk).exists()
    assert QuizVersion.objects.filter(pk=v1.pk).exists()
    # Republishing the unchanged draft brings the same version back.
    assert publish(draft) == v1


def test_spec_for_matches_the_snapshot(draft):
    version = publish(draft)
    spec = spec_for(version)
    assert isinstance(spec, QuizSpec)
    assert spec.slug == draft.slug
    assert spec.threshold == 0.6
    assert [(r.slug, r.order, r.title) for r in spec.rungs] == [
        (r["slug"], r["order"], r["title"]) for r in version.snapshot["rungs"]
    ]
    assert [(q.key, q.role, q.weight, q.required) for q in spec.questions] == [
        (q["key"], q["role"], q["weight"], q["required"]) for q in version.snapshot["questions"]
    ]
    company = spec.question("company")
    assert company is not None
    services = company.option("services")
    assert services is not None
    assert services.note == "Services caveat."
    assert services.rung is None
    skills = spec.question("skills")
    assert skills is not None
    assert skills.kind == MULTIPLE
    assert [o.skill for o in skills.options] == ["Skill 1", "Skill 2", "Skill 3", "Skill 4"]


def test_spec_for_is_built_once_per_version(draft):
    version = publish(draft)
    assert spec_for(version) is spec_for(version)
    assert spec_for(QuizVersion.objects.get(pk=version.pk)) is spec_for(version)


def test_spec_for_keeps_versions_apart(draft):
    v1 = publish(draft)
    draft.threshold = 0.8
    draft.save()
    v2 = publish(draft)
    assert spec_for(v1).threshold == 0.6
    assert spec_for(v2).threshold == 0.8
