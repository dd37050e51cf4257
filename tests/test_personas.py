"""Plainly written people, placed by the shipped quiz where a reader of seed 000 would.

Each persona answers the published Machine Learning Engineer quiz the way the
person described would answer it honestly. The expected rung is what seed 000
(rungs by ownership and trust, not titles or years) says about such a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from quiz.attempts import place_and_record
from quiz.models import QuizVersion
from quiz.placement import place
from quiz.versions import spec_for

SEED_002 = "002_d3d2731f1624f2ed.txt"
SEED_003 = "003_ba5673c5088e9ea1.txt"


@dataclass(frozen=True, kw_only=True)
class Persona:
    name: str
    story: str
    answers: dict[str, object] = field(default_factory=dict)
    expected: str
    # order(title) - order(placed); 0 when title and rung agree.
    title_gap: int = 0


FRESHER = Persona(
    name="fresher",
    story=(
        "Six months into a first job at a startup. Picks up the tickets the lead assigns, "
        "finishes them carefully, then asks for the next one. Uses an AI assistant and "
        "ships what passes the tests."
    ),
    answers={
        "initiative": "wait",
        "ownership": "my-part",
        "risky-work": "goes-elsewhere",
        "unclear-work": "clear-tasks",
        "ai-review": "if-it-runs",
        "track-record": "reviewed-closely",
        "raise-others": "learning",
        "catch-mistakes": "caught-by-others",
        "direction": "assigned",
        "depth": "watch-and-learn",
        "title": "fresher",
        "company": "product",
        "years": "under-2",
        "skills": ["python", "sql"],
    },
    expected="junior",
)

SERVICES_SENIOR = Persona(
    name="services-senior",
    story=(
        "Six years at a large IT services company, titled Senior. Works through scoped "
        "change requests for a client, checks their own AI-assisted code, answers the "
        "new joiners' questions and takes a bounded piece of the hard problems, but has "
        "never been handed a problem to own: the work never asked for it."
    ),
    answers={
        "initiative": "wait",
        "ownership": "my-part",
        "risky-work": "goes-elsewhere",
        "unclear-work": "clear-tasks",
        "ai-review": "check-my-own",
        "track-record": "reviewed-closely",
        "raise-others": "answer-questions",
        "catch-mistakes": "caught-by-others",
        "direction": "assigned",
        "depth": "bounded-piece",
        "title": "senior-associate",
        "company": "services",
        "years": "5-to-7",
        "certificates": "several",
        "skills": ["python", "sql", "api", "docker"],
    },
    # Seed 000: "titled senior while doing junior work".
    expected="junior",
    title_gap=2,
)

MID_OWNER = Persona(
    name="mid-owner",
    story=(
        "Three years in, at a product company. Was told 'our recommendations are stale', "
        "worked out what that meant in numbers, planned and shipped a refresh, and checked "
        "the click-through moved. A senior reviews the riskier calls."
    ),
    answers={
        "initiative": "spot-own-area",
        "ownership": "end-to-end",
        "risky-work": "with-review",
        "unclear-work": "plan-with-help",
        "ai-review": "check-my-own",
        "track-record": "own-problem-trusted",
        "raise-others": "answer-questions",
        "catch-mistakes": "own-project",
        "direction": "plan-my-problem",
        "depth": "watch-and-learn",
        "title": "engineer",
        "company": "product",
        "skills": ["python", "feature-engineering", "deployment", "monitoring"],
    },
    expected="mid",
)

STARTUP_JUNIOR_TITLE = Persona(
    name="startup-owner-titled-junior",
    story=(
        "Two years at a serious startup, still titled Junior ML engineer, already owns "
        "problems end to end because the work forced it."
    ),
    answers=MID_OWNER.answers | {"title": "junior", "depth": "bounded-piece"},
    # Seed 000: a couple of years where the work demands ownership takes you further.
    expected="mid",
    title_gap=-1,
)

SENIOR_MIGRATIONS = Persona(
    name="senior-migrations",
    story=(
        "Trusted with the risky migrations of the serving stack; reviews more code than "
        "they write, much of it AI-assisted, and catches where it is subtly wrong. People "
        "have stopped double-checking their calls. Helps juniors when asked."
    ),
    answers={
        "initiative": "spot-risks",
        "ownership": "end-to-end-risky",
        "risky-work": "handed-to-me",
        "unclear-work": "no-clean-answer",
        "ai-review": "review-others",
        "track-record": "rarely-checked",
        "raise-others": "answer-questions",
        "catch-mistakes": "systems-i-review",
        "direction": "direct-projects",
        "depth": "key-calls",
        "title": "senior",
        "company": "product",
    },
    expected="senior",
)

STAFF_RAISING_THE_TEAM = Persona(
    name="staff-raising-the-team",
    story=(
        "Staff engineer. Sets the team's technical direction and standards, catches the "
        "expensive mistakes at design review, and the engineers around them now own things "
        "they could not before. Still takes some risky calls personally."
    ),
    answers={
        "initiative": "shape-team",
        "ownership": "through-others",
        "risky-work": "handed-to-me",
        "unclear-work": "no-clean-answer",
        "ai-review": "shape-practice",
        "track-record": "others-bring-theirs",
        "raise-others": "raise-the-level",
        "catch-mistakes": "across-team",
        "direction": "direct-teams",
        "depth": "go-to-expert",
        "title": "lead",
        "company": "product",
    },
    expected="lead",
)

STAFF_IC = Persona(
    name="staff-ic-who-never-manages",
    story=(
        "Staff engineer on the technical track, manages nobody. The organisation turns to "
        "them for the hardest serving problems, they set standards other teams follow, "
        "review designs before anything is built and prepare others to take on the risky "
        "work rather than deciding who does it."
    ),
    answers={
        "initiative": "shape-team",
        "ownership": "through-others",
        "risky-work": "prepare-others",
        "unclear-work": "frame-for-others",
        "ai-review": "review-others",
        "track-record": "others-bring-theirs",
        "raise-others": "raise-the-level",
        "catch-mistakes": "across-team",
        "direction": "direct-teams",
        "depth": "go-to-expert",
        "title": "staff",
        "company": "in-house",
    },
    # Seed 000: a parallel staff track that stays technical reaches the top too.
    expected="lead",
)

SERVICES_MID = Persona(
    name="services-mid",
    story=(
        "Four years at a large IT services company on a client's fraud models: owns the "
        "retraining problem end to end and measures whether each fix worked; a senior "
        "checks the risky calls. Titled Senior Software Engineer - ML."
    ),
    answers=MID_OWNER.answers | {"title": "senior-swe", "company": "services"},
    expected="mid",
    title_gap=1,
)

PERSONAS = [
    FRESHER,
    SERVICES_SENIOR,
    MID_OWNER,
    STARTUP_JUNIOR_TITLE,
    SENIOR_MIGRATIONS,
    STAFF_RAISING_THE_TEAM,
    STAFF_IC,
    SERVICES_MID,
]


@pytest.fixture
def version(shipped_version: QuizVersion) -> QuizVersion:
    return shipped_version


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.name)
def test_persona_is_placed_where_seed_000_would_place_them(shipped_spec, persona):
    placement = place(shipped_spec, persona.answers)
    assert placement.rung.slug == persona.expected, persona.story
    steps = placement.title_gap.steps if placement.title_gap else 0
    assert steps == persona.title_gap


def test_the_services_senior_is_told_why_title_and_rung_disagree(version):
    attempt = place_and_record(version, SERVICES_SENIOR.answers, region="IN")
    result = attempt.result
    assert result["rung"]["slug"] == "junior"
    assert result["title_gap"]["claimed"]["slug"] == "senior"
    assert result["title_gap"]["steps"] == 2
    assert result["title_gap"]["claimed_title"] == "Senior Associate – ML"
    notes = {note["question"]: note["text"] for note in result["notes"]}
    assert "titled senior while doing junior work" in notes["company"]
    assert "Your answers fit that pattern" in notes["company"]
    assert "do not move your rung" in notes["certificates"].lower()
    assert result["years"]["comparison"] == "more"  # 5-8 years, junior's typical is 0-2
    assert "caveat" in {step["kind"] for step in result["next_steps"]}
    held_back = {answer["question"] for answer in result["held_back"]}
    assert "ownership" in held_back
    assert all(answer["advice"] for answer in result["held_back"])


def test_the_fresher_gets_the_learning_path_and_both_india_junior_bands(version):
    result = place_and_record(version, FRESHER.answers, region="IN").result
    path = [step["title"] for step in result["next_steps"] if step["kind"] == "learning_path"]
    # Six steps less the one that teaches the Python and SQL the fresher ticked.
    assert len(path) == 5
    assert not any(title.startswith("Step 1:") for title in path)
    assert any(title.startswith("Step 3:") for title in path)
    junior_sources = {band["source"] for band in result["salary"] if band["rung"] == "junior"}
    assert junior_sources == {SEED_002, SEED_003}
    assert result["next_rung"]["slug"] == "mid"
    [note] = result["notes"]  # the product company's, in its junior variant
    assert "because the work there forces you to own problems" in note["text"]
    assert result["years"]["comparison"] == "within"
    # First, seed 000's way off the junior rung: notice what needs doing unasked.
    first = result["next_steps"][0]
    assert first["kind"] == "moves_you_up"
    assert first["title"] == "What moves you to ML Engineer (mid-level)"
    assert "noticing what needs doing" in first["detail"]


def test_the_mid_owner_is_shown_the_skills_seniors_use_that_they_did_not_tick(version):
    result = place_and_record(version, MID_OWNER.answers, region="US").result
    assert result["next_rung"]["slug"] == "senior"
    to_build = {skill["name"] for skill in result["skills_to_build"]}
    assert "Reviewing AI-assisted Work" in to_build  # offered in the quiz, not ticked
    asked = {
        option.skill for q in spec_for(version).questions for option in q.options if option.skill
    }
    assert to_build <= asked
    not_asked = {skill["name"] for skill in result["next_rung_skills"]}
    assert not_asked
    assert not not_asked & asked
    assert {band["region"] for band in result["salary"]} == {"US"}


def test_the_senior_is_shown_by_their_review_of_ai_assisted_work(version):
    result = place_and_record(version, SENIOR_MIGRATIONS.answers, region="US").result
    shown_by = {answer["question"] for answer in result["shown_by"]}
    assert {"risky-work", "ai-review", "track-record"} <= shown_by
    # Everything below the next rung holds back, weakest first: the mid-level mentoring.
    assert result["held_back"][0]["question"] == "raise-others"


def test_the_staff_engineer_is_at_the_top_with_nothing_held_back(version):
    result = place_and_record(version, STAFF_RAISING_THE_TEAM.answers, region="IN").result
    assert result["rung"]["question"] == "Can you make other people better?"
    assert result["next_rung"] is None
    assert result["held_back"] == []
    assert result["title_gap"] is None
    # The way on from the top is the parallel staff track (seed 000), not "you are done",
    # said once: the ladder's track note is for people on that track (issue 18).
    titles = [s["title"] for s in result["next_steps"]]
    assert "The staff track: deep instead of wide" in titles
    assert "The parallel staff track" not in titles
    details = " ".join(s["detail"] for s in result["next_steps"])
    assert details.count("stays technical") == 1
