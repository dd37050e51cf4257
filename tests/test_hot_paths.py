"""What the busiest requests cost: one cache round trip for all of a request's limits,
exact limits under concurrency, and lookups kept for a second that still follow changes.

Speed itself is measured by tests/bench/serve.py, never here; these tests count round
trips and queries, and check that what is kept is never served for more than a second.
"""

from __future__ import annotations

import gc
import json
import os
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from types import SimpleNamespace
from typing import Any

import pytest
import redis
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from redis.connection import AbstractConnection
from rest_framework.test import APIClient

from careerquiz.partners.lookup import MSG_PARTNER_DISABLED
from careerquiz.partners.models import PLACEMENT_COMPLETED as PLACED
from careerquiz.partners.models import Partner, WebhookDelivery, WebhookEndpoint
from careerquiz.web import counters, recent
from careerquiz.web.counters import Window, hit_many
from quiz.models import Attempt, Question, Quiz
from quiz.versions import live_version, publish, unpublish
from tests.factories import answers_at
from tests.factories import live_version as version_in_db
from tests.test_api import QUIZZES, assert_error, placements_url, post_json

# The Redis these tests use even when the site's cache is local memory (SQLite runs).
REDIS_URL = (
    os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"
)


@pytest.fixture
def redis_cache(settings) -> None:
    """Django's cache on Redis (as in production), under a key prefix of this test's own."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.CACHES = {
        "default": {
            "BACKEND": "careerquiz.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-{secrets.token_hex(8)}",  # never clears another's keys
        }
    }


@pytest.fixture
def round_trips(monkeypatch) -> list[bytes]:
    """Every command sent to Redis from now on (a pipeline would be one entry)."""
    sent: list[bytes] = []
    original = AbstractConnection.send_packed_command

    def counted(self: AbstractConnection, command: Any, check_health: bool = True) -> None:
        packed = b"".join(command) if isinstance(command, list) else command
        sent.append(bytes(packed).split(b"\r\n")[2])  # the command's name
        original(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    return sent


@pytest.fixture
def one_window(monkeypatch) -> None:
    """Every hit in one window of each limit, however long the test takes."""
    # 20 s before a minute ends (1_000_000 % 60 == 40).
    monkeypatch.setattr(counters, "time", SimpleNamespace(time=lambda: 1_000_000.0))


# --- Throttles ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_placement_with_a_partner_key_costs_one_redis_round_trip(
    redis_cache, round_trips, api, quiz, partner
):
    body = {"answers": answers_at(quiz, "mid"), "region": "IN"}
    key = {"HTTP_X_CAREERQUIZ_PARTNER": partner.public_key}
    assert post_json(api, placements_url(), body, **key).status_code == 201  # loads the script
    round_trips.clear()

    assert post_json(api, placements_url(), body, **key).status_code == 201

    # Three limits (client, partner, placements), counted by one script.
    assert round_trips == [b"EVALSHA"]
    assert Attempt.objects.count() == 2


@pytest.mark.django_db
def test_the_three_limits_still_count_apart(redis_cache, api, quiz, partner, rates, one_window):
    rates(client="100/min", partner="3/min", placements="2/min")
    body = {"answers": answers_at(quiz, "mid")}
    key = {"HTTP_X_CAREERQUIZ_PARTNER": partner.public_key}

    placed = [post_json(api, placements_url(), body, **key).status_code for _ in range(3)]
    other_client = post_json(api, placements_url(), body, REMOTE_ADDR="10.0.0.9", **key)
    read = api.get(QUIZZES, REMOTE_ADDR="10.0.0.10")

    assert placed == [201, 201, 429]  # the placement limit, per client
    assert other_client.status_code == 429  # the partner's limit: its fourth request
    assert int(other_client["Retry-After"]) == 20  # when the minute's window ends
    assert read.status_code == 200  # without the key, only the client limit applies
    assert Attempt.objects.count() == 2


@pytest.mark.parametrize("where", ["configured cache", "redis"])
def test_counting_many_windows_at_once_counts_each(request, where, one_window):
    if where == "redis":
        request.getfixturevalue("redis_cache")
    windows = [Window("test:a", 60), Window("test:b", 1), Window("test:a", 60)]

    first = hit_many(windows)
    second = hit_many(windows[:2])

    assert [hit.used for hit in first] == [1, 1, 2]
    assert [hit.used for hit in second] == [3, 2]
    assert [hit.retry_after for hit in second] == [20, 1]


def test_with_redis_down_every_limit_lets_requests_through(settings, one_window):
    settings.CACHES = {
        "default": {
            "BACKEND": "careerquiz.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }

    hits = hit_many([Window("test:down", 60), Window("test:down", 60)])

    assert [hit.used for hit in hits] == [1, 1]


def _placements_at_once(quiz: Quiz, partner: Partner, count: int) -> list[int]:
    body = json.dumps({"answers": answers_at(quiz, "mid")})
    start = Barrier(count)

    def place(_: int) -> int:
        try:
            start.wait()
            response = APIClient().generic(
                "POST",
                placements_url(),
                body,
                content_type="application/json",
                HTTP_X_CAREERQUIZ_PARTNER=partner.public_key,
            )
            return response.status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(place, range(count)))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", ["configured cache", "redis"])
def test_simultaneous_placements_over_the_limit_admit_exactly_the_limit(
    request, where, quiz, partner, rates, one_window
):
    if where == "redis":
        request.getfixturevalue("redis_cache")
    rates(client="1000/min", partner="1000/min", placements="5/min")

    statuses = _placements_at_once(quiz, partner, 24)

    assert sorted(statuses) == [201] * 5 + [429] * 19
    assert Attempt.objects.count() == 5


# --- Lookups kept for a second --------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    """The clock careerquiz.web.recent reads; move it on with clock[0] += seconds."""
    now = [1_000.0]
    monkeypatch.setattr(recent, "clock", lambda: now[0])
    return now


@pytest.mark.django_db
def test_quiz_reads_and_placements_ask_the_database_only_to_write(
    api, quiz, partner, django_assert_num_queries
):
    url = f"{QUIZZES}{quiz.slug}/"
    body = {"answers": answers_at(quiz, "mid"), "region": "IN"}
    key = {"HTTP_X_CAREERQUIZ_PARTNER": partner.public_key}
    api.get(url)  # the process reads the version and serializes it, once
    post_json(api, f"{url}placements/", body, **key)  # and learns the partner

    with django_assert_num_queries(0):
        assert api.get(url, **key).status_code == 200
    # The attempt's INSERT and its tallies' upsert: one statement on PostgreSQL.
    writes = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(writes):
        assert post_json(api, f"{url}placements/", body).status_code == 201
    # A partner with no webhook endpoint: known from the first placement (kept a second).
    with django_assert_num_queries(writes):
        assert post_json(api, f"{url}placements/", body, **key).status_code == 201


@pytest.mark.django_db
def test_a_partner_with_webhooks_is_asked_for_its_endpoints(api, quiz, partner, clock):
    url = f"{QUIZZES}{quiz.slug}/placements/"
    body = {"answers": answers_at(quiz, "mid"), "region": "IN"}
    key = {"HTTP_X_CAREERQUIZ_PARTNER": partner.public_key}
    assert post_json(api, url, body, **key).status_code == 201
    assert not WebhookDelivery.objects.exists()

    # Added in this process: the next placement is delivered at once.
    mine = WebhookEndpoint.objects.create(
        partner=partner, url="https://hooks.example/mine", events=[PLACED]
    )
    assert post_json(api, url, body, **key).status_code == 201
    assert WebhookDelivery.objects.filter(endpoint=mine).count() == 1

    # Another process removes it and adds one (no signal reaches this one): this process
    # may still ask for the endpoints it knew of, and finds the new one.
    WebhookEndpoint.objects.filter(pk=mine.pk).update(is_active=False)
    theirs = WebhookEndpoint.objects.bulk_create(
        [WebhookEndpoint(partner=partner, url="https://hooks.example/theirs", events=[PLACED])]
    )[0]
    assert post_json(api, url, body, **key).status_code == 201
    assert WebhookDelivery.objects.filter(endpoint=mine).count() == 1
    assert WebhookDelivery.objects.filter(endpoint=theirs).count() == 1


@pytest.mark.django_db
def test_an_endpoint_added_elsewhere_is_sent_placements_within_a_second(api, quiz, partner, clock):
    url = f"{QUIZZES}{quiz.slug}/placements/"
    body = {"answers": answers_at(quiz, "mid"), "region": "IN"}
    key = {"HTTP_X_CAREERQUIZ_PARTNER": partner.public_key}
    assert post_json(api, url, body, **key).status_code == 201  # none yet: kept a second
    [added] = WebhookEndpoint.objects.bulk_create(  # another process: no signal here
        [WebhookEndpoint(partner=partner, url="https://hooks.example/new", events=[PLACED])]
    )
    clock[0] += 0.5
    assert post_json(api, url, body, **key).status_code == 201
    clock[0] += 0.5
    assert post_json(api, url, body, **key).status_code == 201
    assert WebhookDelivery.objects.filter(endpoint=added).count() == 1  # the last one


@pytest.mark.django_db
def test_a_partner_disabled_elsewhere_is_refused_within_a_second(api, quiz, partner, clock):
    key = {"HTTP_X_CAREERQUIZ_PARTNER": partner.public_key}
    assert api.get(QUIZZES, **key).status_code == 200
    # Another process disables it: no signal reaches this one.
    Partner.objects.filter(pk=partner.pk).update(is_active=False)

    clock[0] += 0.5
    kept = api.get(QUIZZES, **key)
    clock[0] += 0.5
    refused = api.get(QUIZZES, **key)
    page = api.get(reverse("quiz:start", args=[quiz.slug]), {"partner": partner.public_key})

    assert kept.status_code == 200  # what this process read half a second ago
    assert_error(refused, 403, "partner", MSG_PARTNER_DISABLED)
    assert page.status_code == 400  # the quiz page's ?partner= uses the same lookup
    assert not Attempt.objects.exists()


@pytest.mark.django_db
def test_a_partner_disabled_in_this_process_is_refused_at_once(api, quiz, partner, clock):
    key = {"HTTP_X_CAREERQUIZ_PARTNER": partner.public_key}
    assert api.get(QUIZZES, **key).status_code == 200

    partner.is_active = False
    partner.save()
    refused = api.get(QUIZZES, **key)
    partner.is_active = True
    partner.save()

    assert_error(refused, 403, "partner", MSG_PARTNER_DISABLED)
    assert api.get(QUIZZES, **key).status_code == 200


@pytest.mark.django_db
def test_a_new_version_is_served_as_soon_as_it_is_published(api, quiz, clock):
    url = f"{QUIZZES}{quiz.slug}/"
    assert api.get(url).json()["version"] == 1
    Question.objects.filter(quiz=quiz, key="q1").update(text="Asked anew?")

    publish(quiz)
    body = api.get(url).json()
    first_question = Client().post(reverse("quiz:start", args=[quiz.slug]))

    assert (body["version"], body["questions"][0]["text"]) == (2, "Asked anew?")
    assert "Asked anew?" in first_question.content.decode()
    assert live_version(quiz.slug) == version_in_db(quiz)


@pytest.mark.django_db
def test_a_version_published_elsewhere_is_served_within_a_second(api, quiz, clock):
    url = f"{QUIZZES}{quiz.slug}/"
    first = version_in_db(quiz)
    Question.objects.filter(quiz=quiz, key="q1").update(text="Asked anew?")
    second = publish(quiz)
    assert api.get(url).json()["version"] == 2
    # Another process rolls back to version 1: no signal reaches this one.
    Quiz.objects.filter(pk=quiz.pk).update(live_version=first)

    clock[0] += 0.9
    kept = api.get(url).json()["version"]
    clock[0] += 0.1
    served = api.get(url).json()

    assert (kept, second.number) == (2, 2)
    assert (served["version"], served["questions"][0]["text"]) == (1, "Evidence question 1?")


@pytest.mark.django_db
def test_an_unpublished_quiz_is_gone_at_once_where_it_was_unpublished(api, quiz, clock):
    url = f"{QUIZZES}{quiz.slug}/"
    assert api.get(url).status_code == 200

    unpublish(quiz)

    assert api.get(url).status_code == 404
    assert api.get(reverse("quiz:start", args=[quiz.slug])).status_code == 404


# --- Garbage collection in the server (careerquiz/gunicorn.py) ------------------------------


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_the_master_freezes_what_it_loaded_before_each_fork(unfrozen):
    from careerquiz import gunicorn

    gunicorn.pre_fork(None, None)

    assert gc.get_freeze_count() > 10_000  # Django and the app, out of every collection


def test_a_worker_freezes_its_own_objects_once_warm(unfrozen):
    from careerquiz import gunicorn

    worker = SimpleNamespace(nr=gunicorn.WARM_REQUESTS - 1)
    gunicorn.post_request(worker, None, None, None)
    cold = gc.get_freeze_count()
    worker.nr += 1
    gunicorn.post_request(worker, None, None, None)
    warm = gc.get_freeze_count()
    gc.unfreeze()
    worker.nr += 1
    gunicorn.post_request(worker, None, None, None)

    assert (cold, gc.get_freeze_count()) == (0, 0)  # before, and never again after
    assert warm > 10_000
