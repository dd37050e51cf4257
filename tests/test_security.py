"""Security: the admin's side doors, and what the public endpoints refuse.

History and revert pages, the "View on site" shortcut, ids that are not ids,
bodies that are too big or carry files, and the API's origin and idempotency
rules. Each test here failed before the fix it names.
"""

from __future__ import annotations

import html
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, models
from django.test import Client
from django.urls import reverse
from rest_framework.request import Request as DrfRequest
from rest_framework.test import APIClient

from careerquiz import roles
from careerquiz.api.authentication import MSG_ORIGIN_NOT_REGISTERED
from careerquiz.api.throttling import ClientRateThrottle, PlacementRateThrottle
from careerquiz.api.views import MSG_BAD_KEY, MSG_KEY_REUSED
from careerquiz.content import ContentInvalid, files, loads
from careerquiz.content.files import MSG_BAD_YAML, MSG_YAML_ALIAS
from careerquiz.content.validation import MSG_UNKNOWN_SOURCE, validate
from careerquiz.middleware import MSG_BODY_TOO_LARGE, MSG_NO_FILES, MSG_NUL, body_limit
from careerquiz.partners.models import Partner
from careerquiz.web.clients import Rate
from careerquiz.web.counters import Window, hit, hit_many
from careerquiz.web.history import GuardedHistoryAdmin
from quiz import flow
from quiz.attempts import complete_attempt, start_attempt
from quiz.models import Attempt, Quiz
from tests import test_admin
from tests.factories import answers_at, live_version
from tests.test_admin import read_form
from tests.test_api import assert_error, placements_url, post_json

TRACKED = sorted(
    (
        model
        for app in ("ladder", "quiz", "partners")
        for model in apps.get_app_config(app).get_models()
        if hasattr(model._meta, "simple_history_manager_attribute")
    ),
    key=lambda model: model._meta.label,
)
content = test_admin.content  # one object of every registered model (a fixture)


def url_name(model: type[models.Model], view: str) -> str:
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def staff_with(*codenames: str, username: str = "staff") -> tuple[Client, Any]:
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    for codename in codenames:
        app_label, _, name = codename.partition(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=name)
        )
    client = Client()
    client.force_login(user)
    return client, user


def staff_in(group: str, username: str) -> tuple[Client, Any]:
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client, user


def saved_fields(obj: models.Model) -> dict[str, object]:
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    return {field.attname: getattr(fresh, field.attname) for field in fresh._meta.concrete_fields}


# --- 1. History pages go through each admin's rules ------------------------------------------


def test_every_history_tracked_admin_guards_its_history_pages():
    assert len(TRACKED) >= 12
    for model in TRACKED:
        assert isinstance(admin.site.get_model_admin(model), GuardedHistoryAdmin), model


@pytest.mark.parametrize("model", TRACKED, ids=[model._meta.label for model in TRACKED])
def test_view_permission_reads_history_but_cannot_revert(content, admin_client, model):
    obj = model._default_manager.first()
    assert obj is not None
    opts = model._meta
    client, user = staff_with(f"{opts.app_label}.view_{opts.model_name}")
    if isinstance(obj, Partner):
        obj.managers.add(user)  # a partner manager's admin shows only their partners
    version = obj.history.earliest()
    revert = reverse(url_name(model, "simple_history"), args=[obj.pk, version.pk])
    before = saved_fields(obj)
    history_rows = obj.history.count()

    listing = client.get(reverse(url_name(model, "history"), args=[obj.pk]))
    page = client.get(revert)
    # What an editor's browser would post from the same page.
    posted = client.post(revert, read_form(admin_client.get(revert).content.decode()))

    assert listing.status_code == 200
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # no revert button
    assert posted.status_code == 403
    assert saved_fields(obj) == before
    assert obj.history.count() == history_rows


@pytest.mark.parametrize("model", TRACKED, ids=[model._meta.label for model in TRACKED])
def test_history_shows_nothing_the_admin_would_not(content, admin_client, monkeypatch, model):
    obj = model._default_manager.first()
    model_admin = admin.site.get_model_admin(model)
    # The admin's own queryset hides this object from this user (as a partner manager's
    # hides other partners): its history must be hidden the same way.
    monkeypatch.setattr(model_admin, "get_queryset", lambda request: model._default_manager.none())
    version = obj.history.earliest()
    revert = reverse(url_name(model, "simple_history"), args=[obj.pk, version.pk])
    before = saved_fields(obj)

    listing = admin_client.get(reverse(url_name(model, "history"), args=[obj.pk]))
    page = admin_client.get(revert)
    posted = admin_client.post(revert, {"slug": "taken-over", "name": "Taken over"})

    for response in (listing, page, posted):
        assert response.status_code == 302  # the admin's "does not exist" redirect
        assert response["Location"] == reverse("admin:index")
    assert saved_fields(obj) == before


