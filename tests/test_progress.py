"""How far visitors get: one cache write per new step, no query, and a flush to the database."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from quiz import flow, progress
from quiz.models import Attempt
from quiz.placement import QuizSpec
from tests.factories import live_version, make_ladder, make_quiz
from tests.test_quiz_flow import STEP_QUERY_BOUND, _state

pytestmark = pytest.mark.django_db

# A state names its attempt by the attempt's token, a UUID.
ATTEMPT = "6f1c2f0e-5a4b-4c3d-9e8f-0a1b2c3d4e5f"


class Walk:
    """One visitor taking the quiz through the test client, a step per call."""

    def __init__(self, quiz) -> None:
        self.client = Client()
        self.quiz = quiz

    def start(self):
        return self.client.post(reverse("quiz:start", args=[self.quiz.slug]))

    def __call__(self, response, action="next", **answers):
        data = {"state": _state(response), "action": action, **answers}
        return self.client.post(reverse("quiz:step", args=[self.quiz.slug]), data)


@pytest.fixture
def walk(quiz) -> Walk:
    return Walk(quiz)


def test_each_new_step_is_one_cache_write_and_going_back_writes_nothing(walk):
    with mock.patch.object(cache, "set", wraps=cache.set) as writes:
        first = walk.start()
        assert writes.call_count == 0  # the attempt row itself says step 1
        second = walk(first, q1="mid")
        third = walk(second, q2="mid")
        assert writes.call_count == 2
        back = walk(third, action="back")
        again = walk(back, q2="senior")  # step 3 again: already recorded
        assert writes.call_count == 2
        walk(again, q3="mid")
        assert writes.call_count == 3
    attempt = Attempt.objects.get()
    assert cache.get(progress.mark_key(str(attempt.token_id))) == 4
    assert attempt.step_reached == 1  # not yet flushed
    progress.flush()
    attempt.refresh_from_db()
    assert attempt.step_reached == 4


def test_a_refused_step_records_nothing(walk):
    first = walk.start()
    with mock.patch.object(cache, "set") as writes:
        refused = walk(first)  # no answer to a required question
    assert flow.MSG_REQUIRED in refused.content.decode()
    writes.assert_not_called()


def test_marking_a_step_costs_no_query(walk, django_assert_max_num_queries):
    first = walk.start()
    with django_assert_max_num_queries(STEP_QUERY_BOUND):
        walk(first, q1="mid")


def test_a_visitor_whose_cache_is_down_carries_on(walk, caplog):
    first = walk.start()
    with mock.patch.object(cache, "set", side_effect=OSError("no cache")):
        second = walk(first, q1="mid")
    assert second.status_code == 200
    assert "Question 2 of" in second.content.decode()
    assert "Could not record quiz progress" in caplog.text


def test_the_state_remembers_the_furthest_step_across_back_and_forth():
    state = flow.State(quiz="q", version=1, attempt=ATTEMPT, step=3, furthest=5)
    loaded = flow.load_state(flow.dump_state(state), slug="q")
    assert (loaded.step, loaded.furthest) == (3, 5)


def test_a_token_from_before_the_furthest_step_existed_reads_as_its_step():
    payload = {
        "q": "q",
        "v": 1,
        "a": ATTEMPT,
        "s": 2,
        "ans": {},
        "c": "web",
        "p": None,
        "pv": False,
    }
    token = signing.dumps(payload, salt=flow.STATE_SALT, compress=True)
    assert flow.load_state(token, slug="q").furthest == 2


def test_completing_sets_every_step_once(walk, quiz):
    response = walk.start()
    for question in live_version(quiz).snapshot["questions"]:
        option = question["options"][1]["key"]
        answer = [option] if question["role"] == "skills" else option
        response = walk(response, **{question["key"]: answer})
    walk(response, region="IN")
    attempt = Attempt.objects.get()
    assert attempt.completed_at is not None
    spec: QuizSpec = flow.published_run(live_version(quiz)).spec
    assert attempt.step_reached == progress.total_steps(spec) == 7


def test_the_step_count_is_every_question_and_the_region():
    quiz = make_quiz(make_ladder(), evidence_questions=5, with_extras=False)
    assert progress.total_steps(flow.published_run(live_version(quiz)).spec) == 6
