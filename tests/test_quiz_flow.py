"""The visitor's quiz flow through the test client: no cookies, htmx or plain posts."""

from __future__ import annotations

import re
import time
from html import unescape
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from careerquiz.partners.models import Partner
from careerquiz.web.recent import forget_all
from quiz import flow
from quiz.models import Attempt, Option
from quiz.versions import publish
from tests.factories import answers_at, live_version, make_ladder, make_quiz

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
STATE_RE = re.compile(r'name="state" value="([^"]+)"')


def _state(response) -> str:
    match = STATE_RE.search(response.content.decode())
    assert match, "no state field in the response"
    return unescape(match.group(1))


def _text(response) -> str:
    return unescape(response.content.decode())


def _assert_no_cookie(response) -> None:
    assert "Set-Cookie" not in response.headers
    assert not response.cookies


def _answer_all(
    client: Client, quiz, answers: dict, *, region: str = "IN", headers=None, start=None
):
    """Walk the whole flow from the start POST; returns every response in order."""
    headers = headers or {}
    responses = [client.post(reverse("quiz:start", args=[quiz.slug]), start or {}, **headers)]
    step_url = reverse("quiz:step", args=[quiz.slug])
    for question in quiz.live_version.snapshot["questions"]:
        data = {"state": _state(responses[-1]), "action": "next"}
        if question["key"] in answers:
            data[question["key"]] = answers[question["key"]]
        responses.append(client.post(step_url, data, **headers))
    data = {"state": _state(responses[-1]), "action": "next", "region": region}
    responses.append(client.post(step_url, data, **headers))
    return responses


@pytest.mark.django_db
def test_full_flow_with_plain_posts_sets_no_cookie_and_records_the_attempt(quiz):
    client = Client()
    intro = client.get(reverse("quiz:start", args=[quiz.slug]))
    assert intro.status_code == 200
    assert "Start the quiz" in intro.content.decode()
    _assert_no_cookie(intro)

    responses = _answer_all(client, quiz, answers_at(quiz, "senior", skills=["s0", "s1"]))

    for response in responses:
        _assert_no_cookie(response)
    for response in responses[:-1]:
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "<html" in response.content.decode()
        assert response.content.decode().count("<title>") == 1  # the fragment's is htmx-only
    final = responses[-1]
    attempt = Attempt.objects.get()
    assert final.status_code == 303
    assert final["Location"] == attempt.get_absolute_url()
    assert attempt.completed_at is not None
    assert attempt.rung_slug == "senior"
    assert attempt.region == "IN"
    assert attempt.channel == Attempt.Channel.WEB
    assert attempt.answers["skills"] == ["s0", "s1"]
    assert attempt.version.number == 1
    assert not client.cookies

    page = client.get(final["Location"])
    assert page.status_code == 200
    assert "data-careerquiz-result" in page.content.decode()
    _assert_no_cookie(page)


@pytest.mark.django_db
def test_full_flow_over_htmx_returns_only_the_panel_and_redirects_with_hx_redirect(quiz):
    client = Client()
    responses = _answer_all(client, quiz, answers_at(quiz, "mid"), headers=HTMX)

    total = len(responses) - 1
    for number, response in enumerate(responses[:-1], start=1):
        body = _text(response)
        assert response.status_code == 200
        assert 'id="quiz-panel"' in body
        assert "<html" not in body
        assert "<head" not in body
        # htmx lifts this out of the fragment and makes it the page's title.
        assert body.lstrip().startswith(f"<title>Question {number} of {total} · ")
        _assert_no_cookie(response)
    assert "Question 3 of" in _text(responses[2])
    final = responses[-1]
    attempt = Attempt.objects.get()
    assert final["HX-Redirect"] == attempt.get_absolute_url()
    assert attempt.rung_slug == "mid"
    _assert_no_cookie(final)
    assert not client.cookies


