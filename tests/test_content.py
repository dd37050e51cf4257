"""The shipped Machine Learning Engineer ladder and quiz: complete, sourced and honest.

These tests read the content as editors and visitors get it: imported from the
shipped `careerquiz/1` file into the database, then checked rung by rung.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from careerquiz.content import (
    SHIPPED_CONTENT,
    dumps,
    export_content,
    import_content,
    load_file,
    validate,
)
from ladder.models import Ladder, LadderNote, Rung, SalaryBand, Skill
from quiz.models import Option, Question, Quiz

SEEDS_DIR = Path(settings.BASE_DIR).parent / "shared" / "seeds"
MSG_NO_SEEDS = f"seed texts not found at {SEEDS_DIR}, so source names cannot be checked"

SEED_000 = "000_d7195fff7a5e005f.txt"
SEED_002 = "002_d3d2731f1624f2ed.txt"
SEED_003 = "003_ba5673c5088e9ea1.txt"
SEED_004 = "004_dd3532ce783bed2c.txt"

# Seed 000's honest rungs, lowest first: what each rung is defined by.
HONEST_RUNGS = [
    ("junior", "Can you do the task?"),
    ("mid", "Can you own a problem, not just a task?"),
    ("senior", "Can you be trusted with the ambiguous and the risky?"),
    ("lead", "Can you make other people better?"),
]
RUNG_SLUGS = [slug for slug, _ in HONEST_RUNGS]

# Options must describe behaviour; these would smuggle in credentials or tenure.
NOT_BEHAVIOUR = re.compile(r"certif|course|degree|\b\d+\+?\s*years?\b", re.IGNORECASE)


@pytest.fixture
def ml_ladder(shipped_version) -> Ladder:
    return Ladder.objects.get(slug="ml-engineer")


@pytest.fixture
def ml_quiz(ml_ladder: Ladder) -> Quiz:
    return Quiz.objects.get(slug="ml-engineer")


def _rung(ladder: Ladder, slug: str) -> Rung:
    return ladder.rungs.get(slug=slug)


@pytest.mark.django_db
def test_the_shipped_file_validates_with_no_errors():
    assert [str(error) for error in validate(load_file(SHIPPED_CONTENT))] == []


def test_importing_the_shipped_file_again_changes_nothing(ml_quiz):
    report = import_content(load_file(SHIPPED_CONTENT))
    assert str(report) == "nothing changed"
    assert ml_quiz.versions.count() == 1


def test_exporting_the_shipped_content_writes_the_shipped_file(ml_ladder):
    # The file is kept in export form, so an editor's export diffs cleanly against it.
    assert dumps(export_content()) == SHIPPED_CONTENT.read_text(encoding="utf-8")


def test_the_rungs_are_seed_000s_honest_rungs_in_order(ml_ladder):
    rungs = list(ml_ladder.rungs.order_by("order"))
    assert [(r.slug, r.question) for r in rungs] == HONEST_RUNGS
    assert [r.order for r in rungs] == [1, 2, 3, 4]


@pytest.mark.parametrize("slug", RUNG_SLUGS)
def test_every_rung_is_complete(ml_ladder, slug):
    rung = _rung(ml_ladder, slug)
    regions = {band.region for band in rung.salary_bands.all()}
    assert {"IN", "US"} <= regions, f"{slug} lacks an India or a US salary band"
    assert rung.skills.count() >= 5
    assert rung.question.strip()
    # The top rung has nothing above it on the ladder, but it still says how scope widens.
    assert rung.moves_you_up.strip()
    assert rung.keeps_you_stuck.strip()
    assert rung.summary.strip()
    assert rung.responsibilities.exists()
    assert rung.titles.exists()
    assert rung.next_steps.exists()
    assert rung.sources


def test_years_are_shown_beside_the_rungs_and_the_top_is_open_ended(ml_ladder):
    years = [(r.years_min, r.years_max) for r in ml_ladder.rungs.order_by("order")]
    assert years == [(0, 2), (2, 5), (5, 8), (8, None)]


def _named_sources(ladder: Ladder) -> list[tuple[str, str]]:
    """(where, source) for every source the ladder and its items name."""
    named = [("ladder", name) for name in ladder.source_keys]
    named += [(f"note {note.key}", note.source) for note in ladder.notes.all()]
    for rung in ladder.rungs.with_content():
        named += [(f"{rung.slug} sources", name) for name in rung.sources]
        for related in ("responsibilities", "titles", "skills", "salary_bands", "next_steps"):
            named += [
                (f"{rung.slug} {related}: {item}", item.source)
                for item in getattr(rung, related).all()
            ]
    return named


def test_every_item_names_a_seed_file_that_exists(ml_ladder):
    if not SEEDS_DIR.is_dir():
        pytest.skip(MSG_NO_SEEDS)
    seeds = {path.name for path in SEEDS_DIR.iterdir()}
    named = _named_sources(ml_ladder)
    assert len(named) > 100
    unknown = [(where, source) for where, source in named if source not in seeds]
    assert unknown == []


def test_the_ladder_draws_on_all_five_seeds(ml_ladder):
    if not SEEDS_DIR.is_dir():
        pytest.skip(MSG_NO_SEEDS)
    seeds = {path.name for path in SEEDS_DIR.iterdir()}
    assert set(ml_ladder.source_keys) == seeds
    assert {source for _, source in _named_sources(ml_ladder)} == seeds


def test_every_source_is_titled_with_its_seeds_first_line(ml_ladder):
    if not SEEDS_DIR.is_dir():
        pytest.skip(MSG_NO_SEEDS)
    for source in ml_ladder.sources.all():
        first_line = (SEEDS_DIR / source.key).read_text(encoding="utf-8").splitlines()[0]
        assert source.title == first_line.strip(), source.key


def test_junior_india_pay_keeps_both_seeds_rather_than_a_midpoint(ml_ladder):
    bands = {
        (band.min, band.max, band.source)
        for band in _rung(ml_ladder, "junior").salary_bands.filter(region="IN")
    }
    assert bands == {(1_000_000, 2_200_000, SEED_002), (500_000, 900_000, SEED_003)}


def test_senior_india_mnc_total_comp_is_a_separate_band_with_a_note(ml_ladder):
    mnc = SalaryBand.objects.get(rung=_rung(ml_ladder, "senior"), region="IN", min=8_000_000)
    assert (mnc.max, mnc.source) == (15_000_000, SEED_002)
    assert "stock" in mnc.note


def test_an_open_ended_top_band_says_so(ml_ladder):
    band = SalaryBand.objects.get(rung=_rung(ml_ladder, "lead"), region="US", source=SEED_004)
    assert (band.min, band.max) == (220_000, 350_000)
    assert "350K+" in band.note


def test_every_band_is_in_the_regions_currency(ml_ladder):
    currencies = set(
        SalaryBand.objects.filter(rung__ladder=ml_ladder).values_list("region", "currency")
    )
    assert currencies == {("IN", "INR"), ("US", "USD")}


def test_the_india_caveats_and_the_staff_track_are_ladder_notes(ml_ladder):
    notes = {note.key: note for note in ml_ladder.notes.all()}
    assert notes["services-vs-product"].kind == LadderNote.Kind.CAVEAT
    assert notes["services-vs-product"].source == SEED_000
    assert notes["pay-tracks-ownership"].kind == LadderNote.Kind.CAVEAT
    assert notes["staff-track"].kind == LadderNote.Kind.TRACK
    kinds = {note.kind for note in notes.values()}
    assert kinds == {"faq", "caveat", "track", "challenge"}


def test_certifications_say_they_do_not_move_you_up(ml_ladder):
    certifications = ml_ladder.rungs.get(slug="junior").next_steps.filter(kind="certification")
    assert certifications.exists()
    for step in certifications:
        assert "will not move you up" in step.detail, step.title


def test_a_junior_gets_seed_003s_learning_path(ml_ladder):
    # Steps with a condition are for some visitors only: those coming from data science,
    # and (`unticked`) those who have not ticked the skills a step teaches.
    steps = _rung(ml_ladder, "junior").next_steps.filter(kind="learning_path")
    path = [s for s in steps if not s.when or set(s.when) == {"unticked"}]
    assert [s.title.split(":")[0] for s in path] == [f"Step {n}" for n in range(1, 7)]
    assert {step.source for step in path} == {SEED_003}


def test_the_quiz_is_published_at_the_documented_threshold(ml_quiz, ml_ladder):
    assert ml_quiz.ladder == ml_ladder
    assert ml_quiz.threshold == pytest.approx(0.6)
    assert ml_quiz.is_published
    assert Quiz.objects.published().filter(pk=ml_quiz.pk).exists()


def test_the_quiz_intro_states_the_honest_ladder_stance(ml_quiz):
    assert "what you own" in ml_quiz.intro
    assert "do not decide" in ml_quiz.intro


def test_the_quiz_has_8_to_12_evidence_questions_offering_every_rung_in_order(ml_quiz):
    evidence = list(ml_quiz.questions.filter(role=Question.Role.EVIDENCE))
    assert 8 <= len(evidence) <= 12
    for question in evidence:
        # Answers for a track ("I manage the people who do this") name no rung.
        ranked = question.options.exclude(rung=None).order_by("position")
        option_rungs = [option.rung.slug for option in ranked]
        assert list(dict.fromkeys(option_rungs)) == RUNG_SLUGS, question.key
        orders = [option.rung.order for option in ranked]
        assert orders == sorted(orders), question.key


def test_answers_that_name_no_rung_name_a_track_and_are_never_a_rung(ml_quiz):
    unranked = Option.objects.filter(
        question__quiz=ml_quiz, question__role=Question.Role.EVIDENCE, rung=None
    )
    assert {option.track for option in unranked} == {"people-leadership", "none"}
    no_ai = unranked.get(question__key="ai-review", key="no-ai")
    assert no_ai.track == "none"  # not using a tool is no rung at all
    managing = unranked.filter(track="people-leadership").values_list("question__key", flat=True)
    assert {"depth", "risky-work", "unclear-work", "track-record"} <= set(managing)


def test_every_evidence_answer_below_the_top_says_how_to_reach_the_next_one(ml_quiz):
    options = Option.objects.filter(question__quiz=ml_quiz, question__role=Question.Role.EVIDENCE)
    for option in options.exclude(rung=None).select_related("rung"):
        assert option.rung is not None
        if option.rung.slug == RUNG_SLUGS[-1]:
            assert option.advice == "", option.key  # nothing above the top rung
        else:
            assert option.advice.strip(), f"{option.question.key}/{option.key} has no advice"


def test_the_quiz_keeps_to_about_fifteen_steps(ml_quiz):
    # Unclear and risky work are asked apart (issue 18): one step more than before.
    assert 13 <= ml_quiz.questions.count() + 1 <= 16  # + the region step


def test_evidence_options_describe_behaviour_not_credentials_or_tenure(ml_quiz):
    texts = Option.objects.filter(
        question__quiz=ml_quiz, question__role=Question.Role.EVIDENCE
    ).values_list("text", flat=True)
    assert [text for text in texts if NOT_BEHAVIOUR.search(text)] == []


def test_only_the_core_ownership_question_weighs_more(ml_quiz):
    weights = {
        question.key: question.weight
        for question in ml_quiz.questions.filter(role=Question.Role.EVIDENCE)
    }
    assert weights.pop("ownership") == 2
    assert set(weights.values()) == {1}


def test_the_quiz_asks_title_company_years_certificates_and_skills_but_not_region(ml_quiz):
    roles = dict(ml_quiz.questions.values_list("key", "role"))
    assert roles["title"] == Question.Role.TITLE
    assert roles["company"] == Question.Role.CONTEXT
    assert roles["years"] == Question.Role.CONTEXT
    assert roles["certificates"] == Question.Role.CONTEXT
    assert roles["skills"] == Question.Role.SKILLS
    assert "region" not in roles
    for optional in ("skills", "years", "certificates"):
        assert not ml_quiz.questions.get(key=optional).required


def test_years_answers_line_up_with_the_rungs_typical_years(ml_quiz, ml_ladder):
    answers = ml_quiz.questions.get(key="years").options.order_by("position")
    rungs = ml_ladder.rungs.order_by("order")
    assert [(o.years_min, o.years_max) for o in answers] == [
        (r.years_min, r.years_max) for r in rungs
    ]


def test_every_title_option_maps_to_a_rung_and_a_fresher_is_junior(ml_quiz):
    options = ml_quiz.questions.get(key="title").options.all()
    assert all(option.rung is not None for option in options)
    assert options.get(key="fresher").rung.slug == "junior"
    assert {option.rung.slug for option in options} == set(RUNG_SLUGS)


def test_skills_options_name_skills_that_exist_on_the_ladder(ml_quiz, ml_ladder):
    ladder_skills = set(Skill.objects.filter(rung__ladder=ml_ladder).values_list("name", flat=True))
    names = list(ml_quiz.questions.get(key="skills").options.values_list("skill", flat=True))
    assert len(names) >= 8
    assert set(names) <= ladder_skills


def test_the_company_question_covers_in_house_and_small_services_teams(ml_quiz):
    keys = set(ml_quiz.questions.get(key="company").options.values_list("key", flat=True))
    assert keys == {"services", "consulting", "product", "in-house", "research", "other"}


def test_the_services_caveat_has_a_variant_for_each_side_of_the_ladder(ml_quiz):
    services = ml_quiz.questions.get(key="company").options.get(key="services")
    placed = [set(note.get("placed", [])) for note in services.notes]
    assert {"junior"} in placed
    assert {"mid", "senior", "lead"} in placed
    assert "titled senior while doing junior work" in services.note


def test_certificates_are_said_not_to_move_the_rung(ml_quiz):
    held = ml_quiz.questions.get(key="certificates").options.exclude(key="none")
    for option in held:
        assert option.note.strip(), option.key
    # Holding none needs no caveat, except the entry-level one, for people placed Junior.
    none = ml_quiz.questions.get(key="certificates").options.get(key="none")
    assert none.note == ""
    assert [note["placed"] for note in none.notes] == [["junior"]]
    assert all(
        "does not move your rung" in o.note or "do not move your rung" in o.note for o in held
    )


SEED_FILE_NAME = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")


def test_no_page_shows_a_seed_file_name(ml_quiz, client):
    from careerquiz.partners.models import Partner
    from quiz.attempts import place_and_record

    assert ml_quiz.live_version is not None
    partner = Partner.objects.create(name="Acme", allowed_origins="https://acme.example")
    answers = {
        question.key: question.options.order_by("position").first().key
        for question in ml_quiz.questions.filter(required=True)
    }
    web = place_and_record(ml_quiz.live_version, answers, region="IN", channel="web")
    embedded = place_and_record(
        ml_quiz.live_version, answers, region="US", channel="embed", partner_id=partner.pk
    )
    pages = [
        "/",
        ml_quiz.ladder.get_absolute_url(),
        ml_quiz.get_absolute_url(),
        web.get_absolute_url(),
        f"/embed/{ml_quiz.slug}/?partner={partner.public_key}",
        f"/embed/results/{embedded.result_id}/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SEED_FILE_NAME.findall(response.content.decode()) == [], url


# Who a band describes: a level (a rung's name or a span of years) and an employer type,
# or, where its source names none, a note that says so (issue 18).
LEVEL_NAMED = re.compile(
    r"\b(junior|intern|senior|staff|principal|architect|head of|ML engineer|machine learning"
    r" engineer)\b|\d+[–-]\d+ years|\d+\+ years|names no [a-z ,]*level",
    re.I,
)
EMPLOYER_NAMED = re.compile(r"product compan|MNCs|names no employer type", re.I)


def test_every_shipped_band_says_which_level_and_employer_type_its_source_names():
    data = json.loads(SHIPPED_CONTENT.read_text(encoding="utf-8"))
    for ladder in data["ladders"]:
        for rung in ladder["rungs"]:
            for band in rung["salary_bands"]:
                where = f"{rung['slug']} {band['region']} {band['min']}-{band['max']}"
                assert LEVEL_NAMED.search(band["note"]), where
                assert EMPLOYER_NAMED.search(band["note"]), where
