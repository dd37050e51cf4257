"""The partner REST API: endpoints, the error shape, throttling, caching, CORS, docs."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import resolve
from rest_framework.test import APIClient

from careerquiz.api.caching import CONTENT_CACHE_CONTROL
from careerquiz.api.errors import MSG_BODY_TOO_LARGE, MSG_MISSING_SLASH, PayloadTooLarge
from careerquiz.api.parsers import MSG_LENGTH_REQUIRED, MSG_TOO_DEEP, CappedJSONParser
from careerquiz.api.queries import MSG_UNKNOWN_LADDER, MSG_UNKNOWN_PLACEMENT, MSG_UNKNOWN_QUIZ
from careerquiz.partners import cors
from careerquiz.partners.cors import normalise_origin
from careerquiz.partners.lookup import MSG_PARTNER_DISABLED, MSG_UNKNOWN_PARTNER
from careerquiz.web.recent import forget_all
from ladder.models import JobTitle, LadderNote, NextStep, Responsibility, Skill
from ladder.money import MSG_REGION
from quiz.attempts import complete_attempt, start_attempt
from quiz.models import Attempt, Question
from quiz.placement import (
    MSG_REQUIRED,
    MSG_SINGLE_EXPECTED,
    MSG_UNKNOWN_OPTION,
    MSG_UNKNOWN_QUESTION,
)
from quiz.versions import publish, unpublish
from tests.factories import answers_at, live_version, make_ladder, make_quiz

LADDERS = "/api/v1/ladders/"
QUIZZES = "/api/v1/quizzes/"


def placements_url(slug: str = "test-quiz") -> str:
    return f"/api/v1/quizzes/{slug}/placements/"


def post_json(api: APIClient, url: str, body: object, **extra):
    return api.generic("POST", url, json.dumps(body), content_type="application/json", **extra)


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def assert_error(response, status: int, field: str, message: str | None = None) -> dict:
    """The one error shape, with `field` among the errors (and `message` for it, if given)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"status", "code", "detail", "errors"}
    assert body["status"] == status
    assert body["code"]
    assert body["detail"]
    matching = [error for error in body["errors"] if error["field"] == field]
    assert matching, body
    if message is not None:
        assert any(message in error["message"] for error in matching), body
    return body


# --- Ladders. ---


@pytest.mark.django_db
def test_ladder_list_lists_every_ladder_with_its_page(api, ladder):
    other = make_ladder(slug="data-analyst", rungs=("analyst",))
    response = api.get(LADDERS)
    assert response.status_code == 200
    results = response.json()["results"]
    assert {item["slug"] for item in results} == {ladder.slug, other.slug}
    item = next(item for item in results if item["slug"] == ladder.slug)
    assert item["title"] == ladder.title
    assert item["url"] == f"http://testserver/ladders/{ladder.slug}/"


@pytest.mark.django_db
def test_ladder_detail_has_rungs_in_order_with_their_content(api, ladder):
    mid = ladder.rungs.get(slug="mid")
    Responsibility.objects.create(rung=mid, text="Own a problem.", source="000.txt")
    JobTitle.objects.create(rung=mid, name="ML Engineer II", source="001.txt")
    NextStep.objects.create(rung=mid, kind="project", title="Ship a model", source="002.txt")
    LadderNote.objects.create(
        ladder=ladder, kind="caveat", key="pay", title="Pay", body="Ranges.", source="000.txt"
    )
    response = api.get(f"{LADDERS}{ladder.slug}/")
    assert response.status_code == 200
    body = response.json()
    assert body["sources"] == ["t.txt"]
    assert body["notes"] == [
        {"kind": "caveat", "key": "pay", "title": "Pay", "body": "Ranges.", "source": "000.txt"}
    ]
    assert [rung["slug"] for rung in body["rungs"]] == ["junior", "mid", "senior", "lead"]
    assert [rung["order"] for rung in body["rungs"]] == [1, 2, 3, 4]
    rung = body["rungs"][1]
    assert rung["responsibilities"] == [{"text": "Own a problem.", "source": "000.txt"}]
    assert rung["titles"] == [{"name": "ML Engineer II", "source": "001.txt"}]
    assert rung["skills"][0]["name"] == "Skill 2"
    assert rung["next_steps"][0]["title"] == "Ship a model"
    bands = {band["region"]: band for band in rung["salary_bands"]}
    assert set(bands) == {"IN", "US"}
    assert bands["IN"]["display"]
    assert bands["US"]["min"] == 200_000
    assert bands["US"]["source"] == "t.txt"