@pytest.mark.django_db
def test_start_records_an_unfinished_attempt_and_shows_progress(quiz):
    response = Client().post(reverse("quiz:start", args=[quiz.slug]))

    attempt = Attempt.objects.get()
    assert attempt.completed_at is None
    assert attempt.version == quiz.live_version
    total = len(quiz.live_version.snapshot["questions"]) + 1
    assert f"Question 1 of {total}" in response.content.decode()
    assert f'<progress max="{total}" value="1"' in response.content.decode()
    assert "Evidence question 1?" in response.content.decode()


@pytest.mark.django_db
def test_next_advances_progress_and_back_keeps_the_answer_checked(quiz):
    client = Client()
    step_url = reverse("quiz:step", args=[quiz.slug])
    first = client.post(reverse("quiz:start", args=[quiz.slug]))
    second = client.post(step_url, {"state": _state(first), "action": "next", "q1": "mid"})
    assert "Question 2 of" in second.content.decode()
    assert "Evidence question 2?" in second.content.decode()

    back = client.post(step_url, {"state": _state(second), "action": "back"}, **HTMX)

    body = back.content.decode()
    assert "Question 1 of" in body
    assert 'name="q1" value="mid" checked' in body
    assert body.count(" checked") == 1


@pytest.mark.django_db
def test_progress_counts_every_question_and_the_region(quiz):
    client = Client()
    step_url = reverse("quiz:step", args=[quiz.slug])
    total = len(quiz.live_version.snapshot["questions"]) + 1
    response = client.post(reverse("quiz:start", args=[quiz.slug]))
    for key in ("q1", "q2"):
        response = client.post(step_url, {"state": _state(response), key: "mid"})

    body = _text(response)
    assert f"Question 3 of {total}" in body
    assert f"<title>Question 3 of {total} · test-quiz quiz · careerquiz</title>" in body
    assert f'<progress max="{total}" value="3"' in body
    assert "Evidence question 3?" in body


@pytest.mark.django_db
def test_a_step_address_opened_directly_goes_back_to_the_intro(quiz):
    response = Client().get(reverse("quiz:step", args=[quiz.slug]))

    assert response.status_code == 302
    assert response["Location"] == reverse("quiz:start", args=[quiz.slug])
    _assert_no_cookie(response)


@pytest.mark.django_db
def test_missing_required_answer_re_renders_the_step_with_an_error(quiz):
    client = Client()
    first = client.post(reverse("quiz:start", args=[quiz.slug]))

    response = client.post(
        reverse("quiz:step", args=[quiz.slug]), {"state": _state(first), "action": "next"}
    )

    assert response.status_code == 200
    body = _text(response)
    assert flow.MSG_REQUIRED in body
    assert "Question 1 of" in body
    assert 'aria-invalid="true"' in body


@pytest.mark.django_db
def test_missing_region_re_renders_the_region_step_with_an_error(quiz):
    client = Client()
    responses = _answer_all(client, quiz, answers_at(quiz, "mid"), region="")

    assert responses[-1].status_code == 200
    body = _text(responses[-1])
    assert flow.MSG_REGION_REQUIRED in body
    assert "India" in body
    assert "United States" in body
    assert "Somewhere else" in body
    assert not Attempt.objects.completed().exists()


@pytest.mark.django_db
def test_somewhere_else_completes_without_a_region(quiz):
    responses = _answer_all(Client(), quiz, answers_at(quiz, "mid"), region=flow.ELSEWHERE)

    assert responses[-1].status_code == 303
    assert Attempt.objects.get().region == ""


def _bad_step(client: Client, quiz, data: dict, **headers):
    return client.post(reverse("quiz:step", args=[quiz.slug]), data, **headers)


def _assert_friendly_400(response, message: str, quiz) -> None:
    assert response.status_code == 400
    body = _text(response)
    assert message in body
    assert "Start again" in body
    assert f'href="{reverse("quiz:start", args=[quiz.slug])}"' in body
    _assert_no_cookie(response)


