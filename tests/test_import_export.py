"""Content import/export in `careerquiz/1`: what editors get from the two commands.

A good file lands exactly once (a second import writes nothing, not even a
history row or a quiz version); a bad file changes nothing and names the field
that is wrong; export re-imports to the same content, byte for byte.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from careerquiz.content import (
    SHIPPED_CONTENT,
    ContentError,
    ContentInvalid,
    dumps,
    export_content,
    files,
    import_content,
    load_file,
    validate,
)
from careerquiz.content.files import MSG_DUPLICATE_KEY
from careerquiz.content.preview import import_changes
from careerquiz.content.schema import (
    MSG_BOOLEAN,
    MSG_CHOICE,
    MSG_FORMAT,
    MSG_INTEGER,
    MSG_LIST,
    MSG_NUMBER,
    MSG_OBJECT,
    MSG_POSITIVE,
    MSG_SLUG,
    MSG_SOURCES,
    MSG_THRESHOLD,
    MSG_URL,
)
from careerquiz.content.validation import (
    MSG_DUPLICATE,
    MSG_MISSING,
    MSG_RESPONSIBILITY,
    MSG_RUNG_IN_USE,
    MSG_UNKNOWN_FIELD,
    MSG_UNKNOWN_LADDER,
)
from careerquiz.management.commands.export_content import MSG_WROTE
from careerquiz.management.commands.import_content import MSG_DRY_RUN, MSG_NO_CHANGES
from ladder.models import (
    MSG_CURRENCY_REGION,
    MSG_MIN_GT_MAX,
    MSG_YEARS,
    JobTitle,
    Ladder,
    LadderNote,
    NextStep,
    Responsibility,
    Rung,
    SalaryBand,
    Skill,
)
from ladder.money import MSG_REGION
from quiz.models import Option, Question, Quiz, QuizVersion
from quiz.rules import (
    MSG_ANSWER_YEARS,
    MSG_FOREIGN_RUNG,
    MSG_NEEDS_RUNG,
    MSG_NEEDS_SKILL,
    MSG_NO_EVIDENCE,
    MSG_NO_OPTIONS,
    MSG_NO_RUNG,
    MSG_NOTE_UNKNOWN_RUNG,
    MSG_NOTES_SHAPE,
    MSG_UNKNOWN_RUNG,
    MSG_UNKNOWN_SKILL,
)
from tests.factories import live_version, make_ladder, make_quiz

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.json"  # every field of the format, written as export writes it
DESIGN_EXAMPLE = DATA / "design-example.json"  # DESIGN.md's example, verbatim

CONTENT_MODELS: list[type[Any]] = [
    Ladder,
    LadderNote,
    Rung,
    Responsibility,
    JobTitle,
    Skill,
    SalaryBand,
    NextStep,
    Quiz,
    Question,
    Option,
]


def row_counts() -> dict[str, int]:
    """Rows and history rows of every content model, and quiz versions."""
    counts = {model.__name__: model.objects.count() for model in CONTENT_MODELS}
    counts |= {f"{model.__name__} history": model.history.count() for model in CONTENT_MODELS}
    counts["QuizVersion"] = QuizVersion.objects.count()
    return counts


def small() -> dict[str, Any]:
    return load_file(SMALL)


def messages(exc: ContentInvalid) -> list[str]:
    return [str(error) for error in exc.errors]


def _rungs(data: dict) -> list[dict]:
    return data["ladders"][0]["rungs"]


def _questions(data: dict) -> list[dict]:
    return data["quizzes"][0]["questions"]


# The shipped content


def test_shipped_content_lives_in_the_project():
    assert (
        Path(settings.BASE_DIR) / "careerquiz" / "content" / "ml-engineer.json" == SHIPPED_CONTENT
    )
    assert SHIPPED_CONTENT.is_file()


@pytest.mark.django_db
def test_the_shipped_file_imports_with_its_quiz_published():
    data = load_file(SHIPPED_CONTENT)
    assert validate(data) == []

    report = import_content(data)

    ladder = Ladder.objects.get(slug="ml-engineer")
    assert list(ladder.rungs.order_by("order").values_list("slug", flat=True)) == [
        "junior",
        "mid",
        "senior",
        "lead",
    ]
    assert live_version(Quiz.objects.get(slug="ml-engineer")).number == 1
    assert report["rungs"].created == 4
    assert "ml-engineer: published v1" in report.lines()


@pytest.mark.django_db
def test_exporting_the_shipped_content_reproduces_the_file_byte_for_byte():
    import_content(load_file(SHIPPED_CONTENT))

    assert dumps(export_content()) == SHIPPED_CONTENT.read_text(encoding="utf-8")


# Good files


@pytest.mark.django_db
def test_the_design_example_imports_as_is():
    import_content(load_file(DESIGN_EXAMPLE))

    rung = Rung.objects.get(ladder__slug="ml-engineer", slug="junior")
    assert (rung.years_min, rung.years_max) == (0, 2)
    band = rung.salary_bands.get()
    assert (band.region, band.currency, band.min, band.max, band.display) == (
        "IN",
        "INR",
        1_000_000,
        2_200_000,
        "₹10–22 LPA",
    )
    assert band.source == "002_d3d2731f1624f2ed.txt"
    assert list(rung.responsibilities.values_list("text", "source")) == [("...", "")]
    option = Option.objects.get(question__key="scope", key="told")
    assert option.rung == rung
    assert Quiz.objects.published().filter(slug="ml-engineer").exists()


@pytest.mark.django_db
def test_every_field_of_the_small_file_lands_in_the_database():
    import_content(small())

    ladder = Ladder.objects.get(slug="ml-test")
    source = ladder.sources.get()
    assert (source.key, source.title, source.url) == (
        "t.txt",
        "The test seed",
        "https://example.com/t",
    )
    assert list(ladder.notes.values_list("key", flat=True)) == ["services-vs-product", ""]
    lead = ladder.rungs.get(slug="lead")
    assert (lead.years_min, lead.years_max) == (8, None)
    junior = ladder.rungs.get(slug="junior")
    assert list(junior.responsibilities.values_list("source", flat=True)) == ["", "t.txt"]
    assert junior.titles.get().name == "Junior"
    assert junior.salary_bands.get(region="IN").note == "Pan-India – estimate"
    assert junior.salary_bands.get(region="IN").context == "product"
    assert junior.next_steps.get().url == "https://example.com/project"
    quiz = Quiz.objects.get(slug="ml-test")
    assert quiz.questions.get(key="ownership").weight == 1.5
    assert Option.objects.get(question__quiz=quiz, key="services").note == "Services caveat."
    assert Option.objects.get(question__quiz=quiz, key="mlops").skill == "MLOps"
    services = Option.objects.get(question__quiz=quiz, key="services")
    assert services.notes == [
        {
            "text": "Services caveat for juniors titled ahead.",
            "placed": ["junior"],
            "title": "ahead",
        }
    ]
    scope_junior = Option.objects.get(question__key="scope", key="junior")
    assert scope_junior.advice == "From junior to the next answer up."
    seasoned = Option.objects.get(question__key="experience", key="seasoned")
    assert (seasoned.years_min, seasoned.years_max) == (2, None)


@pytest.mark.django_db
def test_a_ladders_sources_may_be_bare_file_names_as_in_the_design_example():
    data = small()
    data["ladders"][0]["sources"] = ["t.txt", "u.txt"]

    import_content(data)

    sources = Ladder.objects.get(slug="ml-test").sources.all()
    assert [(s.key, s.title, s.url) for s in sources] == [
        ("t.txt", "t.txt", ""),
        ("u.txt", "u.txt", ""),
    ]


@pytest.mark.django_db
def test_a_file_without_the_new_fields_still_imports():
    data = small()
    for question in _questions(data):
        for option in question["options"]:
            for name in ("advice", "notes", "years"):
                option.pop(name, None)
    for rung in _rungs(data):
        for band in rung["salary_bands"]:
            band.pop("context")
    data["ladders"][0]["sources"] = ["t.txt"]

    import_content(data)

    assert Option.objects.get(question__key="scope", key="junior").advice == ""
    assert Quiz.objects.published().filter(slug="ml-test").exists()


@pytest.mark.django_db
def test_omitted_optional_fields_take_the_models_defaults():
    data = small()
    question = _questions(data)[0]
    for name in ("role", "weight", "required", "help", "advice"):
        del question[name]
    del data["quizzes"][0]["threshold"]
    band = _rungs(data)[0]["salary_bands"][0]
    del band["period"], band["note"]

    import_content(data)

    scope = Question.objects.get(key="scope")
    assert (scope.role, scope.weight, scope.required, scope.help, scope.advice) == (
        "evidence",
        1,
        True,
        "",
        "",
    )
    assert Quiz.objects.get(slug="ml-test").threshold == 0.6
    stored = SalaryBand.objects.get(rung__slug="junior", region=band["region"])
    assert (stored.period, stored.note) == ("year", "")


@pytest.mark.parametrize("path", [SMALL, DESIGN_EXAMPLE, SHIPPED_CONTENT], ids=lambda p: p.name)
@pytest.mark.django_db
def test_a_second_import_writes_nothing(path):
    import_content(load_file(path))
    before = row_counts()
    stamp = Ladder.objects.values_list("updated_at", flat=True).first()

    report = import_content(load_file(path))

    assert not report.changed
    assert str(report) == "nothing changed"
    assert row_counts() == before
    assert Ladder.objects.values_list("updated_at", flat=True).first() == stamp


@pytest.mark.parametrize("path", [SMALL, DESIGN_EXAMPLE, SHIPPED_CONTENT], ids=lambda p: p.name)
@pytest.mark.django_db
def test_export_import_export_is_byte_identical(path):
    import_content(load_file(path))
    first = dumps(export_content())

    report = import_content(json.loads(first))

    assert not report.changed
    assert dumps(export_content()) == first


@pytest.mark.django_db
def test_export_writes_every_field_in_the_files_order():
    import_content(small())

    assert dumps(export_content()) == SMALL.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_a_changed_title_updates_one_row_and_writes_one_history_row():
    import_content(small())
    before = row_counts()
    data = small()
    data["ladders"][0]["title"] = "Renamed ladder"

    report = import_content(data)

    assert report["ladders"].updated == 1
    assert report["rungs"].unchanged == 4
    assert not report["skills"].changed
    assert Ladder.objects.get(slug="ml-test").title == "Renamed ladder"
    after = row_counts()
    assert after.pop("Ladder history") == before.pop("Ladder history") + 1
    # The published quiz shows the ladder's content, so it is published again (v2).
    assert after.pop("QuizVersion") == before.pop("QuizVersion") + 1
    assert after == before


@pytest.mark.django_db
def test_reordering_rungs_keeps_their_rows_and_the_options_pointing_at_them():
    import_content(small())
    ids = dict(Rung.objects.values_list("slug", "id"))
    history = Rung.history.count()
    data = small()
    new_orders = {"junior": 2, "mid": 1, "senior": 4, "lead": 3}
    for rung in _rungs(data):
        rung["order"] = new_orders[rung["slug"]]

    report = import_content(data)

    assert dict(Rung.objects.values_list("slug", "order")) == new_orders
    assert dict(Rung.objects.values_list("slug", "id")) == ids
    assert report["rungs"].updated == 4
    # One history row per moved rung: the parking step in between is not recorded.
    assert Rung.history.count() == history + 4
    assert Option.objects.get(question__key="scope", key="mid").rung_id == ids["mid"]
    # Rung orders are part of a published quiz, so the quiz gets a new version.
    assert "ml-test: published v2" in report.publication


@pytest.mark.django_db
def test_rungs_questions_and_options_left_out_of_the_file_are_removed():
    import_content(small())
    data = small()
    del _rungs(data)[3]  # lead
    for question in _questions(data):
        question["options"] = [o for o in question["options"] if o.get("rung") != "lead"]
    del _questions(data)[1]  # ownership

    report = import_content(data)

    assert list(Rung.objects.values_list("slug", flat=True)) == ["junior", "mid", "senior"]
    assert not Question.objects.filter(key="ownership").exists()
    assert not Option.objects.filter(key="lead").exists()
    assert report["rungs"].deleted == 1
    assert report["questions"].deleted == 1


@pytest.mark.django_db
def test_a_file_with_some_ladders_leaves_the_others_alone():
    other = make_ladder(slug="other")
    import_content(small())

    assert Ladder.objects.get(slug="other").rungs.count() == other.rungs.count()


@pytest.mark.django_db
def test_published_false_unpublishes_and_true_republishes_the_same_version():
    import_content(small())
    data = small()
    data["quizzes"][0]["published"] = False

    report = import_content(data)

    assert report.publication == ["ml-test: unpublished"]
    assert not Quiz.objects.get(slug="ml-test").is_published

    report = import_content(small())

    assert report.publication == ["ml-test: published v1"]
    assert report["versions"].unchanged == 1
    assert QuizVersion.objects.count() == 1


@pytest.mark.django_db
def test_a_quiz_without_published_keeps_its_publication():
    import_content(small())
    data = small()
    del data["quizzes"][0]["published"]
    _questions(data)[0]["text"] = "Reworded?"

    import_content(data)

    assert live_version(Quiz.objects.get(slug="ml-test")).number == 1


@pytest.mark.django_db
def test_an_edited_question_publishes_a_new_version():
    import_content(small())
    data = small()
    _questions(data)[0]["advice"] = "Better advice."

    report = import_content(data, by="editor")

    assert report["versions"].created == 1
    version = live_version(Quiz.objects.get(slug="ml-test"))
    assert (version.number, version.published_by) == (2, "editor")


@pytest.mark.django_db
def test_a_quiz_may_name_a_ladder_already_in_the_database():
    import_content(small())
    quiz_only = export_content(quizzes=["ml-test"])
    assert quiz_only["ladders"] == []
    Quiz.objects.all().delete()

    import_content(quiz_only)

    assert Quiz.objects.get(slug="ml-test").questions.count() == 6


@pytest.mark.django_db
def test_a_dry_run_reports_the_changes_and_writes_nothing():
    report = import_content(small(), dry_run=True)

    assert report["ladders"].created == 1
    assert report["versions"].created == 1
    assert all(count == 0 for count in row_counts().values())


def test_yaml_files_load_like_json(tmp_path):
    path = tmp_path / "content.yaml"
    path.write_text(yaml.safe_dump(small(), allow_unicode=True), encoding="utf-8")

    assert load_file(path) == small()


# Bad files: each names its field, and the database is left exactly as it was.

Mutation = Callable[[dict], None]


def _walk(data: dict, path: str) -> tuple[Any, str | int]:
    """The container holding the field at a path like ladders[0].title, and its key."""
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    target: Any = data
    for part in parents:
        target = target[int(part) if part.isdigit() else part]
    return target, int(last) if last.isdigit() else last


def _set(path: str, value: Any) -> Mutation:
    def mutate(data: dict) -> None:
        target, key = _walk(data, path)
        target[key] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: dict) -> None:
        target, key = _walk(data, path)
        del target[key]

    return mutate


def _add_other_ladder_and_point_an_option_at_it(data: dict) -> None:
    data["ladders"].append(
        {
            "slug": "data-eng",
            "title": "Data engineer",
            "rungs": [{"slug": "apprentice", "order": 1, "title": "A", "question": "Q?"}],
        }
    )
    _questions(data)[0]["options"][0]["rung"] = "apprentice"


def _only_non_evidence_questions(data: dict) -> None:
    data["quizzes"][0]["questions"] = [q for q in _questions(data) if q["role"] != "evidence"]


def _duplicate_ladder(data: dict) -> None:
    data["ladders"].append(copy.deepcopy(data["ladders"][0]))


def _duplicate_quiz(data: dict) -> None:
    data["quizzes"].append(copy.deepcopy(data["quizzes"][0]))


RUNG_2 = "ladders[0].rungs[2]"
Q0 = "quizzes[0].questions[0]"
BAD_FILES: list[tuple[str, Mutation, str]] = [
    ("wrong format", _set("format", "careerquiz/2"), f"format: {MSG_FORMAT}"),
    (
        "unknown top field",
        _set("extra", 1),
        "extra: " + MSG_UNKNOWN_FIELD.format(allowed="format, ladders, quizzes"),
    ),
    ("unknown rung field", _set("ladders[0].rungs[1].colour", "red"), "rungs[1].colour: unknown"),
    (
        "missing field",
        _delete("ladders[0].rungs[1].title"),
        f"ladders[0].rungs[1].title: {MSG_MISSING}",
    ),
    ("wrong type", _set("ladders[0].rungs[0].order", "1"), f"rungs[0].order: {MSG_INTEGER}"),
    # JSON true is a Python int subclass; it must not pass as 1.
    ("boolean as integer", _set("ladders[0].rungs[0].order", True), f"order: {MSG_INTEGER}"),
    ("boolean as weight", _set(f"{Q0}.weight", True), f"{Q0}.weight: {MSG_NUMBER}"),
    (
        "boolean as salary",
        _set("ladders[0].rungs[0].salary_bands[0].min", False),
        f"salary_bands[0].min: {MSG_INTEGER}",
    ),
    ("unknown option field", _set(f"{Q0}.options[0].score", 3), f"{Q0}.options[0].score: unknown"),
    (
        "bad period",
        _set("ladders[0].rungs[0].salary_bands[0].period", "week"),
        "salary_bands[0].period: " + MSG_CHOICE.format(choices="year, month, hour"),
    ),
    ("bad next-step kind", _set(f"{RUNG_2}.next_steps[0].kind", "tip"), "next_steps[0].kind: must"),
    ("bad note kind", _set("ladders[0].notes[0].kind", "aside"), "ladders[0].notes[0].kind: must"),
    ("list not object", _set("ladders[0].rungs", {}), f"ladders[0].rungs: {MSG_LIST}"),
    ("ladder not object", _set("ladders[0]", "ml"), f"ladders[0]: {MSG_OBJECT}"),
    (
        "min > max",
        _set(f"{RUNG_2}.salary_bands[0].max", 100),
        f"{RUNG_2}.salary_bands[0].max: {MSG_MIN_GT_MAX}",
    ),
    (
        "years_max < years_min",
        _set("ladders[0].rungs[1].years_max", 1),
        f"ladders[0].rungs[1].years_max: {MSG_YEARS}",
    ),
    (
        "currency does not fit region",
        _set("ladders[0].rungs[0].salary_bands[1].currency", "INR"),
        "ladders[0].rungs[0].salary_bands[1].currency: "
        + MSG_CURRENCY_REGION.format(currency="INR", region="US"),
    ),
    (
        "region not a code",
        _set("ladders[0].rungs[0].salary_bands[0].region", "india"),
        f"salary_bands[0].region: {MSG_REGION}",
    ),
    (
        "duplicate order",
        _set("ladders[0].rungs[1].order", 1),
        "ladders[0].rungs[1].order: "
        + MSG_DUPLICATE.format(what="order", value=1, first="ladders[0].rungs[0].order"),
    ),
    (
        "duplicate rung slug",
        _set("ladders[0].rungs[1].slug", "junior"),
        "ladders[0].rungs[1].slug: duplicate slug 'junior'",
    ),
    (
        "duplicate skill on a rung",
        _set("ladders[0].rungs[0].skills[1].name", "Python"),
        "ladders[0].rungs[0].skills[1].name: duplicate skill 'Python'",
    ),
    ("bad slug", _set(f"{RUNG_2}.slug", "Senior Engineer"), f"{RUNG_2}.slug: {MSG_SLUG}"),
    (
        "bad choice",
        _set("ladders[0].rungs[0].skills[0].importance", "urgent"),
        "skills[0].importance: " + MSG_CHOICE.format(choices="high, medium-high, medium, low"),
    ),
    ("bad url", _set(f"{RUNG_2}.next_steps[0].url", "example"), f"next_steps[0].url: {MSG_URL}"),
    (
        "responsibility of the wrong type",
        _set("ladders[0].rungs[0].responsibilities[0]", 5),
        f"ladders[0].rungs[0].responsibilities[0]: {MSG_RESPONSIBILITY}",
    ),
    (
        "sources not strings",
        _set("ladders[0].sources", [1]),
        f"ladders[0].sources[0]: {MSG_OBJECT}",
    ),
    (
        "source without a title",
        _delete("ladders[0].sources[0].title"),
        f"ladders[0].sources[0].title: {MSG_MISSING}",
    ),
    (
        "duplicate source key",
        _set("ladders[0].sources", ["t.txt", {"key": "t.txt", "title": "Again"}]),
        "ladders[0].sources[1].key: duplicate source 't.txt'",
    ),
    (
        "rung sources not strings",
        _set("ladders[0].rungs[0].sources", [1]),
        f"ladders[0].rungs[0].sources: {MSG_SOURCES}",
    ),
    (
        "notes of the wrong shape",
        _set("quizzes[0].questions[3].options[0].notes", [{"text": "x", "title": "sideways"}]),
        f"quizzes[0].questions[3].options[0].notes: {MSG_NOTES_SHAPE}",
    ),
    (
        "a note for a rung the ladder lacks",
        _set("quizzes[0].questions[3].options[0].notes", [{"text": "x", "placed": ["boss"]}]),
        "quizzes[0].questions[3].options[0].notes: "
        + MSG_NOTE_UNKNOWN_RUNG.format(rung="boss", ladder="ml-test"),
    ),
    (
        "years backwards",
        _set("quizzes[0].questions[5].options[0].years", [5, 2]),
        f"quizzes[0].questions[5].options[0].years: {MSG_ANSWER_YEARS}",
    ),
    (
        "years not a pair",
        _set("quizzes[0].questions[5].options[0].years", "0-2"),
        f"quizzes[0].questions[5].options[0].years: {MSG_ANSWER_YEARS}",
    ),
    ("duplicate ladder slug", _duplicate_ladder, "ladders[1].slug: duplicate slug 'ml-test'"),
    ("duplicate quiz slug", _duplicate_quiz, "quizzes[1].slug: duplicate slug 'ml-test'"),
    (
        "unknown quiz ladder",
        _set("quizzes[0].ladder", "nope"),
        "quizzes[0].ladder: " + MSG_UNKNOWN_LADDER.format(ladder="nope"),
    ),
    (
        "option rung of another ladder",
        _add_other_ladder_and_point_an_option_at_it,
        f"{Q0}.options[0].rung: "
        + MSG_FOREIGN_RUNG.format(rung="apprentice", other="data-eng", ladder="ml-test"),
    ),
    (
        "option rung unknown",
        _set(f"{Q0}.options[0].rung", "principal"),
        f"{Q0}.options[0].rung: " + MSG_UNKNOWN_RUNG.format(ladder="ml-test", rung="principal"),
    ),
    (
        "evidence option without a rung",
        _delete(f"{Q0}.options[0].rung"),
        f"{Q0}.options[0].rung: " + MSG_NEEDS_RUNG.format(role="evidence"),
    ),
    (
        "title option rung unknown",
        _set("quizzes[0].questions[2].options[0].rung", "principal"),
        "quizzes[0].questions[2].options[0].rung: "
        + MSG_UNKNOWN_RUNG.format(ladder="ml-test", rung="principal"),
    ),
    (
        "title option without a rung",
        _set("quizzes[0].questions[2].options[0].rung", None),
        "quizzes[0].questions[2].options[0].rung: " + MSG_NEEDS_RUNG.format(role="title"),
    ),
    (
        "skills option with a rung",
        _set("quizzes[0].questions[4].options[0].rung", "junior"),
        "quizzes[0].questions[4].options[0].rung: " + MSG_NO_RUNG.format(role="skills"),
    ),
    (
        "context option with a rung",
        _set("quizzes[0].questions[3].options[0].rung", "junior"),
        "quizzes[0].questions[3].options[0].rung: " + MSG_NO_RUNG.format(role="context"),
    ),
    (
        "skills option with an unknown skill",
        _set("quizzes[0].questions[4].options[0].skill", "Rust"),
        "quizzes[0].questions[4].options[0].skill: "
        + MSG_UNKNOWN_SKILL.format(ladder="ml-test", skill="Rust"),
    ),
    (
        "skills option without a skill",
        _delete("quizzes[0].questions[4].options[0].skill"),
        f"quizzes[0].questions[4].options[0].skill: {MSG_NEEDS_SKILL}",
    ),
    (
        "evidence question without options",
        _set(f"{Q0}.options", []),
        f"{Q0}.options: {MSG_NO_OPTIONS}",
    ),
    ("question missing options", _delete(f"{Q0}.options"), f"{Q0}.options: {MSG_MISSING}"),
    ("threshold 0", _set("quizzes[0].threshold", 0), f"quizzes[0].threshold: {MSG_THRESHOLD}"),
    ("threshold > 1", _set("quizzes[0].threshold", 1.5), f"quizzes[0].threshold: {MSG_THRESHOLD}"),
    ("weight 0", _set(f"{Q0}.weight", 0), f"{Q0}.weight: {MSG_POSITIVE}"),
    ("weight as text", _set(f"{Q0}.weight", "1"), f"{Q0}.weight: {MSG_NUMBER}"),
    ("unknown role", _set(f"{Q0}.role", "quiz"), f"{Q0}.role: must be one of: evidence,"),
    ("published not a boolean", _set("quizzes[0].published", "yes"), f"published: {MSG_BOOLEAN}"),
    (
        "duplicate question key",
        _set("quizzes[0].questions[1].key", "scope"),
        "quizzes[0].questions[1].key: duplicate key 'scope'",
    ),
    (
        "duplicate option key",
        _set(f"{Q0}.options[1].key", "junior"),
        f"{Q0}.options[1].key: duplicate key 'junior'",
    ),
    (
        "published without evidence questions",
        _only_non_evidence_questions,
        f"quizzes[0].published: {MSG_NO_EVIDENCE}",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
@pytest.mark.django_db
def test_a_bad_file_names_the_field_and_changes_nothing(mutate, expected):
    import_content(small())
    before = row_counts()
    data = small()
    # Changes a partial write would show, were anything written.
    data["ladders"][0]["title"] = "Changed ladder"
    _questions(data)[1]["text"] = "Changed question?"
    mutate(data)

    with pytest.raises(ContentInvalid) as caught:
        import_content(data)

    assert any(expected in message for message in messages(caught.value)), messages(caught.value)
    assert row_counts() == before
    assert Ladder.objects.get(slug="ml-test").title == "ML test ladder"
    assert Question.objects.get(key="ownership").text == "Question ownership?"


@pytest.mark.django_db
def test_every_error_in_a_file_is_reported_at_once():
    data = small()
    _rungs(data)[2]["salary_bands"][0]["max"] = 100
    del _rungs(data)[1]["title"]
    _questions(data)[0]["weight"] = -1

    errors = validate(data)

    assert [str(e) for e in errors] == [
        f"ladders[0].rungs[1].title: {MSG_MISSING}",
        f"ladders[0].rungs[2].salary_bands[0].max: {MSG_MIN_GT_MAX}",
        f"quizzes[0].questions[0].weight: {MSG_POSITIVE}",
    ]


def test_content_errors_read_as_path_colon_message():
    error = ContentError("ladders[0].rungs[2].salary_bands[0].max", MSG_MIN_GT_MAX)

    assert str(error) == "ladders[0].rungs[2].salary_bands[0].max: must be >= min"


@pytest.mark.django_db
def test_a_rung_another_quiz_still_uses_is_not_removed():
    import_content(small())
    make_quiz(Ladder.objects.get(slug="ml-test"), slug="other-quiz", with_extras=False)
    before = row_counts()
    data = small()
    del _rungs(data)[3]  # lead
    for question in _questions(data):
        question["options"] = [o for o in question["options"] if o.get("rung") != "lead"]

    with pytest.raises(ContentInvalid) as caught:
        import_content(data)

    expected = "ladders[0].rungs: " + MSG_RUNG_IN_USE.format(
        rung="lead", option="lead", question="q1", quiz="other-quiz"
    )
    assert expected in messages(caught.value)
    assert row_counts() == before


@pytest.mark.django_db
def test_an_option_may_not_point_at_a_rung_of_a_stored_ladder():
    make_ladder(slug="stored", rungs=("apprentice",))
    data = small()
    _questions(data)[0]["options"][0]["rung"] = "apprentice"

    with pytest.raises(ContentInvalid) as caught:
        import_content(data)

    assert messages(caught.value) == [
        "quizzes[0].questions[0].options[0].rung: "
        + MSG_FOREIGN_RUNG.format(rung="apprentice", other="stored", ladder="ml-test")
    ]
    assert not Ladder.objects.filter(slug="ml-test").exists()


def test_malformed_json_is_reported_with_its_line_and_column(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "format": "careerquiz/1",\n  "ladders": [\n}\n', encoding="utf-8")

    with pytest.raises(ContentInvalid) as caught:
        load_file(path)

    [error] = caught.value.errors
    assert error.path == "$"
    assert error.message.startswith("not valid JSON")
    assert "(line 4, column 1)" in error.message


def test_a_key_given_twice_is_an_error(tmp_path):
    path = tmp_path / "twice.json"
    path.write_text('{"format": "careerquiz/1", "format": "careerquiz/1"}', encoding="utf-8")

    with pytest.raises(ContentInvalid) as caught:
        load_file(path)

    assert messages(caught.value) == ["$: " + MSG_DUPLICATE_KEY.format(key="format")]


def test_a_missing_file_is_reported_not_raised(tmp_path):
    with pytest.raises(ContentInvalid) as caught:
        load_file(tmp_path / "nope.json")

    assert messages(caught.value)[0].startswith("$: cannot read")


@pytest.mark.django_db
def test_a_document_that_is_not_an_object_is_rejected():
    assert [str(e) for e in validate([])] == [f"$: {MSG_OBJECT}"]


# The commands


@pytest.mark.django_db
def test_import_command_reports_what_it_did_then_that_nothing_changed():
    out = StringIO()
    call_command("import_content", str(SMALL), stdout=out)

    text = out.getvalue()
    assert f"Imported {SMALL}:" in text
    assert "  rungs: 4 created" in text
    assert "  ml-test: published v1" in text
    assert live_version(Quiz.objects.get(slug="ml-test")).published_by == "import_content"

    out = StringIO()
    call_command("import_content", str(SMALL), stdout=out)

    assert out.getvalue() == MSG_NO_CHANGES + "\n"


@pytest.mark.django_db
def test_import_command_dry_run_writes_nothing():
    out = StringIO()
    call_command("import_content", str(SMALL), "--dry-run", stdout=out)

    assert MSG_DRY_RUN.format(file=SMALL) in out.getvalue()
    assert "ladders: 1 created" in out.getvalue()
    assert not Ladder.objects.exists()


@pytest.mark.django_db
def test_import_command_prints_each_error_and_fails(tmp_path):
    call_command("import_content", str(SMALL), stdout=StringIO())
    before = row_counts()
    data = small()
    _rungs(data)[2]["salary_bands"][0]["max"] = 100
    _rungs(data)[0]["salary_bands"][1]["currency"] = "INR"
    path = tmp_path / "bad.json"
    path.write_text(dumps(data), encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError, match="2 error"):
        call_command("import_content", str(path), stdout=StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "ladders[0].rungs[0].salary_bands[1].currency: "
        + MSG_CURRENCY_REGION.format(currency="INR", region="US"),
        f"ladders[0].rungs[2].salary_bands[0].max: {MSG_MIN_GT_MAX}",
    ]
    assert row_counts() == before


@pytest.mark.django_db
def test_import_command_reports_malformed_json_and_changes_nothing(tmp_path):
    call_command("import_content", str(SMALL), stdout=StringIO())
    before = row_counts()
    path = tmp_path / "bad.json"
    path.write_text('{"format": "careerquiz/1",', encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_content", str(path), stderr=err)

    assert err.getvalue().startswith("$: not valid JSON")
    assert row_counts() == before


def _with_note_body(body: str) -> str:
    data = small()
    data["ladders"][0]["notes"][0]["body"] = body
    return json.dumps(data)


def _with_notes_twice() -> str:
    data = small()
    data["ladders"][0]["notes"] *= 2
    return json.dumps(data)


HOSTILE_FILES = {
    "NUL": (
        lambda: _with_note_body("a\x00b"),
        ["ladders[0].notes[0].body: " + files.MSG_NUL],
    ),
    "lone surrogate": (
        lambda: json.dumps(small()).replace('"Titles drift', '"\\ud800 Titles drift', 1),
        ["ladders[0].notes[0].body: " + files.MSG_SURROGATE],
    ),
    "lone surrogate key": (
        lambda: json.dumps(small()).replace('"format"', '"\\udfff": 1, "format"', 1),
        ["\\udfff: " + files.MSG_SURROGATE],
    ),
    "100k deep": (
        lambda: '{"format": "careerquiz/1", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        ["$: " + files.MSG_TOO_DEEP.format(depth=files.MAX_DEPTH)],
    ),
    "30 deep": (
        lambda: '{"format": "careerquiz/1", "x": ' + "[" * 30 + "]" * 30 + "}",
        ["x" + "[0]" * 20 + ": " + files.MSG_TOO_DEEP.format(depth=files.MAX_DEPTH)],
    ),
    "a 30,000-character field": (
        lambda: _with_note_body("x" * 30_000),
        [
            "ladders[0].notes[0].body: "
            + files.MSG_TOO_LONG.format(length=30_000, limit=files.MAX_TEXT_CHARS)
        ],
    ),
    "a 12 MB file": (
        lambda: _with_note_body("x" * (12 * 1024 * 1024)),
        ["$: the file is "],
    ),
    "a 5,000-digit number": (
        lambda: json.dumps(small()).replace('"format"', '"x": ' + "9" * 5000 + ', "format"', 1),
        ["$: not valid JSON: a value cannot be read (Exceeds the limit (4300 digits)"],
    ),
    "two notes with one key": (
        lambda: _with_notes_twice(),
        ["ladders[0].notes[2].key: duplicate note key 'services-vs-product', also at "],
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", HOSTILE_FILES, ids=list(HOSTILE_FILES))
def test_a_hostile_file_is_refused_cleanly_and_writes_nothing(tmp_path, case):
    call_command("import_content", str(SMALL), stdout=StringIO())
    before = row_counts()
    make, expected = HOSTILE_FILES[case]
    path = tmp_path / "hostile.json"
    path.write_text(make(), encoding="utf-8", errors="surrogatepass")
    err = StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_content", str(path), stdout=StringIO(), stderr=err)

    lines = err.getvalue().splitlines()
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert row_counts() == before


@pytest.mark.django_db
def test_a_yaml_value_python_cannot_read_is_refused_cleanly(tmp_path):
    path = tmp_path / "bad-date.yaml"
    path.write_text("format: careerquiz/1\nladders:\n  - slug: 2024-13-45\n", encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_content", str(path), stdout=StringIO(), stderr=err)

    assert err.getvalue().startswith(
        "$: " + files.MSG_BAD_VALUE.format(kind="YAML", error="month must be in 1..12")
    )


def test_manage_py_exits_non_zero_without_a_traceback(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("not json", encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "manage.py", "import_content", str(path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "$: not valid JSON" in result.stderr
    assert "nothing was imported" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_export_command_writes_json_to_stdout():
    import_content(small())
    out = StringIO()

    call_command("export_content", "-", stdout=out)

    assert out.getvalue() == SMALL.read_text(encoding="utf-8")
    assert "Pan-India – estimate" in out.getvalue()  # not escaped as \u2013


@pytest.mark.django_db
def test_export_command_writes_a_file_that_imports_back(tmp_path):
    import_content(small())
    path = tmp_path / "out.json"
    out = StringIO()

    call_command("export_content", str(path), stdout=out)

    assert MSG_WROTE.format(ladders=1, quizzes=1, file=path) in out.getvalue()
    assert path.read_text(encoding="utf-8").endswith("}\n")
    assert not import_content(load_file(path)).changed


@pytest.mark.django_db
def test_export_command_selects_ladders_and_quizzes_by_slug():
    import_content(small())
    make_ladder(slug="other")

    out = StringIO()
    call_command("export_content", "-", "--ladder", "other", "--ladder", "ml-test", stdout=out)
    exported = json.loads(out.getvalue())
    assert [ladder["slug"] for ladder in exported["ladders"]] == ["ml-test", "other"]
    assert exported["quizzes"] == []

    out = StringIO()
    call_command("export_content", "-", "--quiz", "ml-test", stdout=out)
    exported = json.loads(out.getvalue())
    assert exported["ladders"] == []
    assert [quiz["slug"] for quiz in exported["quizzes"]] == ["ml-test"]


@pytest.mark.django_db
def test_export_command_refuses_an_unknown_slug():
    with pytest.raises(CommandError, match="no ladder with slug nope"):
        call_command("export_content", "-", "--ladder", "nope", stdout=StringIO())


# --- What an import changes, as the admin's preview lists it -------------------------------


@pytest.mark.django_db
def test_the_preview_of_a_file_already_imported_lists_no_change():
    import_content(small())
    assert [(group.kind, group.slug, group.lines) for group in import_changes(small())] == [
        ("ladder", "ml-test", ()),
        ("quiz", "ml-test", ()),
    ]


@pytest.mark.django_db
def test_the_preview_reads_edits_by_natural_identity_field_by_field():
    import_content(small())
    data = small()
    rungs = data["ladders"][0]["rungs"]
    rungs[1]["salary_bands"][1]["max"] = 195_000
    rungs[1]["salary_bands"].reverse()
    del rungs[0]["skills"][1]
    data["quizzes"][0]["questions"][0]["text"] = "Reworded?"
    data["quizzes"][0]["published"] = False

    ladder, quiz = import_changes(data)

    assert ladder.lines == (
        "junior · removed skill SQL",
        "mid · US · max 190,000 → 195,000",
        "mid · salary bands reordered",
    )
    key = data["quizzes"][0]["questions"][0]["key"]
    assert quiz.lines[0] == "published yes → no"
    assert quiz.lines[1].startswith(f"{key} · text “")
    assert quiz.lines[1].endswith("→ “Reworded?”")


@pytest.mark.django_db
def test_an_import_names_the_published_quizzes_whose_live_version_it_left_behind():
    import_content(small())
    raised = small()
    raised["ladders"][0]["rungs"][1]["salary_bands"][1]["max"] = 195_000

    republished = import_content(copy.deepcopy(raised), dry_run=True)
    assert republished.stale == []  # the file publishes the quiz again

    del raised["quizzes"][0]["published"]
    assert import_content(copy.deepcopy(raised), dry_run=True).stale == ["ml-test"]
    assert import_content(raised).stale == ["ml-test"]
    assert import_content(small()).stale == []  # published again, with the old pay