@pytest.mark.django_db
def test_a_partner_manager_cannot_read_or_revert_another_partners_history():
    manager, _ = staff_in(roles.PARTNER_MANAGER, "manager")
    other = Partner.objects.create(name="Other Co", allowed_origins="https://other.example")
    other.allowed_origins = "https://other.example\nhttps://second.example"
    other.save()
    first = other.history.earliest()
    revert = reverse("admin:partners_partner_simple_history", args=[other.pk, first.pk])
    listing = reverse("admin:partners_partner_history", args=[other.pk])

    posted = manager.post(
        revert, {"name": "Other Co", "allowed_origins": "https://evil.example", "is_active": "on"}
    )

    assert manager.get(listing).status_code == 302
    assert manager.get(revert).status_code == 302
    assert posted.status_code == 302
    other.refresh_from_db()
    assert "evil.example" not in other.allowed_origins
    assert other.history.count() == 2


@pytest.mark.django_db
def test_a_quiz_reader_cannot_rename_the_live_quiz_through_its_history(quiz, admin_client):
    reader, _ = staff_with("quiz.view_quiz", username="reader")
    revert = reverse("admin:quiz_quiz_simple_history", args=[quiz.pk, quiz.history.earliest().pk])
    data = read_form(admin_client.get(revert).content.decode())
    data["slug"] = ["renamed"]

    assert reader.post(revert, data).status_code == 403
    quiz.refresh_from_db()
    assert quiz.slug == "test-quiz"
    assert Client().get(reverse("quiz:start", args=["test-quiz"])).status_code == 200


@pytest.mark.django_db
def test_an_editor_still_reverts(ladder):
    editor, _ = staff_in(roles.EDITOR, "editor")
    ladder.title = "Renamed"
    ladder.save()
    revert = reverse(
        "admin:ladder_ladder_simple_history", args=[ladder.pk, ladder.history.earliest().pk]
    )
    data = read_form(editor.get(revert).content.decode())

    assert editor.post(revert, data).status_code == 302
    ladder.refresh_from_db()
    assert ladder.title != "Renamed"


# --- 11. Ids that are not ids are a 404, never a 500 --------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/quiz/quiz/abc/history/",
        "/admin/ladder/rung/abc/history/",
        "/admin/quiz/quiz/%00/history/",
        "/admin/partners/partner/%00/history/1/",
        "/admin/quiz/quiz/{pk}/history/abc/",
        "/admin/quiz/quiz/{pk}/history/%00/",
        "/admin/quiz/quiz/{pk}/history/99999999/",
        "/admin/quiz/attempt/?region=%00",
        "/admin/quiz/attempt/?q=%00",
        "/admin/quiz/quiz/?q=a%00b",
    ],
)
def test_bad_ids_and_filters_on_staff_urls_are_not_errors(quiz, admin_client, path):
    response = admin_client.get(path.format(pk=quiz.pk))
    assert response.status_code in (200, 302, 400, 404)


# --- 2. "View on site" shows only what the user's admin shows ------------------------------


def shortcut_url(obj: models.Model) -> str:
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("admin:view_on_site", args=[content_type.pk, obj.pk])


@pytest.mark.django_db
def test_view_on_site_does_not_hand_out_other_partners_results(quiz):
    manager, user = staff_in(roles.PARTNER_MANAGER, "manager")
    theirs = Partner.objects.create(name="Theirs", allowed_origins="https://theirs.example")
    theirs.managers.add(user)
    other = Partner.objects.create(name="Other", allowed_origins="https://other.example")
    version = live_version(quiz)
    attempts = {}
    for partner in (theirs, other):
        attempt = start_attempt(version, channel=Attempt.Channel.EMBED, partner_id=partner.pk)
        attempts[partner.name] = complete_attempt(attempt, answers_at(quiz, "mid"))
    web = complete_attempt(start_attempt(version), answers_at(quiz, "mid"))

    own = manager.get(shortcut_url(attempts["Theirs"]))
    foreign = manager.get(shortcut_url(attempts["Other"]))
    unattributed = manager.get(shortcut_url(web))

    assert own.status_code == 302
    assert own["Location"].endswith(attempts["Theirs"].get_absolute_url())
    assert foreign.status_code == 404
    assert unattributed.status_code == 404
    assert shortcut_url(attempts["Other"]).startswith("/admin/r/")  # the admin's own link