@pytest.mark.django_db
def test_unknown_ladder_is_a_404_naming_the_slug(api):
    assert_error(api.get(f"{LADDERS}nope/"), 404, "slug", MSG_UNKNOWN_LADDER)


# --- Quizzes. ---


@pytest.mark.django_db
def test_quiz_list_shows_published_quizzes_only(api, quiz, ladder):
    make_quiz(ladder, slug="draft-only", published=False)
    response = api.get(QUIZZES)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [item["slug"] for item in results] == [quiz.slug]
    assert results[0]["version"] == 1
    assert results[0]["ladder"] == ladder.slug
    assert results[0]["url"] == f"http://testserver/quiz/{quiz.slug}/"


@pytest.mark.django_db
def test_quiz_detail_serves_the_live_version_not_the_draft(api, quiz):
    Question.objects.filter(quiz=quiz, key="q1").update(text="Edited, not yet published?")
    body = api.get(f"{QUIZZES}{quiz.slug}/").json()
    assert body["version"] == 1
    assert body["regions"] == ["IN", "US"]
    questions = {question["key"]: question for question in body["questions"]}
    assert [q["key"] for q in body["questions"]] == ["q1", "q2", "q3", "title", "company", "skills"]
    assert questions["q1"]["text"] == "Evidence question 1?"
    assert questions["q1"] | {"options": []} == {
        "key": "q1",
        "text": "Evidence question 1?",
        "help": "",
        "role": "evidence",
        "kind": "single",
        "required": True,
        "options": [],
    }
    # Options carry what a partner shows and sends back, not the scoring internals.
    assert questions["q1"]["options"][0] == {"key": "junior", "text": "Junior answer"}
    assert questions["skills"]["kind"] == "multiple"
    assert questions["skills"]["required"] is False

    publish(quiz)
    body = api.get(f"{QUIZZES}{quiz.slug}/").json()
    assert body["version"] == 2
    assert body["questions"][0]["text"] == "Edited, not yet published?"


@pytest.mark.django_db
def test_draft_and_unpublished_quizzes_are_404(api, quiz, ladder):
    make_quiz(ladder, slug="draft-only", published=False)
    assert_error(api.get(f"{QUIZZES}draft-only/"), 404, "slug", MSG_UNKNOWN_QUIZ)
    unpublish(quiz)
    assert_error(api.get(f"{QUIZZES}{quiz.slug}/"), 404, "slug", MSG_UNKNOWN_QUIZ)
    assert api.get(QUIZZES).json()["results"] == []


# --- Placements. ---


@pytest.mark.django_db
def test_placement_records_one_api_attempt_and_returns_the_result(api, quiz):
    answers = answers_at(quiz, "senior", title="lead")
    response = post_json(api, placements_url(), {"answers": answers, "region": "IN"})
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    attempt = Attempt.objects.get()
    assert attempt.channel == Attempt.Channel.API
    assert attempt.partner_id is None
    assert attempt.version == live_version(quiz)
    assert attempt.completed_at is not None
    assert attempt.answers == answers
    assert body["id"] == attempt.result_id
    assert body["rung"] == {
        "slug": "senior",
        "title": "Senior",
        "order": 3,
        "question": "Can you do senior work?",
    }
    assert body["next_rung"]["slug"] == "lead"
    assert body["title_gap"]["claimed"]["slug"] == "lead"
    assert body["title_gap"]["placed"]["slug"] == "senior"
    assert body["title_gap"]["steps"] == 1
    assert body["quiz"] == {"slug": quiz.slug, "title": "test-quiz quiz", "version": 1}
    assert body["next_steps"][0]["kind"] == "moves_you_up"
    assert {band["rung"] for band in body["salary"]} == {"senior", "lead"}
    assert {band["region"] for band in body["salary"]} == {"IN"}
    assert body["confidence_label"] in {"high", "medium", "low"}
    assert response["Location"] == f"http://testserver/api/v1/placements/{attempt.result_id}/"