@pytest.mark.django_db
def test_tampered_token_gets_a_friendly_400(quiz):
    client = Client()
    token = _state(client.post(reverse("quiz:start", args=[quiz.slug])))
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    response = _bad_step(client, quiz, {"state": tampered, "action": "next", "q1": "lead"})

    _assert_friendly_400(response, flow.MSG_STATE_INVALID, quiz)


@pytest.mark.django_db
def test_expired_token_gets_a_friendly_400(quiz):
    client = Client()
    attempt = Attempt.objects.create(quiz=quiz, version=quiz.live_version)
    long_ago = time.time() - settings.QUIZ_TOKEN_MAX_AGE - 60
    with mock.patch("django.core.signing.time.time", return_value=long_ago):
        token = flow.dump_state(flow.state_for_attempt(attempt, slug=quiz.slug))

    response = _bad_step(client, quiz, {"state": token, "action": "next", "q1": "mid"})

    _assert_friendly_400(response, flow.MSG_STATE_EXPIRED, quiz)


@pytest.mark.django_db
def test_token_of_another_quiz_gets_a_friendly_400(quiz):
    other = make_quiz(quiz.ladder, slug="other-quiz")
    client = Client()
    token = _state(client.post(reverse("quiz:start", args=[other.slug])))

    response = _bad_step(client, quiz, {"state": token, "action": "next", "q1": "mid"})

    _assert_friendly_400(response, flow.MSG_STATE_FOREIGN, quiz)


@pytest.mark.django_db
def test_option_of_another_question_gets_a_friendly_400(quiz):
    client = Client()
    token = _state(client.post(reverse("quiz:start", args=[quiz.slug])))

    response = _bad_step(client, quiz, {"state": token, "action": "next", "q1": "services"})

    _assert_friendly_400(response, flow.MSG_BAD_ANSWER, quiz)


@pytest.mark.django_db
def test_unknown_region_gets_a_friendly_400(quiz):
    client = Client()
    responses = _answer_all(client, quiz, answers_at(quiz, "mid"), region="ZZ")

    _assert_friendly_400(responses[-1], flow.MSG_BAD_ANSWER, quiz)
    assert not Attempt.objects.completed().exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, flow.MSG_STATE_MISSING),
        ({"state": "garbage", "q1": "mid"}, flow.MSG_STATE_INVALID),
        ({"state": "", "action": "next"}, flow.MSG_STATE_MISSING),
    ],
)
def test_garbage_posts_get_a_friendly_400(quiz, data, message):
    response = _bad_step(Client(), quiz, data)

    _assert_friendly_400(response, message, quiz)


@pytest.mark.django_db
def test_bad_token_over_htmx_gets_the_problem_as_the_panel(quiz):
    response = _bad_step(Client(), quiz, {"state": "garbage"}, **HTMX)

    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="quiz-panel"' in body
    assert "<html" not in body
    assert "Start again" in body


@pytest.mark.django_db
def test_a_preview_token_is_refused_on_the_public_step(quiz):
    token = flow.dump_state(
        flow.State(quiz=quiz.slug, version=None, attempt=None, preview=True, channel="preview")
    )

    response = _bad_step(Client(), quiz, {"state": token, "action": "next", "q1": "mid"})

    _assert_friendly_400(response, flow.MSG_STATE_PREVIEW, quiz)


@pytest.mark.django_db
def test_double_submit_of_the_last_step_completes_once_with_the_same_result(quiz):
    client = Client()
    responses = _answer_all(client, quiz, answers_at(quiz, "lead"))
    last_state = _state(responses[-2])

    again = client.post(
        reverse("quiz:step", args=[quiz.slug]),
        {"state": last_state, "action": "next", "region": "US"},
    )

    assert again.status_code == 303
    assert again["Location"] == responses[-1]["Location"]
    assert Attempt.objects.count() == 1
    assert Attempt.objects.completed().count() == 1
    assert Attempt.objects.get().region == "IN"