@pytest.mark.django_db
def test_view_on_site_needs_a_permission_on_the_object(quiz):
    nobody, _ = staff_with(username="nobody")
    editor, _ = staff_in(roles.EDITOR, "editor")
    attempt = complete_attempt(start_attempt(live_version(quiz)), answers_at(quiz, "mid"))

    assert nobody.get(shortcut_url(attempt)).status_code == 404
    assert nobody.get(shortcut_url(quiz)).status_code == 404
    assert editor.get(shortcut_url(attempt)).status_code == 302
    assert editor.get(shortcut_url(quiz)).status_code == 302
    assert editor.get("/admin/r/abc/1/").status_code == 404
    quiz_type = ContentType.objects.get_for_model(Quiz).pk
    assert editor.get(f"/admin/r/{quiz_type}/%00/").status_code == 404


# --- 7. One body cap for every content type; public forms take no files -------------------


def step_url(quiz: Quiz) -> str:
    return reverse("quiz:step", args=[quiz.slug])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "text/plain"],
)
def test_a_huge_body_is_refused_from_its_length_before_a_byte_is_read(quiz, content_type):
    # The test client's payload refuses to be read past its 5 bytes: a server that
    # tried to read the declared 500 MB would fail the test with an AssertionError.
    response = Client().post(
        step_url(quiz), b"--x\r\n", content_type=content_type, CONTENT_LENGTH=str(500 * 2**20)
    )

    assert response.status_code == 413
    assert response.content.decode() == MSG_BODY_TOO_LARGE.format(
        length=500 * 2**20, limit=body_limit()
    )
    assert Attempt.objects.count() == 0


@pytest.mark.django_db
def test_a_huge_api_body_is_a_json_413(quiz):
    response = Client().post(
        reverse("api:placement-create", args=[quiz.slug]),
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(500 * 2**20),
    )

    assert response.status_code == 413
    assert response.json()["errors"] == [
        {
            "field": "body",
            "message": MSG_BODY_TOO_LARGE.format(length=500 * 2**20, limit=body_limit()),
        }
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["quiz:step", "partners:embed-step"])
def test_a_public_form_refuses_a_file_part(quiz, view):
    upload = SimpleUploadedFile("cv.pdf", b"%PDF-1.7 " * 10_000, content_type="application/pdf")

    response = Client().post(reverse(view, args=[quiz.slug]), {"action": "next", "cv": upload})

    assert response.status_code == 400
    assert response.content.decode() == MSG_NO_FILES
    assert Attempt.objects.count() == 0


@pytest.mark.django_db
def test_the_admin_import_still_takes_its_file(admin_client):
    upload = SimpleUploadedFile("content.json", b'{"format": "careerquiz/1"}')

    response = admin_client.post(reverse("content-import"), {"file": upload})

    assert response.status_code == 200
    assert MSG_NO_FILES not in response.content.decode()


@pytest.mark.django_db
def test_a_nul_in_an_admin_filter_is_a_400(admin_client):
    response = admin_client.get("/admin/quiz/attempt/?region=%00")

    assert response.status_code == 400
    assert response.content.decode() == MSG_NUL


# --- 8. Throttles count atomically, one round trip each ------------------------------------


def test_simultaneous_hits_each_get_their_own_count():
    # Run against Redis when REDIS_URL is set (the Lua script), else local memory.
    with ThreadPoolExecutor(max_workers=16) as pool:
        # One moment for every hit: a run that crossed a window's end would count twice.
        counts = list(
            pool.map(lambda _: hit("test:burst", limit_seconds=60, now=1_000_020).used, range(200))
        )

    assert sorted(counts) == list(range(1, 201))


