"""What an operator relies on: health, headers, HEAD, failing open without Redis,
JSON errors from the API, throttled quiz starts and a locked admin login."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from redis.exceptions import ResponseError

from careerquiz.api import queries
from careerquiz.partners.embed import script_snippet
from careerquiz.partners.models import Partner
from careerquiz.views import MSG_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER_SECONDS
from quiz import versions
from quiz.attempts import place_and_record
from quiz.models import Attempt
from tests.factories import answers_at

# A port nothing listens on: Redis "stopped".
STOPPED_REDIS = {
    "default": {
        "BACKEND": "careerquiz.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def partner(db) -> Partner:
    return Partner.objects.create(
        name="Careers Co", public_key="pk_careers", allowed_origins="https://careers.example"
    )


@pytest.fixture
def stopped_redis(settings):
    settings.CACHES = STOPPED_REDIS
    yield caches["default"]
    caches["default"]._down_until = 0.0  # type: ignore[attr-defined]


def pages(quiz, partner: Partner) -> dict[str, str]:
    """One URL of each kind of page a visitor, a partner or an editor opens."""
    attempt = _completed(quiz)
    embedded = _completed(quiz, partner)
    return {
        "home": reverse("home"),
        "quiz intro": reverse("quiz:start", args=[quiz.slug]),
        "result": attempt.get_absolute_url(),
        "ladder": reverse("ladder:detail", args=[quiz.ladder.slug]),
        "embed": reverse("partners:embed", args=[quiz.slug]) + f"?partner={partner.public_key}",
        "embed result": reverse("partners:embed-result", args=[embedded.result_id]),
        "loader": reverse("partners:loader"),
        "api quiz": f"/api/v1/quizzes/{quiz.slug}/",
        "api ladder": f"/api/v1/ladders/{quiz.ladder.slug}/",
        "api docs": "/api/docs/",
        "admin login": reverse("admin:login"),
        "health": reverse("healthz"),
    }


def _completed(quiz, partner: Partner | None = None) -> Attempt:
    assert quiz.live_version is not None
    answers = answers_at(quiz, "mid")
    if partner is None:
        return place_and_record(quiz.live_version, answers, region="IN")
    channel = Attempt.Channel.EMBED
    return place_and_record(
        quiz.live_version, answers, region="IN", channel=channel, partner_id=partner.pk
    )


# --- Health ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_checks_a_real_table_and_the_cache():
    response = Client().get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_says_which_part_is_down_with_a_503(stopped_redis, caplog):
    with caplog.at_level(logging.WARNING):
        response = Client().get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "failed: ConnectionError"},
    }
    assert "Redis is unreachable" in caplog.text


@pytest.mark.django_db
def test_health_is_503_when_an_sqlite_databases_disk_is_nearly_full(monkeypatch):
    import shutil
    from collections import namedtuple

    from django.db import connection

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(24 << 20, 24 << 20, 4096))
    response = Client().get(reverse("healthz"))

    if connection.vendor == "sqlite":
        assert response.status_code == 503
        assert response.json()["checks"]["database"] == "failed: OSError"
    else:  # PostgreSQL's disk is its server's, which reports a failed write itself
        assert response.status_code == 200


@pytest.mark.django_db
def test_health_fails_when_our_tables_are_missing(monkeypatch):
    def no_table() -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM no_such_table")

    monkeypatch.setitem(
        __import__("careerquiz.views", fromlist=["HEALTH_CHECKS"]).HEALTH_CHECKS,
        "database",
        no_table,
    )
    response = Client().get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("failed: ")


# --- Redis down: everything a visitor or a partner does still works ---------------------


@pytest.mark.django_db
def test_without_redis_the_quiz_the_embed_and_the_api_still_complete(stopped_redis, quiz, partner):
    client = Client()
    page = client.post(reverse("quiz:start", args=[quiz.slug]))
    for _ in range(10):
        if page.status_code != 200:
            break
        state = re.search(r'name="state" value="([^"]+)"', page.content.decode())
        choice = re.search(
            r'name="([^"]+)" value="([^"]+)"', page.content.decode().split("state")[-1]
        )
        assert state
        assert choice
        page = client.post(
            reverse("quiz:step", args=[quiz.slug]),
            {"state": state.group(1), choice.group(1): choice.group(2), "action": "next"},
        )
    assert page.status_code == 303
    assert client.get(page["Location"]).status_code == 200

    embed = client.get(reverse("partners:embed", args=[quiz.slug]), {"partner": "pk_careers"})
    assert embed.status_code == 200

    placement = client.post(
        f"/api/v1/quizzes/{quiz.slug}/placements/",
        json.dumps({"answers": answers_at(quiz, "mid"), "region": "IN"}),
        content_type="application/json",
        HTTP_ORIGIN="https://careers.example",
    )
    assert placement.status_code == 201
    # The partner origins come from the database when the cache cannot answer.
    assert placement["Access-Control-Allow-Origin"] == "https://careers.example"
    assert Attempt.objects.completed().count() == 2


@pytest.mark.django_db
def test_without_redis_throttles_fail_open_and_say_so_once(stopped_redis, settings, quiz, caplog):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"client": "1/min", "partner": "1/min", "placements": "1/min"},
    }
    settings.QUIZ_START_THROTTLE = "1/min"
    client = Client()
    with caplog.at_level(logging.WARNING, logger="careerquiz.cache"):
        reads = [client.get(f"/api/v1/quizzes/{quiz.slug}/").status_code for _ in range(3)]
        starts = [
            client.post(reverse("quiz:start", args=[quiz.slug])).status_code for _ in range(3)
        ]

    assert reads == [200, 200, 200]
    assert starts == [200, 200, 200]
    assert caplog.text.count("Redis is unreachable") == 1


def test_an_outage_seen_by_one_thread_is_known_to_every_thread(stopped_redis, caplog):
    with caplog.at_level(logging.WARNING, logger="careerquiz.cache"):
        assert stopped_redis.get("key", "fallback") == "fallback"
        # Django gives every thread its own cache object.
        with ThreadPoolExecutor(max_workers=1) as other_thread:
            other = other_thread.submit(lambda: caches["default"])
        started = time.monotonic()
        assert other.result().get("key", "fallback") == "fallback"

    assert other.result() is not stopped_redis
    assert time.monotonic() - started < 0.1  # answered at once, no connect timeout
    assert caplog.text.count("Redis is unreachable") == 1


def test_a_redis_that_refuses_commands_fails_open_too(stopped_redis, caplog):
    class FullRedis:
        def __getattr__(self, name: str):
            def refuse(*args: object, **kwargs: object):
                raise ResponseError("OOM command not allowed when used memory > 'maxmemory'")

            return refuse

    stopped_redis.__dict__["_cache"] = FullRedis()  # the client Django's backend calls

    with caplog.at_level(logging.WARNING, logger="careerquiz.cache"):
        stopped_redis.set("key", "value")
        assert stopped_redis.get("key", "fallback") == "fallback"

    assert "OOM command not allowed" in caplog.text


# --- Requests at once -------------------------------------------------------------------


@pytest.mark.parametrize("run", range(3))  # each run a new database state and a cold cache
def test_a_new_version_answers_many_requests_at_once(
    transactional_db, live_server, quiz, partner, run
):
    # Two embeds on one page load together, and each process meets a new version cold.
    versions._version.cache_clear()
    versions._compiled.cache_clear()
    paths = [
        reverse("quiz:start", args=[quiz.slug]),
        reverse("partners:embed", args=[quiz.slug]) + "?partner=pk_careers",
        f"/api/v1/quizzes/{quiz.slug}/",
    ] * 8

    def status(path: str) -> int | str:
        try:
            with urllib.request.urlopen(live_server.url + path, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return f"{error.code} {path}"

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(status, paths)) == [200] * len(paths)


# --- API errors are JSON, whatever they are ------------------------------------------------


@pytest.mark.django_db
def test_an_unexpected_api_failure_is_a_json_500(quiz, monkeypatch):
    def broken(slug: str):
        raise RuntimeError("a bug")

    monkeypatch.setattr(queries, "published_quiz", broken)
    client = Client(raise_request_exception=False)

    response = client.get(f"/api/v1/quizzes/{quiz.slug}/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": 500,
        "code": "server_error",
        "detail": "Something went wrong on our side; it has been logged. Please try again.",
        "errors": [],
    }


@pytest.mark.django_db
def test_a_site_page_failure_is_the_sites_500_page(quiz, monkeypatch):
    from quiz import views

    monkeypatch.setattr(views, "live_version", lambda slug: 1 / 0)
    response = Client(raise_request_exception=False).get(reverse("quiz:start", args=[quiz.slug]))

    assert response.status_code == 500
    assert "Something broke on our side" in response.content.decode()


def unreachable_database(*args, **kwargs):
    raise OperationalError("connection failed: connection refused")


@pytest.mark.django_db
def test_a_database_outage_is_a_503_page_with_retry_after(quiz, monkeypatch):
    from quiz import views

    monkeypatch.setattr(views, "live_version", unreachable_database)
    response = Client(raise_request_exception=False).get(reverse("quiz:start", args=[quiz.slug]))

    assert response.status_code == 503
    assert response["Retry-After"] == str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    assert "Briefly unavailable" in response.content.decode()


@pytest.mark.django_db
def test_a_database_outage_on_the_api_is_a_json_503(quiz, monkeypatch):
    monkeypatch.setattr(queries, "published_quiz", unreachable_database)
    response = Client(raise_request_exception=False).get(f"/api/v1/quizzes/{quiz.slug}/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    assert response.json() == {
        "status": 503,
        "code": "service_unavailable",
        "detail": MSG_UNAVAILABLE,
        "errors": [],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        '{"answers": {"\\ud800": "x"}}',
        '{"answers": {"q1": "\\udfff"}, "region": "IN"}',
        '{"region": "\\ud83d"}',
    ],
)
def test_a_lone_surrogate_anywhere_in_the_body_is_a_clear_400(quiz, body):
    response = Client().post(
        f"/api/v1/quizzes/{quiz.slug}/placements/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"
    assert "lone surrogate" in response.json()["errors"][0]["message"]
    assert not Attempt.objects.exists()


# --- Starting a quiz is throttled per client -------------------------------------------


@pytest.mark.django_db
def test_starting_a_quiz_is_limited_per_client_address(settings, quiz, partner):
    settings.QUIZ_START_THROTTLE = "3/min"
    start = reverse("quiz:start", args=[quiz.slug])
    embed = reverse("partners:embed", args=[quiz.slug])
    client = Client(REMOTE_ADDR="203.0.113.7")

    statuses = [client.post(start).status_code for _ in range(3)]
    refused = client.post(embed, {"partner": partner.public_key})
    elsewhere = Client(REMOTE_ADDR="203.0.113.8").post(start)
    over_htmx = client.post(start, HTTP_HX_REQUEST="true")

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Too many quizzes were started from your network" in refused.content.decode()
    assert over_htmx.status_code == 429  # swapped into the panel (responseHandling)
    assert 'id="quiz-panel"' in over_htmx.content.decode()
    assert elsewhere.status_code == 200
    assert Attempt.objects.count() == 4  # the refused starts wrote nothing


@pytest.mark.django_db
def test_behind_a_proxy_the_forwarded_address_is_the_client(settings, quiz):
    settings.QUIZ_START_THROTTLE = "1/min"
    settings.NUM_PROXIES = 1
    start = reverse("quiz:start", args=[quiz.slug])

    first = Client(HTTP_X_FORWARDED_FOR="198.51.100.1").post(start)
    second = Client(HTTP_X_FORWARDED_FOR="198.51.100.2").post(start)
    again = Client(HTTP_X_FORWARDED_FOR="198.51.100.1").post(start)

    assert (first.status_code, second.status_code, again.status_code) == (200, 200, 429)


# --- Admin login brute force --------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_login_locks_after_five_failures_and_the_command_unlocks_it():
    get_user_model().objects.create_superuser("boss", password="the right one")
    login = reverse("admin:login")
    client = Client(REMOTE_ADDR="203.0.113.9")

    failures = [
        client.post(login, {"username": "boss", "password": f"guess {n}"}).status_code
        for n in range(5)
    ]
    locked = client.post(login, {"username": "boss", "password": "the right one"})

    assert failures == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert "Login locked" in locked.content.decode()
    assert "manage.py axes_reset_username boss" in locked.content.decode()

    still = client.post(login, {"username": "boss", "password": "the right one"})
    assert still.status_code == 429
    call_command("axes_reset_username", "boss")
    unlocked = client.post(login, {"username": "boss", "password": "the right one"})
    assert unlocked.status_code == 302


# --- Headers on every kind of page -------------------------------------------------------


def csp_of(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.strip() for d in policy.split(";") if d.strip()}


@pytest.mark.django_db
def test_every_kind_of_page_sends_the_security_headers(quiz, partner):
    for name, url in pages(quiz, partner).items():
        response = Client().get(url)
        assert response.status_code == 200, name
        policy = csp_of(response)
        assert policy["default-src"] == "default-src 'none'", name
        assert "camera=()" in response["Permissions-Policy"], name
        assert "geolocation=()" in response["Permissions-Policy"], name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", name
        framed = name.startswith("embed")
        assert ("X-Frame-Options" in response) is not framed, name
        if framed:
            assert policy["frame-ancestors"] == "frame-ancestors https://careers.example", name
        else:
            assert policy["frame-ancestors"] == "frame-ancestors 'none'", name


@pytest.mark.django_db
def test_no_page_has_an_inline_script_or_style_without_the_responses_nonce(quiz, partner):
    for name, url in pages(quiz, partner).items():
        response = Client().get(url)
        if "html" not in response["Content-Type"]:
            continue
        body = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        for tag, attributes, content in re.findall(
            r"<(script|style)\b([^>]*)>(.*?)</\1>", body, re.S
        ):
            if tag == "script" and ("src=" in attributes or "application/json" in attributes):
                continue  # a file of our own origin, or data no browser runs
            if not content.strip():
                continue
            # api docs: the Swagger UI template's inline styles are allowed by hash.
            if name == "api docs" and tag == "style":
                continue
            assert nonce, f"{name}: an inline <{tag}> but no nonce in the policy"
            assert f'nonce="{nonce.group(1)}"' in attributes, f"{name}: <{tag}{attributes}>"


@pytest.mark.django_db
def test_the_result_page_is_never_kept_by_a_shared_cache(quiz, partner):
    response = Client().get(pages(quiz, partner)["result"])

    assert response["Cache-Control"] == "private, max-age=300"


# --- HEAD wherever GET works --------------------------------------------------------------


@pytest.mark.django_db
def test_head_answers_like_get_without_a_body(quiz, partner, admin_client):
    for name, url in pages(quiz, partner).items():
        get, head = Client().get(url), Client().head(url)
        assert head.status_code == get.status_code == 200, name
        assert head.content == b"", name
        assert head["Content-Type"] == get["Content-Type"], name
    for url in (reverse("admin:index"), reverse("content-import")):
        assert admin_client.head(url).status_code == 200


# --- Subresource Integrity ----------------------------------------------------------------


def sri(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


def served(url: str) -> bytes:
    response = Client().get(url)
    assert response.status_code == 200, url
    return response.getvalue()  # the body, streamed (static files) or not


@pytest.mark.django_db
def test_every_script_and_stylesheet_is_pinned_by_its_integrity(quiz, partner):
    checked = 0
    for name, url in pages(quiz, partner).items():
        response = Client().get(url)
        if "html" not in response["Content-Type"] or name in ("api docs", "admin login"):
            continue  # Swagger UI's and Django admin's own templates, not ours
        tags = re.findall(
            r'<(?:script|link rel="stylesheet")[^>]*(?:src|href)="([^"]+)"([^>]*)>',
            response.content.decode(),
        )
        for src, rest in tags:
            integrity = re.search(r'integrity="([^"]+)"', rest)
            assert integrity, f"{name}: {src} has no integrity"
            assert integrity.group(1) == sri(served(src)), f"{name}: {src}"
            checked += 1
    assert checked >= 12


@pytest.mark.django_db
def test_the_partner_snippet_pins_the_loader_which_any_origin_may_fetch(partner):
    snippet = script_snippet(partner, base_url="https://quiz.example", quiz="ml-engineer")
    loader = Client().get("/embed.js", HTTP_ORIGIN="https://careers.example")

    assert f'integrity="{sri(loader.content)}"' in snippet
    assert 'crossorigin="anonymous"' in snippet
    assert loader["Access-Control-Allow-Origin"] == "*"
    assert loader["Cross-Origin-Resource-Policy"] == "cross-origin"