@pytest.mark.django_db
def test_result_url_is_absolute_and_opens_the_result_page(api, quiz):
    body = post_json(api, placements_url(), {"answers": answers_at(quiz, "mid")}).json()
    url = urlsplit(body["result_url"])
    assert (url.scheme, url.netloc) == ("http", "testserver")
    match = resolve(url.path)
    assert match.view_name == "quiz:result"
    assert match.kwargs == {"result_id": body["id"]}
    page = Client().get(url.path)
    assert page.status_code == 200
    assert "Mid" in page.content.decode()


@pytest.mark.django_db
def test_top_rung_has_no_next_rung_and_no_title_gap_without_one(api, quiz):
    body = post_json(api, placements_url(), {"answers": answers_at(quiz, "lead")}).json()
    assert body["rung"]["slug"] == "lead"
    assert body["next_rung"] is None
    assert body["title_gap"] is None
    assert body["salary"] == []  # no region asked for


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["header", "query"])
def test_a_partner_key_attributes_the_placement(api, quiz, partner, how):
    url, extra = placements_url(), {}
    if how == "header":
        extra = {"HTTP_X_CAREERQUIZ_PARTNER": partner.public_key}
    else:
        url += f"?partner={partner.public_key}"
    response = post_json(api, url, {"answers": answers_at(quiz, "mid")}, **extra)
    assert response.status_code == 201
    assert Attempt.objects.get().partner_id == partner.pk


@pytest.mark.django_db
def test_region_is_case_insensitive_and_stored_in_capitals(api, quiz):
    response = post_json(
        api, placements_url(), {"answers": answers_at(quiz, "mid"), "region": "us"}
    )
    assert response.status_code == 201
    assert response.json()["region"] == "US"
    assert {band["currency"] for band in response.json()["salary"]} == {"USD"}
    assert Attempt.objects.get().region == "US"


@pytest.mark.django_db
def test_a_region_without_bands_places_with_no_salary(api, quiz):
    response = post_json(
        api, placements_url(), {"answers": answers_at(quiz, "mid"), "region": "DE"}
    )
    assert response.status_code == 201
    assert response.json()["salary"] == []


@pytest.mark.django_db
def test_a_ref_is_stored_and_returned_with_the_placement(api, quiz):
    body = {"answers": answers_at(quiz, "mid"), "ref": "newsletter.2026-12"}
    response = post_json(api, placements_url(), body)
    assert response.status_code == 201
    assert response.json()["ref"] == "newsletter.2026-12"
    assert Attempt.objects.get().ref == "newsletter.2026-12"
    again = api.get(f"/api/v1/placements/{response.json()['id']}/")
    assert again.json()["ref"] == "newsletter.2026-12"


@pytest.mark.django_db
@pytest.mark.parametrize("ref", ["has space", "x" * 65, "<b>", 7])
def test_a_malformed_ref_is_a_400_naming_ref(api, quiz, ref):
    response = post_json(api, placements_url(), {"answers": answers_at(quiz, "mid"), "ref": ref})
    assert_error(response, 400, "ref")
    assert not Attempt.objects.exists()


@pytest.mark.django_db
def test_get_placement_returns_the_same_body(api, quiz):
    created = post_json(api, placements_url(), {"answers": answers_at(quiz, "mid"), "region": "IN"})
    body = created.json()
    response = api.get(f"/api/v1/placements/{body['id']}/")
    assert response.status_code == 200
    assert response.json() == body
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_unknown_placement_is_a_404_naming_the_id(api):
    assert_error(api.get("/api/v1/placements/not-a-real-id/"), 404, "id", MSG_UNKNOWN_PLACEMENT)


@pytest.mark.django_db
def test_an_unfinished_attempt_is_not_a_placement(api, quiz):
    attempt = start_attempt(live_version(quiz))
    assert_error(api.get(f"/api/v1/placements/{attempt.result_id}/"), 404, "id")