def test_a_throttle_admits_exactly_its_rate_under_concurrency(settings, rf, monkeypatch):
    monkeypatch.setattr("careerquiz.web.counters.time.time", lambda: 1_000_020.0)  # one window
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "client": "1000/min",
            "partner": "1000/min",
            "placements": "30/min",
        },
    }
    request = rf.post("/api/v1/quizzes/x/placements/", REMOTE_ADDR="203.0.113.7")

    def allowed(_: int) -> bool:
        return PlacementRateThrottle().allow_request(DrfRequest(request), None)  # type: ignore[arg-type]

    with ThreadPoolExecutor(max_workers=16) as pool:
        admitted = sum(pool.map(allowed, range(300)))
    throttle = PlacementRateThrottle()
    throttle.allow_request(DrfRequest(request), None)  # type: ignore[arg-type]

    assert admitted == 30
    assert 0 < (throttle.wait() or 0) <= 60


def test_a_throttle_takes_one_cache_round_trip(settings, rf, monkeypatch):
    calls: list[list[Window]] = []

    def counting_hit_many(windows: list[Window], **kwargs: Any):
        calls.append(list(windows))
        return hit_many(windows, **kwargs)

    monkeypatch.setattr("careerquiz.api.throttling.hit_many", counting_hit_many)
    request = DrfRequest(rf.get("/api/v1/ladders/", REMOTE_ADDR="203.0.113.8"))
    reads = {name: 0 for name in ("get", "set", "add", "incr")}
    for name in reads:
        original = getattr(cache, name)

        def counted(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any):
            reads[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(cache, name, counted)
    ClientRateThrottle().allow_request(request, None)  # type: ignore[arg-type]
    if getattr(cache, "count_in_windows", None) is not None:  # Redis: the script alone
        assert reads == {"get": 0, "set": 0, "add": 0, "incr": 0}
    else:
        assert reads["get"] == reads["set"] == 0
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("text", "count", "seconds"),
    [("30/min", 30, 60), ("30/minute", 30, 60), ("5/s", 5, 1), ("100/day", 100, 86400)],
)
def test_the_quiz_start_limit_reads_rates_as_the_api_does(text, count, seconds):
    assert Rate.parse(text) == Rate(count, seconds)


# --- 6. Content files cannot make the server work without end -----------------------------

LAUGHS = "\n".join(
    ["format: careerquiz/1", "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    + ["ladders: [*i]"]
)


def test_a_yaml_alias_is_refused_before_it_expands():
    assert len(LAUGHS.encode()) < 700  # 9**9 values once expanded

    with pytest.raises(ContentInvalid) as refused:
        loads(LAUGHS, yaml=True)

    message = refused.value.errors[0].message
    assert message.startswith(MSG_BAD_YAML.split(":")[0])
    assert MSG_YAML_ALIAS in message
    assert "line 3" in message  # the first alias


@pytest.mark.django_db
def test_the_admin_import_answers_a_billion_laughs_with_a_message(admin_client):
    upload = SimpleUploadedFile("laughs.yaml", LAUGHS.encode())

    response = admin_client.post(reverse("content-import"), {"file": upload})

    assert response.status_code == 200
    assert MSG_YAML_ALIAS in html.unescape(response.content.decode())


def test_a_yaml_file_with_too_many_values_is_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_NODES", 100)
    text = "format: careerquiz/1\nladders:\n" + "".join(f"  - {i}\n" for i in range(200))

    with pytest.raises(ContentInvalid) as refused:
        loads(text, yaml=True)

    assert refused.value.errors[0].message == files.MSG_TOO_MANY_NODES.format(limit=100)


def test_reading_a_yaml_file_stops_at_its_deadline(monkeypatch):
    monkeypatch.setattr(files, "MAX_PARSE_SECONDS", -1.0)  # already past
    text = "format: careerquiz/1\nladders:\n" + "".join(f"  - {i}\n" for i in range(3000))

    with pytest.raises(ContentInvalid) as refused:
        loads(text, yaml=True)

    assert refused.value.errors[0].message == files.MSG_TOO_SLOW.format(seconds=-1.0)


# --- 9. Idempotent placements ---------------------------------------------------------------


def place(api: APIClient, quiz: Quiz, key: str | None, *, rung: str = "mid", **headers: str):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    payload = {"answers": answers_at(quiz, rung), "region": "IN"}
    return post_json(api, placements_url(quiz.slug), payload, **headers)


@pytest.mark.django_db
def test_a_retry_with_the_same_key_returns_the_first_placement(api, quiz):
    first = place(api, quiz, "order-1234")
    retry = place(api, quiz, "order-1234")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Attempt.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_422_and_records_nothing(api, quiz):
    place(api, quiz, "order-1234")

    other = place(api, quiz, "order-1234", rung="senior")

    assert_error(other, 422, "Idempotency-Key", MSG_KEY_REUSED)
    assert Attempt.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_caller(api, quiz, partner):
    mine = place(api, quiz, "k1")
    theirs = place(api, quiz, "k1", HTTP_X_CAREERQUIZ_PARTNER=partner.public_key)
    elsewhere = post_json(
        api,
        placements_url(quiz.slug),
        {"answers": answers_at(quiz, "mid"), "region": "IN"},
        HTTP_IDEMPOTENCY_KEY="k1",
        REMOTE_ADDR="198.51.100.9",
    )

    assert (mine.status_code, theirs.status_code, elsewhere.status_code) == (201, 201, 201)
    assert len({mine.json()["id"], theirs.json()["id"], elsewhere.json()["id"]}) == 3
    assert Attempt.objects.count() == 3


@pytest.mark.django_db
def test_placements_without_a_key_are_each_new(api, quiz):
    place(api, quiz, None)
    place(api, quiz, None)

    assert Attempt.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_a_malformed_key_is_a_400_naming_the_header(api, quiz, key):
    assert_error(place(api, quiz, key), 400, "Idempotency-Key", MSG_BAD_KEY)
    assert Attempt.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_simultaneous_retries_make_one_placement(quiz):
    # On SQLite the writers queue for the write lock; on PostgreSQL they truly race.
    def attempt(_: int) -> str:
        try:
            return str(place(APIClient(), quiz, "race-1").json()["id"])
        finally:
            close_old_connections()

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(attempt, range(16)))

    assert len(ids) == 1
    assert Attempt.objects.count() == 1


