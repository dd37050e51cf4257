"""Conditions on result text (ladder.conditions): what `when` means, and bad ones refused."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError

from careerquiz.content import SHIPPED_CONTENT, load_file, validate
from ladder.conditions import (
    MSG_TEXTS_SHAPE,
    MSG_WHEN_SHAPE,
    MSG_WHEN_TITLE,
    Facts,
    applies,
    fitted_text,
    in_file_order,
    texts_problem,
    when_problem,
)
from ladder.models import LadderNote, Skill
from tests.factories import make_ladder

MID_IN_PRODUCT = Facts(
    placed="mid",
    title="ahead",
    region="IN",
    answers={"company": frozenset({"product"}), "skills": frozenset({"python"})},
    skills=frozenset({"Python Programming"}),
    track="",
)


@pytest.mark.parametrize(
    ("when", "holds"),
    [
        ({}, True),
        (None, True),
        ({"placed": ["mid", "senior"]}, True),
        ({"placed": ["junior"]}, False),
        ({"not_placed": ["mid"]}, False),
        ({"title": ["ahead"]}, True),
        ({"title": ["behind", "level"]}, False),
        ({"region": ["IN"]}, True),
        ({"region": ["US"]}, False),
        ({"not_region": ["IN"]}, False),
        ({"answers": {"company": ["product", "services"]}}, True),
        ({"answers": {"company": ["services"]}}, False),
        ({"answers": {"years": ["8-plus"]}}, False),  # not answered: does not hold
        ({"not_answers": {"company": ["product"]}}, False),
        ({"not_answers": {"years": ["8-plus"]}}, True),
        ({"unticked": ["Python Programming"]}, False),
        ({"unticked": ["SQL"]}, True),
        ({"track": ["staff"]}, False),
        ({"not_track": ["staff"]}, True),
        ({"placed": ["mid"], "region": ["US"]}, False),  # every key must hold
    ],
)
def test_a_condition_holds_only_when_every_key_does(when, holds):
    assert applies(when, MID_IN_PRODUCT) is holds


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        ({"placed": ["mid"], "answers": {"company": ["product"]}}, None),
        ([], MSG_WHEN_SHAPE),
        ({"rung": ["mid"]}, MSG_WHEN_SHAPE),
        ({"placed": "mid"}, MSG_WHEN_SHAPE),
        ({"placed": []}, MSG_WHEN_SHAPE),
        ({"answers": {"company": "product"}}, MSG_WHEN_SHAPE),
        ({"answers": {}}, MSG_WHEN_SHAPE),
        ({"title": ["above"]}, MSG_WHEN_TITLE),
    ],
)
def test_a_malformed_condition_is_named(when, problem):
    assert when_problem(when) == problem


@pytest.mark.django_db
def test_the_admin_refuses_a_malformed_condition_on_a_note():
    note = LadderNote(
        ladder=make_ladder(),
        kind=LadderNote.Kind.CAVEAT,
        title="For some",
        body="Text.",
        source="s.txt",
        when={"region": "IN"},
    )
    with pytest.raises(ValidationError) as raised:
        note.full_clean()
    assert "when" in raised.value.message_dict


@pytest.mark.django_db
def test_a_content_file_with_a_malformed_condition_names_its_path():
    data = copy.deepcopy(load_file(SHIPPED_CONTENT))
    data["ladders"][0]["rungs"][0]["next_steps"][0]["when"] = {"placed": "junior"}
    errors = [str(error) for error in validate(data)]
    assert errors == [f"ladders[0].rungs[0].next_steps[0].when: {MSG_WHEN_SHAPE}"]


# --- Variants of a rung's own texts, and conditions on skills ----------------------------

RUNG = {
    "moves_you_up": "Shift from your own output to everyone's.",
    "keeps_you_stuck": "Staying the best individual contributor in the room.",
    "sources": ["000.txt"],
    "texts": [
        {
            "field": "moves_you_up",
            "text": "On the staff track the step up stays technical.",
            "when": {"track": ["staff"]},
            "source": "002.txt",
        },
        {"field": "keeps_you_stuck", "text": "", "when": {"track": ["staff"]}},
    ],
}


def test_a_rung_text_variant_replaces_the_text_only_for_whom_it_fits():
    staff = Facts(placed="senior", track="staff")
    other = Facts(placed="senior")

    assert fitted_text(RUNG, "moves_you_up", staff) == (
        "On the staff track the step up stays technical.",
        "002.txt",
    )
    assert fitted_text(RUNG, "moves_you_up", other) == (RUNG["moves_you_up"], "000.txt")
    # An empty variant shows these visitors nothing.
    assert fitted_text(RUNG, "keeps_you_stuck", staff) == ("", "")
    assert fitted_text({"moves_you_up": "Old."}, "moves_you_up", other) == ("Old.", "")


@pytest.mark.parametrize(
    "texts",
    [
        {"field": "moves_you_up"},
        [{"field": "summary", "text": "x", "when": {"track": ["staff"]}}],
        [{"field": "moves_you_up", "text": "x"}],  # for everyone: edit the text itself
        [{"field": "moves_you_up", "text": "x", "when": {}}],
        [{"field": "moves_you_up", "text": 3, "when": {"track": ["staff"]}}],
        [{"field": "moves_you_up", "text": "x", "when": {"track": ["staff"]}, "who": "me"}],
    ],
)
def test_malformed_rung_texts_are_refused(texts):
    assert texts_problem(texts) == MSG_TEXTS_SHAPE


def test_rung_texts_with_a_malformed_condition_name_it():
    texts = [{"field": "moves_you_up", "text": "x", "when": {"placed": "senior"}}]
    assert texts_problem(texts) == "when " + MSG_WHEN_SHAPE


@pytest.mark.django_db
def test_the_admin_refuses_malformed_rung_texts_and_skill_conditions():
    ladder = make_ladder()
    rung = ladder.rungs.first()
    assert rung is not None
    rung.texts = [{"field": "moves_you_up", "text": "x"}]
    with pytest.raises(ValidationError) as raised:
        rung.full_clean()
    assert "texts" in raised.value.message_dict
    skill = Skill(rung=rung, name="People Leadership", category="leadership", when={"track": 1})
    with pytest.raises(ValidationError) as raised:
        skill.full_clean()
    assert "when" in raised.value.message_dict


@pytest.mark.django_db
def test_a_content_file_with_malformed_rung_texts_or_skill_conditions_names_the_path():
    data = copy.deepcopy(load_file(SHIPPED_CONTENT))
    data["ladders"][0]["rungs"][2]["texts"][0]["when"] = {}
    data["ladders"][0]["rungs"][3]["skills"][0]["when"] = {"track": "staff"}
    errors = [str(error) for error in validate(data)]
    assert errors == [
        f"ladders[0].rungs[2].texts: {MSG_TEXTS_SHAPE}",
        f"ladders[0].rungs[3].skills[0].when: {MSG_WHEN_SHAPE}",
    ]


def test_a_condition_is_written_in_the_formats_order_whatever_order_it_was_stored_in():
    # PostgreSQL's jsonb stores an object's keys shortest first.
    stored = {
        "unticked": ["MLOps"],
        "not_answers": {"title": ["specialist"], "company": ["research"]},
        "region": ["IN"],
    }
    assert list(in_file_order(stored)) == ["region", "unticked", "not_answers"]
    assert list(in_file_order(stored)["not_answers"]) == ["company", "title"]
    assert in_file_order(stored) == stored