# --- API and quiz pages agree. ---


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rung", "extra", "region"),
    [
        ("junior", {}, "IN"),
        ("mid", {"title": "lead", "company": "services"}, "US"),
        ("senior", {"skills": ["s0", "s2"]}, ""),
        ("lead", {"title": "junior"}, "IN"),
    ],
)
def test_api_and_quiz_page_placements_agree(api, quiz, rung, extra, region):
    answers = answers_at(quiz, rung, **extra)
    via_api = post_json(api, placements_url(), {"answers": answers, "region": region}).json()
    page_attempt = start_attempt(live_version(quiz), channel=Attempt.Channel.WEB)
    via_page = complete_attempt(page_attempt, answers, region=region).result
    for key in ("rung", "next_rung", "title_gap", "next_steps", "salary", "confidence", "notes"):
        assert via_api[key] == via_page[key], key
    assert set(Attempt.objects.values_list("channel", flat=True)) == {"api", "web"}


# --- Bad input: one shape, the field named. ---


@pytest.mark.django_db
def test_unknown_quiz_is_a_404_naming_the_slug(api, quiz):
    response = post_json(api, placements_url("nope"), {"answers": answers_at(quiz, "mid")})
    assert_error(response, 404, "slug", MSG_UNKNOWN_QUIZ)
    assert not Attempt.objects.exists()


@pytest.mark.django_db
def test_a_draft_quiz_takes_no_placements(api, ladder):
    draft = make_quiz(ladder, slug="draft-only", published=False)
    response = post_json(api, placements_url("draft-only"), {"answers": answers_at(draft, "mid")})
    assert_error(response, 404, "slug")


def _answers_without(quiz, key):
    answers = answers_at(quiz, "mid")
    del answers[key]
    return answers


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"bogus": "mid"}, "answers.bogus", MSG_UNKNOWN_QUESTION),
        ({"q1": "principal"}, "answers.q1", MSG_UNKNOWN_OPTION.format(value="principal")),
        # An option of another question (the company question's).
        ({"q2": "services"}, "answers.q2", MSG_UNKNOWN_OPTION.format(value="services")),
        ({"q1": ["mid"]}, "answers.q1", MSG_SINGLE_EXPECTED),
        ({"q1": 5}, "answers.q1", "expects an option key"),
        ({"q1": {"key": "mid"}}, "answers.q1", "expects an option key"),
        ({"skills": ["s0", 3]}, "answers.skills", "expects an option key"),
        ({"skills": ["nope"]}, "answers.skills", MSG_UNKNOWN_OPTION.format(value="nope")),
    ],
)
def test_bad_answers_name_the_question(api, quiz, change, field, message):
    answers = answers_at(quiz, "mid") | change
    response = post_json(api, placements_url(), {"answers": answers})
    assert_error(response, 400, field, message)
    assert not Attempt.objects.exists()


@pytest.mark.django_db
def test_a_missing_required_answer_names_the_question(api, quiz):
    response = post_json(api, placements_url(), {"answers": _answers_without(quiz, "q2")})
    assert_error(response, 400, "answers.q2", MSG_REQUIRED)


@pytest.mark.django_db
def test_every_problem_is_reported_at_once(api, quiz):
    answers = _answers_without(quiz, "q2") | {"q1": "nope", "bogus": "x"}
    response = post_json(api, placements_url(), {"answers": answers, "colour": "red"})
    # The body's shape is checked before the answers are scored.
    assert fields(response) == ["colour"]
    response = post_json(api, placements_url(), {"answers": answers})
    assert sorted(fields(response)) == ["answers.bogus", "answers.q1", "answers.q2"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "answers"),
        ({"answers": ["mid"]}, "answers"),
        ({"answers": "mid"}, "answers"),
        ({"answers": None}, "answers"),
        ([], "body"),
        ("answers", "body"),
        (None, "body"),
    ],
)
def test_a_body_of_the_wrong_shape_names_the_field(api, quiz, body, field):
    assert_error(post_json(api, placements_url(), body), 400, field)


