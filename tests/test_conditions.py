"""Conditions on result text (ladder.conditions): what `when` means, and bad ones refused."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError

from careerquiz.content import SHIPPED_CONTENT, load_file, validate
from ladder.conditions import MSG_WHEN_SHAPE, MSG_WHEN_TITLE, Facts, applies, when_problem
from ladder.models import LadderNote
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