# --- 10. A partner key from a page on an unregistered origin -------------------------------


@pytest.mark.django_db
def test_a_key_sent_from_an_unregistered_origin_is_refused(api, quiz, partner):
    response = place(
        api,
        quiz,
        None,
        HTTP_X_CAREERQUIZ_PARTNER=partner.public_key,
        HTTP_ORIGIN="https://evil.example",
    )

    assert_error(
        response, 403, "Origin", MSG_ORIGIN_NOT_REGISTERED.format(origin="https://evil.example")
    )
    assert Attempt.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origin", [None, "https://careers.example", "https://CAREERS.example:443", "http://testserver"]
)
def test_a_key_from_its_own_origin_or_a_server_is_accepted(api, quiz, partner, origin):
    headers = {"HTTP_X_CAREERQUIZ_PARTNER": partner.public_key}
    if origin is not None:
        headers["HTTP_ORIGIN"] = origin

    response = place(api, quiz, None, **headers)

    assert response.status_code == 201
    assert Attempt.objects.get().partner_id == partner.pk


@pytest.mark.django_db
def test_reads_from_an_unregistered_origin_are_refused_too(api, partner):
    response = api.get(
        "/api/v1/ladders/", HTTP_X_CAREERQUIZ_PARTNER=partner.public_key, HTTP_ORIGIN="null"
    )

    assert_error(response, 403, "Origin")


# --- 12. Every API path answers in the JSON error shape -------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/v1/quizzes/a%0Ab/", "/api/v1/quizzes/a%0A", "/api/v1/%0A", "/api/nothing/", "/api/"],
)
def test_api_paths_that_match_nothing_are_json_404s(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["field"] == "path"


@pytest.mark.django_db
def test_site_paths_that_match_nothing_are_still_the_sites_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- 13. Defence in depth and small gaps -----------------------------------------------------


def _signed_state_of(response) -> dict[str, Any]:
    match = re.search(r'name="state" value="([^"]+)"', response.content.decode())
    assert match is not None
    return signing.loads(html.unescape(match[1]), salt=flow.STATE_SALT)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper",
    [
        {"v": "abc"},
        {"v": True},
        {"a": 12},
        {"a": "not-a-uuid"},
        {"s": "1"},
        {"s": -1},
        {"m": [1]},
        {"ans": ["q1", "mid"]},
        {"ans": {"q1": {"key": "mid"}}},
        {"ans": {"q1": [1, 2]}},
        {"c": "carrier-pigeon"},
        {"p": "1"},
        {"pv": "yes"},
        {"f": 7},
        {"r": None},
        {"q": None},
    ],
    ids=str,
)
def test_a_validly_signed_state_with_wrong_types_is_a_friendly_400(quiz, tamper):
    client = Client()
    payload = _signed_state_of(client.post(reverse("quiz:start", args=[quiz.slug]))) | tamper
    token = signing.dumps(payload, salt=flow.STATE_SALT, compress=True)

    response = client.post(step_url(quiz), {"state": token, "action": "next", "q1": "mid"})

    assert response.status_code == 400
    assert flow.MSG_STATE_INVALID in html.unescape(response.content.decode())
    assert Attempt.objects.filter(completed_at__isnull=False).count() == 0