@pytest.mark.django_db
@pytest.mark.parametrize("region", [5, True, ["IN"], {"code": "IN"}])
def test_a_region_that_is_not_a_string_names_region(api, quiz, region):
    body = {"answers": answers_at(quiz, "mid"), "region": region}
    assert_error(post_json(api, placements_url(), body), 400, "region")


@pytest.mark.django_db
@pytest.mark.parametrize("region", ["IND", "I", "1N", "in "])
def test_a_region_that_is_not_two_letters_names_region(api, quiz, region):
    body = {"answers": answers_at(quiz, "mid"), "region": region}
    assert_error(post_json(api, placements_url(), body), 400, "region", MSG_REGION)


@pytest.mark.django_db
def test_an_unknown_top_level_field_is_named(api, quiz):
    body = {"answers": answers_at(quiz, "mid"), "partner": "pk_x", "colour": "red"}
    response = post_json(api, placements_url(), body)
    assert_error(response, 400, "colour")
    assert sorted(fields(response)) == ["colour", "partner"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    [
        b'{"answers": {"q1": "mid"',
        b"{'answers': {}}",
        b'{"answers": {"q1": NaN}}',
        b"\xff\xfe{}",
        b'{"answers": {"q1": "mid"}} trailing',
    ],
)
def test_malformed_json_is_a_400_naming_the_body(api, quiz, raw):
    response = api.generic("POST", placements_url(), raw, content_type="application/json")
    assert_error(response, 400, "body")


@pytest.mark.django_db
def test_deeply_nested_json_is_refused_not_crashed(api, quiz):
    raw = b"[" * 5000 + b"]" * 5000
    response = api.generic("POST", placements_url(), raw, content_type="application/json")
    assert_error(response, 400, "body", MSG_TOO_DEEP)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]
)
def test_a_body_that_is_not_json_is_a_415(api, quiz, content_type):
    response = api.generic("POST", placements_url(), b"answers=1", content_type=content_type)
    assert_error(response, 415, "Content-Type")


@pytest.mark.django_db
def test_a_body_with_no_content_type_is_a_415(api, quiz):
    response = api.generic("POST", placements_url(), b'{"answers": {}}', content_type="")
    assert_error(response, 415, "Content-Type")


@pytest.mark.django_db
def test_an_oversize_body_is_a_413_before_it_is_read(api, quiz, settings):
    settings.API_MAX_BODY_BYTES = 100
    body = {"answers": answers_at(quiz, "mid"), "region": "IN"}
    raw = json.dumps(body).encode() + b" " * 100
    response = api.generic("POST", placements_url(), raw, content_type="application/json")
    assert_error(response, 413, "body", MSG_BODY_TOO_LARGE.format(limit=100))
    assert not Attempt.objects.exists()


@pytest.mark.django_db
def test_the_default_limit_refuses_a_big_body(api, quiz, settings):
    raw = json.dumps({"answers": {"q1": "x" * settings.API_MAX_BODY_BYTES}}).encode()
    response = api.generic("POST", placements_url(), raw, content_type="application/json")
    assert_error(response, 413, "body")


@pytest.mark.django_db
def test_a_chunked_body_without_a_length_is_refused(api, quiz):
    response = api.generic(
        "POST",
        placements_url(),
        b"",
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert_error(response, 400, "body", MSG_LENGTH_REQUIRED)


def test_the_parser_never_reads_past_the_limit(settings):
    # A stream longer than it claimed (or with no length at all) stops at the cap.
    settings.API_MAX_BODY_BYTES = 10
    stream = io.BytesIO(b'{"answers": {}}' + b" " * 1000)
    with pytest.raises(PayloadTooLarge):
        CappedJSONParser().parse(stream, "application/json", {})
    assert stream.tell() == 11


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("PUT", LADDERS),
        ("POST", LADDERS),
        ("DELETE", f"{QUIZZES}test-quiz/"),
        ("GET", placements_url()),
        ("PATCH", "/api/v1/placements/abc/"),
    ],
)
def test_a_wrong_method_is_a_405_in_the_shape(api, quiz, method, url):
    response = api.generic(method, url, b"{}", content_type="application/json")
    assert_error(response, 405, "method")
    assert response["Allow"]