@pytest.mark.django_db
def test_attempt_started_before_a_republish_finishes_on_its_version(quiz):
    client = Client()
    step_url = reverse("quiz:step", args=[quiz.slug])
    answers = answers_at(quiz, "mid")
    v1_questions = quiz.live_version.snapshot["questions"]
    response = client.post(reverse("quiz:start", args=[quiz.slug]))
    # An editor renames an option and adds a question, then republishes.
    Option.objects.filter(question__key="q1", key="mid").update(text="Renamed in v2")
    new = quiz.questions.create(key="q-new", text="A new question?", role="context", position=99)
    new.options.create(key="x", text="X")
    assert publish(quiz).number == 2

    response = client.post(step_url, {"state": _state(response), "action": "back"})
    assert "Mid answer" in response.content.decode()
    assert "Renamed in v2" not in response.content.decode()
    for question in v1_questions:
        data: dict[str, Any] = {"state": _state(response), "action": "next"}
        if question["key"] in answers:
            data[question["key"]] = answers[question["key"]]
        response = client.post(step_url, data)
        assert "A new question?" not in response.content.decode()
    response = client.post(step_url, {"state": _state(response), "action": "next", "region": "IN"})

    assert response.status_code == 303
    attempt = Attempt.objects.get()
    assert attempt.version.number == 1
    assert attempt.result["quiz"]["version"] == 1
    assert "q-new" not in attempt.answers
    client.post(reverse("quiz:start", args=[quiz.slug]))
    assert Attempt.objects.latest("started_at").version.number == 2


@pytest.mark.django_db
def test_unpublished_quiz_is_a_friendly_404(ladder):
    draft = make_quiz(ladder, slug="draft", published=False)

    response = Client().get(reverse("quiz:start", args=[draft.slug]))

    assert response.status_code == 404
    assert "We can" in response.content.decode()
    assert Client().post(reverse("quiz:start", args=[draft.slug])).status_code == 404


@pytest.mark.django_db
def test_partner_key_is_carried_into_the_attempt(quiz):
    partner = Partner.objects.create(name="Acme", allowed_origins="https://acme.example")
    client = Client()
    intro = client.get(reverse("quiz:start", args=[quiz.slug]), {"partner": partner.public_key})
    assert f'name="partner" value="{partner.public_key}"' in intro.content.decode()

    started = client.post(reverse("quiz:start", args=[quiz.slug]), {"partner": partner.public_key})
    assert Attempt.objects.get().partner_id == partner.pk
    responses = _answer_all(
        client, quiz, answers_at(quiz, "mid"), start={"partner": partner.public_key}
    )

    assert started.status_code == 200
    assert responses[-1].status_code == 303
    attempt = Attempt.objects.completed().get()
    assert attempt.partner_id == partner.pk
    assert attempt.channel == Attempt.Channel.EMBED
    assert Attempt.objects.filter(partner_id=partner.pk).count() == 2  # the funnel counts starts


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key",
    [
        "pk_unknown",
        "disabled",
        # Neither reaches the database: PostgreSQL refuses a NUL in a query (it was a 500).
        "pk_\x00",
        "pk_" + "x" * 100,
    ],
)
def test_unknown_or_disabled_partner_gets_a_friendly_400(quiz, key):
    if key == "disabled":
        key = Partner.objects.create(name="Gone", is_active=False).public_key

    url = reverse("quiz:start", args=[quiz.slug])

    for response in (Client().get(url, {"partner": key}), Client().post(url, {"partner": key})):
        assert response.status_code == 400
        assert flow.MSG_UNKNOWN_PARTNER in _text(response)
    assert not Attempt.objects.exists()


# A process reads a published version's snapshot once (the first request that needs
# it); after that the start page asks which version is live (1 narrow query) and
# starting writes the attempt and adds it to analytics' tallies (2: quiz.tallies); each
# step checks its version (1 narrow query);
# only completion reads and writes more. None of it depends on the question count.
START_QUERY_BOUND = 3
STEP_QUERY_BOUND = 1
FINISH_QUERY_BOUND = 15