@pytest.mark.django_db
def test_an_import_refuses_a_citation_of_a_source_the_ladder_does_not_list():
    data = json.loads((Path(__file__).parent / "data" / "small.json").read_text(encoding="utf-8"))
    rung = data["ladders"][0]["rungs"][0]
    rung["sources"] = ["t.txt", "typo.txt"]
    rung["salary_bands"][0]["source"] = "nowhere.txt"

    problems = validate(data)

    known = ", ".join(sorted(source_keys(data)))
    assert {(problem.path, problem.message) for problem in problems} == {
        (
            "ladders[0].rungs[0].sources[1]",
            MSG_UNKNOWN_SOURCE.format(source="typo.txt", known=known),
        ),
        (
            "ladders[0].rungs[0].salary_bands[0].source",
            MSG_UNKNOWN_SOURCE.format(source="nowhere.txt", known=known),
        ),
    }


def source_keys(data: dict[str, Any]) -> set[str]:
    return {s if isinstance(s, str) else s["key"] for s in data["ladders"][0]["sources"]}


@pytest.mark.django_db
def test_a_locked_admin_login_says_when_to_retry():
    get_user_model().objects.create_superuser("boss", password="the right one")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(5):
        client.post(reverse("admin:login"), {"username": "boss", "password": f"guess {n}"})

    locked = client.post(reverse("admin:login"), {"username": "boss", "password": "the right one"})

    assert locked.status_code == 429
    assert locked["Retry-After"] == str(15 * 60)
    assert "Try again in 0:15:00" in locked.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "policy"),
    [
        ("/", "same-origin"),
        ("/quiz/test-quiz/", "same-origin"),
        ("/api/v1/quizzes/", "same-origin"),
        ("/api/v1/nothing/", "same-origin"),
        ("/embed.js", "cross-origin"),
        ("/embed/test-quiz/?partner=pk_careers", "cross-origin"),
        ("/embed/test-quiz/?partner=pk_unknown", "cross-origin"),
    ],
)
def test_every_response_says_who_may_load_it(quiz, partner, path, policy):
    assert Client().get(path)["Cross-Origin-Resource-Policy"] == policy


@pytest.mark.django_db
def test_a_refused_oversize_body_is_one_warning_without_a_traceback(quiz, caplog, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # a body just over it passes the guard's slack
    body = "q1=" + "x" * 2000

    response = Client().post(step_url(quiz), body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    records = [r for r in caplog.records if r.name == "django.security.RequestDataTooBig"]
    assert [(r.levelname, r.exc_info) for r in records] == [("WARNING", None)]


@pytest.mark.django_db
def test_the_quiz_start_limit_takes_the_apis_spelling_of_a_rate(settings, quiz):
    settings.QUIZ_START_THROTTLE = "1/minute"  # raised on every quiz start before
    start = reverse("quiz:start", args=[quiz.slug])

    assert [Client().post(start).status_code for _ in range(2)] == [200, 429]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/embed.js", "/api/v1/ladders/", "/ladders/test-ladder/"])
def test_every_conditional_get_follows_the_rfc(ladder, path):
    etag = Client().get(path)["ETag"]

    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        assert Client().get(path, HTTP_IF_NONE_MATCH=header).status_code == 304, header
    assert Client().get(path, HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.django_db
def test_a_partner_page_may_send_an_idempotency_key_and_read_the_replay_header(quiz, partner):
    preflight = Client().options(
        placements_url(quiz.slug),
        HTTP_ORIGIN="https://careers.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, idempotency-key",
    )
    placed = place(APIClient(), quiz, "k-cors", HTTP_ORIGIN="https://careers.example")

    assert "idempotency-key" in preflight["Access-Control-Allow-Headers"].lower()
    assert "Idempotent-Replayed" in placed["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("text", ["30/Min", "30 / min", " 30/MINUTE "])
def test_a_rate_is_read_whatever_its_case_and_spacing(text):
    assert Rate.parse(text) == Rate(30, 60)