@pytest.mark.django_db
def test_unknown_api_paths_are_json_404s(api):
    assert_error(api.get("/api/v1/nothing-here/"), 404, "path")
    assert_error(api.post("/api/v1/", {}), 404, "path")


@pytest.mark.django_db
def test_a_missing_trailing_slash_is_a_404_that_says_so(api, quiz):
    # Not a redirect: a redirected POST would lose its body.
    response = post_json(api, "/api/v1/quizzes/test-quiz/placements", {"answers": {}})
    assert_error(
        response,
        404,
        "path",
        MSG_MISSING_SLASH.format(path="/api/v1/quizzes/test-quiz/placements/"),
    )


# --- Partner keys. ---


@pytest.mark.django_db
@pytest.mark.parametrize("url", [LADDERS, f"{QUIZZES}test-quiz/", placements_url()])
def test_an_unknown_partner_key_is_a_403_naming_partner(api, quiz, url):
    response = api.generic(
        "GET" if "placements" not in url else "POST",
        url,
        json.dumps({"answers": answers_at(quiz, "mid")}),
        content_type="application/json",
        HTTP_X_CAREERQUIZ_PARTNER="pk_nobody",
    )
    assert_error(response, 403, "partner", MSG_UNKNOWN_PARTNER)
    assert not Attempt.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["%00", "pk_%00x", "pk_" + "x" * 100, "%F0%9F%94%91"])
def test_a_malformed_partner_key_is_a_403_not_a_crash(api, ladder, key):
    assert_error(api.get(f"{LADDERS}?partner={key}"), 403, "partner", MSG_UNKNOWN_PARTNER)


@pytest.mark.django_db
def test_a_disabled_partner_key_is_a_403_naming_partner(api, quiz, partner):
    partner.is_active = False
    partner.save()
    response = post_json(
        api,
        f"{placements_url()}?partner={partner.public_key}",
        {"answers": answers_at(quiz, "mid")},
    )
    assert_error(response, 403, "partner", MSG_PARTNER_DISABLED)
    assert not Attempt.objects.exists()


# --- Throttling. ---


@pytest.mark.django_db
def test_the_client_throttle_answers_429_with_retry_after(api, ladder, rates):
    rates(client="2/min")
    assert api.get(LADDERS).status_code == 200
    assert api.get(LADDERS).status_code == 200
    response = api.get(LADDERS)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert (body["status"], body["code"], body["errors"]) == (429, "throttled", [])
    # Another client address is counted on its own.
    assert api.get(LADDERS, REMOTE_ADDR="10.0.0.2").status_code == 200


@pytest.mark.django_db
def test_the_partner_throttle_counts_all_of_a_partners_clients(api, ladder, partner, rates):
    rates(client="100/min", partner="2/min")
    key = {"HTTP_X_CAREERQUIZ_PARTNER": partner.public_key}
    assert api.get(LADDERS, REMOTE_ADDR="10.0.0.1", **key).status_code == 200
    assert api.get(LADDERS, REMOTE_ADDR="10.0.0.2", **key).status_code == 200
    response = api.get(LADDERS, REMOTE_ADDR="10.0.0.3", **key)
    assert response.status_code == 429
    assert response["Retry-After"]
    # The same clients without the key are only under the client limit.
    assert api.get(LADDERS, REMOTE_ADDR="10.0.0.3").status_code == 200


@pytest.mark.django_db
def test_a_partner_key_does_not_lift_the_client_throttle(api, ladder, partner, rates):
    rates(client="2/min", partner="100/min")
    key = {"HTTP_X_CAREERQUIZ_PARTNER": partner.public_key}
    assert api.get(LADDERS).status_code == 200
    assert api.get(LADDERS).status_code == 200
    assert api.get(LADDERS, **key).status_code == 429


@pytest.mark.django_db
def test_placements_have_their_own_tighter_throttle(api, quiz, rates):
    rates(placements="1/min")
    body = {"answers": answers_at(quiz, "mid")}
    assert post_json(api, placements_url(), body).status_code == 201
    response = post_json(api, placements_url(), body)
    assert response.status_code == 429
    assert response["Retry-After"]
    assert response.json()["code"] == "throttled"
    assert api.get(QUIZZES).status_code == 200
    assert Attempt.objects.count() == 1