@pytest.mark.django_db
@pytest.mark.parametrize("questions", [3, 12])
def test_queries_per_step_are_bounded_whatever_the_number_of_questions(
    django_assert_max_num_queries, django_assert_num_queries, questions
):
    quiz = make_quiz(make_ladder(), evidence_questions=questions)
    client = Client()
    start_url = reverse("quiz:start", args=[quiz.slug])
    step_url = reverse("quiz:step", args=[quiz.slug])
    with django_assert_num_queries(2):  # the live version's id, then its snapshot
        client.get(start_url)
    with django_assert_num_queries(0):  # both are kept (the id for a second)
        client.get(start_url)
    forget_all()
    with django_assert_num_queries(1):  # a second on, only the id is asked again
        client.get(start_url)
    with django_assert_max_num_queries(START_QUERY_BOUND):
        response = client.post(start_url)
    for question in live_version(quiz).snapshot["questions"]:
        data = {"state": _state(response), "action": "next"}
        data[question["key"]] = question["options"][1]["key"]
        with django_assert_max_num_queries(STEP_QUERY_BOUND):
            response = client.post(step_url, data)
        assert response.status_code == 200
    with django_assert_max_num_queries(FINISH_QUERY_BOUND):
        response = client.post(
            step_url, {"state": _state(response), "action": "next", "region": "IN"}
        )

    assert response.status_code == 303
    assert Attempt.objects.completed().count() == 1


# --- Answer order (issue 18): each attempt its own, the same all through it ---------------

VALUE_RE = re.compile(
    r'<input[^>]*type="radio"[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*type="radio"'
)


def _order(response) -> list[str]:
    return [a or b for a, b in VALUE_RE.findall(response.content.decode())]


def _first_step(client: Client, quiz) -> Any:
    return client.post(reverse("quiz:start", args=[quiz.slug]), {})


@pytest.mark.django_db
def test_each_attempt_shows_the_work_answers_in_its_own_order_kept_on_back(ladder):
    quiz = make_quiz(ladder, evidence_questions=1)
    q1 = quiz.questions.get(key="q1")
    for index in range(6):  # enough answers that two attempts differ almost surely
        q1.options.create(key=f"extra-{index}", text=f"Extra {index}", rung=ladder.rungs.first())
    publish(quiz)
    stored = list(q1.options.order_by("position", "id").values_list("key", flat=True))
    orders = [_order(_first_step(Client(), quiz)) for _ in range(4)]
    assert all(sorted(order) == sorted(stored) for order in orders)
    assert len({tuple(order) for order in orders}) > 1  # visitors see different orders
    assert any(order != stored for order in orders)  # not the order that tells the top one

    client = Client()
    first = _first_step(client, quiz)
    step_url = reverse("quiz:step", args=[quiz.slug])
    second = client.post(step_url, {"state": _state(first), "action": "next", "q1": stored[0]})
    back = client.post(step_url, {"state": _state(second), "action": "back"})
    assert _order(back) == _order(first)  # Back (and JavaScript off) keeps the order
    assert _order(client.post(step_url, {"state": _state(second), "action": "back"})) == _order(
        first
    )


@pytest.mark.django_db
def test_an_editor_can_keep_a_questions_answers_in_their_order(ladder):
    quiz = make_quiz(ladder, evidence_questions=1)
    q1 = quiz.questions.get(key="q1")
    for index in range(6):
        q1.options.create(key=f"extra-{index}", text=f"Extra {index}", rung=ladder.rungs.first())
    q1.shuffle = False
    q1.save()
    publish(quiz)
    stored = list(q1.options.order_by("position", "id").values_list("key", flat=True))
    assert [_order(_first_step(Client(), quiz)) for _ in range(3)] == [stored] * 3