# --- HTTP caching. ---


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", [LADDERS, f"{LADDERS}test-ladder/", QUIZZES, f"{QUIZZES}test-quiz/"]
)
def test_content_is_cacheable_and_revalidates_with_304(api, quiz, url):
    response = api.get(url)
    assert response.status_code == 200
    etag = response["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{40}"', etag)
    assert response["Cache-Control"] == CONTENT_CACHE_CONTROL
    assert "Origin" in response["Vary"]
    again = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == CONTENT_CACHE_CONTROL
    assert api.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert api.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.django_db
def test_changed_content_changes_the_etag(api, quiz, ladder):
    etag = api.get(f"{LADDERS}{ladder.slug}/")["ETag"]
    # An editor's skill edit (a save, as in the admin or an import) reaches the cached body.
    skill = Skill.objects.filter(rung__slug="mid").first()
    assert skill is not None
    skill.category = "renamed"
    skill.save()
    response = api.get(f"{LADDERS}{ladder.slug}/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag

    quiz_etag = api.get(f"{QUIZZES}{quiz.slug}/")["ETag"]
    Question.objects.filter(quiz=quiz, key="q1").update(text="Reworded?")
    assert api.get(f"{QUIZZES}{quiz.slug}/", HTTP_IF_NONE_MATCH=quiz_etag).status_code == 304
    publish(quiz)
    assert api.get(f"{QUIZZES}{quiz.slug}/", HTTP_IF_NONE_MATCH=quiz_etag).status_code == 200


@pytest.mark.django_db
def test_errors_and_placements_are_not_publicly_cacheable(api, quiz):
    assert "ETag" not in api.get(f"{LADDERS}nope/")
    response = post_json(api, placements_url(), {"answers": answers_at(quiz, "mid")})
    assert response["Cache-Control"] == "no-store"
    assert "ETag" not in response


# --- CORS. ---


@pytest.mark.django_db
def test_cors_allows_an_active_partners_origin(api, ladder, partner):
    response = api.get(LADDERS, HTTP_ORIGIN="https://careers.example")
    assert response["Access-Control-Allow-Origin"] == "https://careers.example"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Origin" in response["Vary"] or "origin" in response["Vary"]
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.django_db
def test_cors_gives_other_origins_nothing(api, ladder, partner):
    response = api.get(LADDERS, HTTP_ORIGIN="https://elsewhere.example")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_cors_gives_a_disabled_partners_origin_nothing(api, ladder, partner):
    partner.is_active = False
    partner.save()
    response = api.get(LADDERS, HTTP_ORIGIN="https://careers.example")
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_cors_forgets_origins_a_request_cached_before_the_change_committed(
    api, ladder, partner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        partner.is_active = False
        partner.save()  # in the admin, inside a transaction
        # Meanwhile another request, which still sees the committed rows, caches them.
        cache.set(cors.CACHE_KEY, frozenset({"https://careers.example"}), cors.CACHE_SECONDS)

    response = api.get(LADDERS, HTTP_ORIGIN="https://careers.example")
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_cors_preflight_for_a_json_post_with_the_partner_header(api, quiz, partner):
    response = api.options(
        placements_url(),
        HTTP_ORIGIN="https://careers.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, x-careerquiz-partner",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://careers.example"
    assert "POST" in response["Access-Control-Allow-Methods"]
    allowed = response["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed
    assert "x-careerquiz-partner" in allowed

    refused = api.options(
        placements_url(),
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "Access-Control-Allow-Origin" not in refused


@pytest.mark.django_db
def test_cors_stays_off_outside_the_api(partner):
    response = Client().get("/healthz/", HTTP_ORIGIN="https://careers.example")
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_partner_changes_apply_to_cors_at_once(api, ladder, partner):
    origin = "https://new.example"
    assert "Access-Control-Allow-Origin" not in api.get(LADDERS, HTTP_ORIGIN=origin)
    partner.allowed_origins += f"\n{origin}"
    partner.save()
    assert api.get(LADDERS, HTTP_ORIGIN=origin)["Access-Control-Allow-Origin"] == origin
    partner.delete()
    assert "Access-Control-Allow-Origin" not in api.get(LADDERS, HTTP_ORIGIN=origin)


@pytest.mark.parametrize(
    ("origin", "normalised"),
    [
        ("https://Careers.Example", "https://careers.example"),
        ("https://careers.example:443", "https://careers.example"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("https://careers.example/", ""),
        ("https://careers.example/path", ""),
        ("ftp://careers.example", ""),
        ("null", ""),
        ("https://careers.example:99999", ""),
        ("", ""),
    ],
)
def test_origins_compare_in_normal_form(origin, normalised):
    assert normalise_origin(origin) == normalised


# --- Docs. ---


@pytest.mark.django_db
def test_swagger_ui_loads_everything_from_our_static_files_under_the_csp(api):
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources
    for source in sources:
        assert source.startswith("/static/") or source.startswith("/api/docs/?"), source
    assert "<script>" not in html  # no inline script: the init script is its own URL
    policy = response["Content-Security-Policy"]
    assert "unsafe-" not in policy
    assert re.search(r"script-src 'self'( 'nonce-[^']+')?;", policy)
    # The template's one inline <style> is allowed by its hash, and nothing else is.
    (style,) = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy

    client = Client()
    for source in sources:
        if source.startswith("/static/"):
            assert client.get(source).status_code == 200, source
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
    assert "/api/schema/" in script.content.decode()


@pytest.mark.django_db
def test_the_csp_relaxation_is_only_on_the_docs(api):
    response = api.get(LADDERS)
    assert "sha256-" not in response.get("Content-Security-Policy", "")


@pytest.mark.django_db
@pytest.mark.parametrize("rung", ["junior", "mid", "senior", "lead"])
def test_the_fast_placement_body_is_exactly_the_serializers_output(quiz, rung):
    from careerquiz.api.projection import projector
    from careerquiz.api.serializers import PlacementSerializer
    from quiz.attempts import place_and_record

    answers = answers_at(quiz, rung, title="lead", company="services", skills=["s0"])
    attempt = place_and_record(live_version(quiz), answers, region="IN")
    body = attempt.result | {"result_url": "https://quiz.example/r/", "ref": "spring"}
    # A result stored before later fields existed reads with their defaults.
    old = {k: v for k, v in body.items() if k not in ("why", "claimed", "next_rung_skills")}

    for data in (body, old):
        # As JSON text: the same keys in the same order, and 1 is not 1.0 nor True.
        expected = json.dumps(PlacementSerializer(data).data)
        assert json.dumps(projector(PlacementSerializer)(data)) == expected

    # The body as sent writes only the fields it shows, and is the same.
    from careerquiz.api.views import _Site, placement_body

    site = _Site("https://quiz.example/")
    whole = attempt.result | {
        "result_url": site.build_absolute_uri(attempt.get_absolute_url()),
        "ref": attempt.ref,
        "passthrough": attempt.passthrough,
    }
    expected = json.dumps(PlacementSerializer(whole).data)
    assert json.dumps(placement_body(site, attempt)) == expected


@pytest.mark.django_db
def test_quiz_reads_and_placements_cost_a_fixed_few_queries(
    api, quiz, partner, django_assert_num_queries
):
    url = f"{QUIZZES}{quiz.slug}/"
    body = {"answers": answers_at(quiz, "mid"), "region": "IN"}
    api.get(url)  # the process reads the version's snapshot once
    forget_all()  # which version is live, and the partner, are kept for a second

    with django_assert_num_queries(1):  # which version is live
        assert api.get(url).status_code == 200
    forget_all()
    # Which version is live; the finished attempt's INSERT; its tallies' upsert (quiz.tallies),
    # which on PostgreSQL is the INSERT's own statement (quiz.inserts).
    writes = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(1 + writes):
        assert api.post(f"{url}placements/", body, format="json").status_code == 201
    forget_all()
    # And the partner, by its key; its webhook endpoints.
    with django_assert_num_queries(3 + writes):
        placed = api.post(
            f"{url}placements/", body, format="json", HTTP_X_CAREERQUIZ_PARTNER="pk_careers"
        )
    assert placed.status_code == 201
